"""The web app: Starlette routes over :mod:`reach.serve.pages`, rendered by Jinja2 with escaping always on.

Read-only: no route writes to the workspace. Every page is built from the snapshot in service at the
time of the request (:class:`~reach.serve.state.ServedWorkspace` swaps in a new build between requests).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from importlib import resources
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from reach.errors import ReachError
from reach.reports.render import to_csv
from reach.serve import pages
from reach.serve.security import TokenGate
from reach.serve.state import ServedWorkspace, Snapshot
from reach.strength_labels import strength_label

MAX_BODY = 8 << 20  # uploads: a target list or CSV, not a data export
NAV = [
    ("/", "Search"),
    ("/targets", "Targets"),
    ("/accounts", "Accounts"),
    ("/candidates", "Candidates"),
    ("/team", "Team"),
    ("/network", "Network"),
]
STATIC = {"style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}


def _static_bytes(name: str) -> bytes:
    return resources.files("reach.serve").joinpath("static", name).read_bytes()


def _cell(value: object) -> str:
    """A table cell as text (numbers short, lists joined, top-value structs as ``Acme (3)``)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict):
                vals = list(v.values())
                parts.append(f"{vals[0]} ({vals[-1]})" if len(vals) > 1 else str(vals[0]))
            else:
                parts.append(str(v))
        return ", ".join(parts)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _name(person: dict) -> str:
    emails = person.get("emails") or []
    return person.get("display_name") or (emails[0] if emails else None) or person.get("key") or person["person_id"]


class Site:
    """Templates, the served workspace and the request handlers."""

    def __init__(self, served: ServedWorkspace) -> None:
        self.served = served
        self.env = Environment(
            loader=PackageLoader("reach.serve", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.static_version = hashlib.sha256(b"".join(_static_bytes(n) for n in STATIC)).hexdigest()[:10]
        self.env.globals.update(
            nav=NAV,
            cell=_cell,
            name=_name,
            label=strength_label,
            static=lambda n: f"/static/{n}?v={self.static_version}",
        )
        self.env.filters["urlencode"] = lambda s: quote(str(s), safe="")

    # ------------------------------------------------------------ rendering
    def status(self, snap: Snapshot) -> dict:
        root = snap.root.name if snap.pseudonymised else str(snap.root)
        built = (snap.built_at or "").replace("T", " ").replace("+00:00", " UTC")
        text = (
            f"workspace {root} · built {built or 'at an unknown time'} from {snap.n_exports} "
            f"export{'' if snap.n_exports == 1 else 's'} · {snap.rg.n_people:,} people, {snap.rg.n_ties:,} ties"
        )
        return {
            "text": text,
            "stale": snap.stale,
            "pseudonymised": snap.pseudonymised,
            "notice": self.served.last_error,
        }

    def page(
        self, snap: Snapshot, template: str, *, active: str, status_code: int = 200, messages=(), **ctx
    ) -> Response:
        html = self.env.get_template(template).render(
            status=self.status(snap), active=active, messages=list(messages), **ctx
        )
        return HTMLResponse(html, status_code=status_code)

    def error(self, snap: Snapshot, heading: str, detail: str, *, status_code: int) -> Response:
        return self.page(snap, "error.html", active="", heading=heading, detail=detail, status_code=status_code)

    async def snapshot(self) -> Snapshot:
        return await run_in_threadpool(self.served.current)

    # ------------------------------------------------------------ handlers
    async def search(self, request: Request) -> Response:
        snap = await self.snapshot()
        q = request.query_params.get("q", "")[:500]
        result = await run_in_threadpool(pages.search, snap, q)
        return self.page(
            snap,
            "search.html",
            active="/",
            result=result,
            n_people=f"{snap.rg.n_people:,}",
            n_ties=f"{snap.rg.n_ties:,}",
        )

    async def person(self, request: Request) -> Response:
        snap = await self.snapshot()
        pid = request.path_params["person_id"]
        try:
            hops = min(max(int(request.query_params.get("hops", "2")), 1), 4)
        except ValueError:
            hops = 2
        page = await run_in_threadpool(pages.person_page, snap, pid, max_hops=hops)
        if page is None:
            return self.error(snap, "No such person", f"No one in this build has the id {pid}.", status_code=404)
        return self.page(snap, "person.html", active="", page=page)

    async def _form(self, request: Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
        form = await request.form(max_files=4, max_fields=50)
        fields: dict[str, str] = {}
        files: list[tuple[str, bytes]] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if data:
                    files.append((value.filename or "upload", data))
            else:
                fields[key] = str(value)
        await form.close()
        return fields, files

    async def _targets(self, request: Request):
        snap = await self.snapshot()
        if request.method == "GET":
            return snap, "", None, []
        fields, files = await self._form(request)
        text = fields.get("targets", "")
        try:
            queries = pages.parse_targets(text)
            for fname, data in files:
                queries += pages.parse_targets("", data, fname)
            queries = pages.parse_targets("\n".join(queries))
        except ReachError as exc:
            return snap, text, None, [str(exc)]
        if not queries:
            return snap, text, None, ["name at least one target (one per line), or choose a file"]
        rows = await run_in_threadpool(pages.target_rows, snap, queries)
        return snap, text, rows, []

    async def targets(self, request: Request) -> Response:
        snap, text, rows, messages = await self._targets(request)
        rows = rows or []
        return self.page(
            snap,
            "targets.html",
            active="/targets",
            text=text,
            rows=rows,
            messages=messages,
            n_reached=sum(r.status == "reached" for r in rows),
            unreached=[r.name for r in rows if r.status == "unreached"],
            unknown=[r.query for r in rows if r.status == "unknown"],
        )

    async def targets_csv(self, request: Request) -> Response:
        snap, text, rows, messages = await self._targets(request)
        if rows is None:
            return self.page(
                snap,
                "targets.html",
                active="/targets",
                text=text,
                rows=[],
                messages=messages,
                n_reached=0,
                unreached=[],
                unknown=[],
                status_code=400,
            )
        body = to_csv(pages.targets_frame(rows))
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="reach-targets.csv"'},
        )

    async def candidates(self, request: Request) -> Response:
        snap = await self.snapshot()
        qp = request.query_params
        form = {
            "title": qp.get("title", "")[:300],
            "company": qp.get("company", "")[:300],
            "location": qp.get("location", "")[:300],
            "regex": qp.get("regex") == "1",
        }
        rows, messages = None, []
        if qp:  # the form was submitted (an empty one lists everyone within reach)
            rows, messages = await run_in_threadpool(lambda: pages.candidates(snap, **form))
        return self.page(
            snap,
            "candidates.html",
            active="/candidates",
            form=form,
            rows=rows,
            messages=messages,
            status_code=400 if messages else 200,
        )

    async def accounts(self, request: Request) -> Response:
        snap = await self.snapshot()
        text, result, messages = "", None, []
        if request.method == "POST":
            fields, _ = await self._form(request)
            text = fields.get("accounts", "")
            lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
            if not lines:
                messages.append("name at least one company or domain (one account per line)")
            elif not snap.team.size:
                messages.append("no team: nothing in this workspace was imported with --owner")
            else:
                result = await run_in_threadpool(pages.accounts, snap, lines[:200])
        return self.page(snap, "accounts.html", active="/accounts", text=text, result=result, messages=messages)

    async def team(self, request: Request) -> Response:
        snap = await self.snapshot()
        if not snap.team.size:
            return self.error(
                snap,
                "No team",
                "Nothing in this workspace was imported with --owner, so there is no team to show.",
                status_code=200,
            )
        text, messages, targets = "", [], []
        if request.method == "POST":
            fields, _ = await self._form(request)
            text = fields.get("targets", "")
            try:
                targets = pages.parse_targets(text)
            except ReachError as exc:
                messages.append(str(exc))
        plan, unknown = await run_in_threadpool(pages.team, snap, targets)
        messages += [
            f"not found: {r.query}" + (f" (did you mean {', '.join(r.suggestions)}?)" if r.suggestions else "")
            for r in unknown
        ]
        return self.page(snap, "team.html", active="/team", plan=plan, text=text, messages=messages)

    async def network(self, request: Request) -> Response:
        snap = await self.snapshot()
        net = await run_in_threadpool(pages.network, snap)
        br = net["brokers"]
        cols = [
            c
            for c in ("rank", "name", "degree", "betweenness", "n_communities_bridged", "constraint")
            if c in br.columns
        ]
        return self.page(
            snap,
            "network.html",
            active="/network",
            net=net,
            brokers=br,
            broker_columns=cols,
            communities=net["communities"].head(50),
        )

    async def plot(self, request: Request) -> Response:
        snap = await self.snapshot()
        png = await run_in_threadpool(pages.plot_png, snap, request.path_params["name"])
        if png is None:
            return Response(b"", status_code=404)
        return Response(png, media_type="image/png")

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response(b"", status_code=404)
        return Response(_static_bytes(name), media_type=STATIC[name])

    async def not_found(self, request: Request, exc: Exception) -> Response:
        snap = await self.snapshot()
        return self.error(snap, "Not found", "There is no page at this address.", status_code=404)


def create_app(served: ServedWorkspace, token: str) -> TokenGate:
    """The ASGI app for ``served``: every request needs ``token`` (see :class:`TokenGate`)."""
    site = Site(served)
    routes = [
        Route("/", site.search),
        Route("/search", site.search),
        Route("/person/{person_id:str}", site.person),
        Route("/targets", site.targets, methods=["GET", "POST"]),
        Route("/targets.csv", site.targets_csv, methods=["POST"]),
        Route("/candidates", site.candidates),
        Route("/accounts", site.accounts, methods=["GET", "POST"]),
        Route("/team", site.team, methods=["GET", "POST"]),
        Route("/network", site.network),
        Route("/plot/{name:str}.png", site.plot),
        Route("/static/{name:str}", site.static),
    ]
    app = Starlette(routes=routes, exception_handlers={404: site.not_found}, max_body_size=MAX_BODY)
    return TokenGate(app, token)


__all__ = ["create_app"]

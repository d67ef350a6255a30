"""``reach serve``: the team's network in a browser, read-only, on the user's own machine.

:func:`serve` loads the workspace's build once, prints a link holding a random access token, and
serves search, person, targets, accounts, candidates, team and network pages until interrupted; a
new build published by the nightly run (or ``reach build``) is picked up on the next request, or at
once on SIGHUP.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from pathlib import Path
from typing import TextIO

from reach.errors import ReachError

log = logging.getLogger("reach.serve")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class ServeError(ReachError):
    """The server cannot start (missing extra, port in use, remote host without the flag)."""

    exit_code = 2


def check_host(host: str, *, allow_remote: bool) -> str | None:
    """Refuse a non-local address unless ``allow_remote``; return the warning to print when allowed."""
    if host in LOCAL_HOSTS:
        return None
    if not allow_remote:
        msg = (
            f"--host {host} would let other machines reach this server; the network holds personal data. "
            "Add --allow-remote if that is really what you want"
        )
        raise ServeError(msg)
    return (
        f"warning: serving on {host}: anyone who can reach this machine and has the link can read the "
        "whole network. The traffic is not encrypted."
    )


def url_for(host: str, port: int, token: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/?token={token}"


def serve(
    workspace: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    pseudonymise: bool = False,
    allow_remote: bool = False,
    token: str | None = None,
    out: TextIO | None = None,
) -> None:
    """Serve the workspace until interrupted (Ctrl-C)."""
    try:
        import uvicorn

        from reach.serve.app import create_app
    except ImportError as exc:
        msg = f"reach serve needs its extra: pip install 'reach[serve]' ({exc.name} is missing)"
        raise ServeError(msg) from exc
    from reach.serve.security import new_token
    from reach.serve.state import ServedWorkspace

    warning = check_host(host, allow_remote=allow_remote)
    served = ServedWorkspace(Path(workspace), pseudonymise=pseudonymise)
    snap = served.load()
    token = token or new_token()
    sock = bind(host, port)
    app = create_app(served, token)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda *_: served.request_reload())
    lines = [
        f"reach serve: {snap.rg.n_people:,} people and {snap.rg.n_ties:,} ties from {snap.root}",
        f"open {url_for(host, sock.getsockname()[1], token)}",
        "(the link holds the access token; Ctrl-C stops the server)",
    ]
    if warning:
        lines.insert(0, warning)
    print("\n".join(lines), file=out, flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, date_header=False)
    uvicorn.Server(config).run(sockets=[sock])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), or a clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        msg = f"cannot listen on {host}:{port}: {exc.strerror or exc}" + (
            "; another program (or another reach serve) uses it: try --port" if exc.errno == 98 else ""
        )
        raise ServeError(msg) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock

"""The web app over HTTP (no browser): the token gate, escaping, formula-safe CSV, read-only, reload."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time

import polars as pl
import pytest

from tests.serve.conftest import TOKEN

httpx = pytest.importorskip("httpx")

PAGES = [
    "/",
    "/search?q=lee",
    "/targets",
    "/accounts",
    "/candidates?title=a",
    "/team",
    "/network",
    "/plot/distances.png",
    "/static/style.css",
    "/person/p0000000000000000",
    "/no-such-page",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_refused_without_the_token(server, path):
    r = httpx.get(server.base + path, follow_redirects=False)
    assert r.status_code == 403
    assert "access token" in r.text
    r = httpx.get(server.base + path, cookies={"reach_token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403
    r = httpx.post(server.base + "/targets.csv", data={"targets": "x"})
    assert r.status_code == 403


def test_token_in_the_url_sets_a_strict_cookie_and_leaves_the_address_bar(server):
    r = httpx.get(server.url, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert f"reach_token={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    r = httpx.get(server.base + "/", cookies={"reach_token": TOKEN})
    assert r.status_code == 200
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def _client(server):
    return httpx.Client(base_url=server.base, cookies={"reach_token": TOKEN})


def test_hostile_names_are_escaped_in_html(server):
    with _client(server) as c:
        r = c.get("/search", params={"q": "evil.example"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "<img src=x" not in r.text
    # the only script tag is the app's own file
    assert r.text.count("<script") == 1 and 'src="/static/app.js' in r.text


def test_targets_csv_is_formula_safe_and_parses_back(server):
    with _client(server) as c:
        r = c.post(
            "/targets.csv",
            data={"targets": 'formula.probe@evil.example\n=HYPERLINK("http://x")\nxss.probe@evil.example'},
        )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["query"] for row in rows] == [
        "formula.probe@evil.example",
        '\'=HYPERLINK("http://x")',
        "xss.probe@evil.example",
    ]
    assert rows[0]["name"].startswith("'=HYPERLINK")  # the person's name, escaped
    assert rows[1]["status"] == "unknown"
    for row in rows:  # no cell a spreadsheet would run
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


def test_uploaded_csv_targets_use_the_email_column(server):
    upload = "First Name,Last Name,E-mail Address\nNobody,Here,xss.probe@evil.example\n"
    with _client(server) as c:
        r = c.post("/targets.csv", files={"file": ("list.csv", upload.encode(), "text/csv")}, data={"targets": ""})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["query"] for row in rows] == ["xss.probe@evil.example"]
    assert rows[0]["status"] == "reached"  # Ana's address book holds the card


def test_bad_regex_is_a_message_not_an_error_page(server):
    with _client(server) as c:
        r = c.get("/candidates", params={"title": "(engineer", "regex": "1"})
    assert r.status_code == 400
    assert 'role="alert"' in r.text and "regular expression" in r.text
    assert "Traceback" not in r.text


def test_no_endpoint_writes_to_the_workspace(server, workspace):
    def snapshot():
        return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in workspace.rglob("*") if p.is_file()}

    before = snapshot()
    with _client(server) as c:
        for path in PAGES:
            c.get(path)
        c.post("/targets", data={"targets": "Grace Lee\nnobody"})
        c.post("/accounts", data={"accounts": "Acme Inc.; acme.example"})
        c.post("/team", data={"targets": "omar.haddad@acme.example"})
    assert snapshot() == before


def test_a_new_build_is_served_whole_on_the_next_request(tmp_path, workspace):
    """A build published while serving is picked up; one caught half-written (build files changed but the
    manifest not yet) is not, and the previous build stays in service."""
    from reach.pipeline import build, import_paths
    from reach.serve.state import ServedWorkspace

    ws = tmp_path / "ws"
    shutil.copytree(workspace, ws)
    served = ServedWorkspace(ws)
    first = served.load()
    assert served.current() is first
    # a half-written build: the write lock is held (this test stands in for the builder)
    from reach.io.files import hold_lock

    with hold_lock(ws / ".lock"):
        os.utime(ws / "build" / "people.parquet")
        assert served.current() is first
    # a new build with one more person
    extra = tmp_path / "extra.vcf"
    extra.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Reload Probe\r\nEMAIL:reload.probe@new.example\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    import_paths(ws, [extra], owner="ben@northwind.example")
    time.sleep(0.01)
    build(ws)
    new = served.current()
    assert new is not first
    truth = pl.read_parquet(ws / "build" / "people.parquet")
    assert new.rg.n_people == truth.height == first.rg.n_people + 1
    assert "Reload Probe" in new.rg.people["display_name"].to_list()
    assert served.current() is new


def test_remote_host_needs_the_explicit_flag():
    from reach.serve import ServeError, check_host

    assert check_host("127.0.0.1", allow_remote=False) is None
    with pytest.raises(ServeError, match="--allow-remote"):
        check_host("0.0.0.0", allow_remote=False)
    assert "warning" in check_host("0.0.0.0", allow_remote=True)


def test_parse_targets_lines_and_csv():
    from reach.serve.pages import parse_targets

    assert parse_targets("Grace Lee\n\n# a comment\ngrace lee\n omar@acme.example ") == [
        "Grace Lee",
        "omar@acme.example",
    ]
    text = "Name;Email\nGrace Lee;grace@acme.example\nOmar;\n"
    assert parse_targets(text) == ["grace@acme.example", "Omar"]
    assert parse_targets("", "first name,last name\nMei,Chen\n".encode("utf-16"), "x.csv") == ["Mei Chen"]

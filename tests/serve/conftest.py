"""Fixtures for the web app: a workspace built from the bundled samples plus an address book with hostile names,
and the server running in-process on a free port."""

from __future__ import annotations

import threading
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

TOKEN = "test-token-0123456789"
HOSTILE_VCF = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:<script>alert(1)</script>\r\nN:</script>;<script>alert(1);;;\r\n"
    "EMAIL:xss.probe@evil.example\r\nORG:<img src=x onerror=alert(2)>\r\nEND:VCARD\r\n"
    'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:=HYPERLINK("http://evil.example","click")\r\n'
    "EMAIL:formula.probe@evil.example\r\nEND:VCARD\r\n"
)


def build_workspace(root: Path) -> Path:
    """Import every sample export of the demo config (with its owner) and the hostile address book; build."""
    from reach.pipeline import build, import_paths

    config = tomllib.loads((SAMPLES / "pipeline.toml").read_text(encoding="utf-8"))
    ws = root / "ws"
    for src in config["sources"]:
        import_paths(
            ws, [SAMPLES / src["path"]], fmt=src.get("format"), owner=src.get("owner"), options=src.get("options")
        )
    hostile = root / "hostile.vcf"
    hostile.write_text(HOSTILE_VCF, encoding="utf-8")
    import_paths(ws, [hostile], owner="ana@northwind.example")
    build(ws)
    return ws


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("serve"))


class RunningServer:
    def __init__(self, workspace: Path, *, pseudonymise: bool) -> None:
        import uvicorn

        from reach.serve import bind
        from reach.serve.app import create_app
        from reach.serve.state import ServedWorkspace

        self.served = ServedWorkspace(workspace, pseudonymise=pseudonymise)
        self.served.load()
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/?token={TOKEN}"
        self.server = uvicorn.Server(uvicorn.Config(create_app(self.served, TOKEN), log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> RunningServer:
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
def server(workspace):
    with RunningServer(workspace, pseudonymise=False) as s:
        yield s


@pytest.fixture(scope="session")
def pseudonymised_server(workspace):
    with RunningServer(workspace, pseudonymise=True) as s:
        yield s


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()

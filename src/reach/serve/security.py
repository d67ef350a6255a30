"""Access control and response hardening for the web app.

Every request must carry the server's access token: in the URL once (``?token=...``, the link printed
on start), after which an HttpOnly, SameSite=Strict cookie carries it. A request without it is
refused with 403 before any page code runs. Responses carry headers that forbid framing, sniffing,
referrers and any script, style or image that is not the app's own.
"""

from __future__ import annotations

import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode

COOKIE = "reach_token"
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]
REFUSED = (
    b"<!doctype html><meta charset=utf-8><title>reach: access token needed</title>"
    b"<p>This reach server needs its access token. Open the link that <code>reach serve</code> printed "
    b"when it started (it ends in <code>?token=...</code>).</p>"
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _cookie_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                continue
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class TokenGate:
    """ASGI middleware: refuse every HTTP request that does not carry ``token``; add the security headers."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.token = token

    def _ok(self, candidate: str | None) -> bool:
        return candidate is not None and hmac.compare_digest(candidate.encode(), self.token.encode())

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        in_url = next((v for k, v in query if k == "token"), None)
        if not (self._ok(in_url) or self._ok(_cookie_token(scope.get("headers", [])))):
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), *SECURITY_HEADERS],
                }
            )
            await send({"type": "http.response.body", "body": REFUSED})
            return
        if in_url is not None and scope["method"] in ("GET", "HEAD"):
            # set the cookie and drop the token from the address bar (and from history and bookmarks)
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            path = scope.get("raw_path") or quote(scope["path"]).encode()
            location = scope.get("root_path", "").encode() + path + (f"?{rest}".encode() if rest else b"")
            cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location),
                        (b"set-cookie", cookie.encode()),
                        (b"content-length", b"0"),
                        *SECURITY_HEADERS,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_hardened(message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in have)]
            await send(message)

        await self.app(scope, receive, send_hardened)

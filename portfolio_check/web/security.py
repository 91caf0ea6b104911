"""The guard in front of every route: host check, optional access token, security headers.

- **Host**: when the server listens on loopback, only requests addressed to a loopback name
  are answered, so a web page elsewhere cannot reach it through DNS rebinding.
- **Access token** (``PORTFOLIO_CHECK_TOKEN``): when set, every route but ``/healthz``, the
  login form and the static assets needs ``Authorization: Bearer <token>`` or the cookie that
  the login form sets. A page request without either is sent to the login form; anything else
  gets 401.
- **Sessions and origins** (:mod:`.sessions`): the login cookie is a random, expiring session
  id ended at logout; every browser gets a random client id cookie (download links are bound
  to it); a state-changing request from another site is refused (403).
- **Headers**: no sniffing, no framing, no referrer, and a content security policy that allows
  only this server's own scripts and styles (the OpenAPI pages keep FastAPI's defaults).
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portfolio_check.web.sessions import (
    CLIENT_COOKIE,
    SessionStore,
    cross_site,
    new_client_id,
)

TOKEN_ENV = "PORTFOLIO_CHECK_TOKEN"
COOKIE_NAME = "portfolio_check_session"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PUBLIC_PATHS = frozenset({"/healthz", "/login"})
PUBLIC_PREFIXES = ("/static/",)
# Pages drawn by FastAPI from a CDN; they keep their own script and style sources.
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def token_matches(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def host_name(host_header: str) -> str:
    """The host of a Host header, without port or IPv6 brackets, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(host: str) -> bool:
    return host_name(host) in LOOPBACK_HOSTS or host.startswith("127.")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this server only."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class GuardMiddleware:
    """Pure ASGI middleware applying the host check, the token and the headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: frozenset[str] | None,
        sessions: SessionStore | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.sessions = sessions or SessionStore()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        path: str = scope["path"]
        if self.allowed_hosts is not None:
            host = host_name(connection.headers.get("host", ""))
            if host not in self.allowed_hosts:
                await _plain(send, 400, f"Host {host!r} is not served here.")
                return
        refused = cross_site(
            scope["method"], dict(connection.headers), connection.headers.get("host", "")
        )
        if refused:
            await _plain(send, 403, f"Refused: {refused}. Use this server's own pages.")
            return
        if self.token and not self._public(path) and not self.authorised(connection):
            await self._refuse(connection, send)
            return
        client_id = connection.cookies.get(CLIENT_COOKIE, "")
        new_client = not client_id or len(client_id) > 64
        if new_client:
            client_id = new_client_id()
        scope.setdefault("state", {})["client_id"] = client_id
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if new_client:
                    headers.append(
                        "set-cookie",
                        f"{CLIENT_COOKIE}={client_id}; Path=/; HttpOnly; SameSite=Strict{secure}",
                    )
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if path not in DOCS_PATHS:
                    headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _public(path: str) -> bool:
        return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)

    def authorised(self, connection: HTTPConnection) -> bool:
        assert self.token is not None
        scheme, _, given = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token_matches(given.strip(), self.token):
            return True
        return self.sessions.valid(connection.cookies.get(COOKIE_NAME, ""))

    async def _refuse(self, connection: HTTPConnection, send: Send) -> None:
        path = connection.url.path
        wants_page = (
            connection.scope["method"] == "GET"
            and not path.startswith("/api/")
            and "text/html" in connection.headers.get("accept", "")
        )
        if wants_page:
            target = path + (f"?{connection.url.query}" if connection.url.query else "")
            location = "/login?next=" + quote(target, safe="")
            await _respond(send, 303, b"", [(b"location", location.encode("latin-1"))])
            return
        body = json.dumps(
            {
                "detail": f"An access token is required: send 'Authorization: Bearer <token>' "
                f"(the value of {TOKEN_ENV} on the server) or log in at /login."
            }
        ).encode()
        await _respond(
            send,
            401,
            body,
            [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
        )


async def _plain(send: Send, status: int, text: str) -> None:
    await _respond(send, status, text.encode(), [(b"content-type", b"text/plain; charset=utf-8")])


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    raw = [*headers, (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})

"""ASGI middleware of the web app: body size limit, the write token, security headers.

Pure ASGI (no request objects), so that a refused request costs nothing: the token of a write
endpoint is checked before its body is read, and an oversized body is cut off as it arrives.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WRITE_PATHS = frozenset({"/api/articles"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def _json_message(status: int, payload: dict[str, Any], headers: Sequence[tuple[str, str]] = ()):
    body = json.dumps(payload).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *[(k.encode(), v.encode()) for k, v in headers],
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over ``max_body`` bytes with a 413, by Content-Length or while
    the body streams in (chunked uploads)."""

    def __init__(self, app: ASGIApp, max_body: int):
        self.app = app
        self.max_body = max_body

    async def refuse(self, send: Send) -> None:
        start, body = _json_message(
            413, {"error": f"request body over {self.max_body:,} bytes"}, [("connection", "close")]
        )
        await send(start)
        await send(body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit():
                start, body = _json_message(400, {"error": "bad Content-Length"})
                await send(start)
                await send(body)
                return
            if int(length) > self.max_body:
                await self.refuse(send)
                return
        received = 0
        too_big = False
        started = False

        async def limited() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if too_big:
                return  # the app's answer to the broken body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except _BodyTooLarge:
            pass
        if too_big and not started:
            await self.refuse(send)


def token_matches(header: bytes | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time (digests of equal length)."""
    scheme, _, value = (header or b"").partition(b" ")
    given = hashlib.sha256(value.strip()).digest()
    expected = hashlib.sha256(token.encode("utf-8")).digest()
    return hmac.compare_digest(given, expected) & (scheme.lower() == b"bearer")


class WriteGuard:
    """Refuses the write endpoints before their body is read: 403 when the server has no token
    (read-only), 401 when the request does not carry it."""

    def __init__(self, app: ASGIApp, token: str | None, paths: frozenset[str] = WRITE_PATHS):
        self.app = app
        self.token = token
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in ("GET", "HEAD", "OPTIONS")
            and scope["path"].rstrip("/") in self.paths
        ):
            if self.token is None:
                start, body = _json_message(
                    403,
                    {"error": "this server is read-only: start it with a token "
                              "(DYADS_TOKEN or --token-file) to store articles"},
                )  # fmt: skip
            elif not token_matches(dict(scope["headers"]).get(b"authorization"), self.token):
                start, body = _json_message(
                    401,
                    {"error": "missing or wrong token (Authorization: Bearer <token>)"},
                    [("www-authenticate", 'Bearer realm="dyads"')],
                )
            else:
                await self.app(scope, receive, send)
                return
            await send(start)
            await send(body)
            return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """No sniffing, no framing, no referrer, and a content security policy that allows only
    this server's own scripts, styles and data (no CDN, no inline script)."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", CSP.encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
    )

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [(k, v) for k, v in self.HEADERS if k not in names]
                if api and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, add)

"""``dyads serve``: the HTTP API and dashboard over an event store."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import stat
import sys
from pathlib import Path

import click

log = logging.getLogger("dyads")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "[::1]"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_token(token_file: str | None) -> str | None:
    """The write token: the first line of ``--token-file``, else ``$DYADS_TOKEN``, else none."""
    if token_file:
        path = Path(token_file)
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("%s can be read by other users (chmod 600 it)", token_file)
        lines = path.read_text("utf-8").splitlines()
        token = lines[0].strip() if lines else ""
        if not token:
            raise click.BadParameter(f"{token_file} is empty", param_hint="--token-file")
    else:
        token = os.environ.get("DYADS_TOKEN", "").strip() or None
    if token is not None and len(token) < 16:
        log.warning("the token is short (%d characters): use 16 or more random ones", len(token))
    return token


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it small answers wait for the client's delayed ACK (40 ms per request)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {err.strerror or err}"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def check_store(db: str, token: str | None, lock_timeout: float) -> None:
    """Fail early with one line when the store cannot be served; create or migrate it only when
    the server may write (a token is set)."""
    from ..store import EventStore, StoreError

    try:
        if token is not None and not Path(db).exists():
            log.warning("%s does not exist: creating an empty event store", db)
        if token is not None:
            with EventStore(db, lock_timeout=lock_timeout).connection(write=True):
                pass
        with EventStore(db, read_only=True, lock_timeout=lock_timeout).connection():
            pass
    except StoreError as err:
        raise click.ClickException(str(err)) from None


@click.command()
@click.option(
    "--db",
    default="dyads.duckdb",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Event store file (DuckDB; created by ingest).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 serves the network: anyone who reaches it can read).",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free port).",
)
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False),
    help="File whose first line is the token that POST /api/articles needs "
    "(default: $DYADS_TOKEN; without either the server is read-only).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Origin allowed to call the API from its pages (https://example.org); repeatable. Default: none.",
)
@click.option(
    "--max-page",
    default=500,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Largest page (limit) a request may ask for.",
)
@click.option(
    "--lock-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds a request waits while another process writes the store, then 503.",
)
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(0, 256),
    help="DuckDB threads per query (0: one per core). One runs requests side by side.",
)
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@click.pass_context
def serve(ctx, db, host, port, token_file, cors_origins, max_page, lock_timeout, threads, access_log):  # fmt: skip
    """Serve the API (/api/..., /openapi.json) and the dashboard (/) of an event store.

    Reads only, unless a token is set ($DYADS_TOKEN or --token-file): then POST /api/articles
    codes and stores articles for requests that send 'Authorization: Bearer <token>'. The store is
    opened per request, so 'dyads ingest' can add to it while it is served.
    """
    import uvicorn

    from ..web.app import create_app

    token = read_token(token_file)
    check_store(db, token, lock_timeout)
    loopback = is_loopback(host)
    if not loopback:
        log.warning("listening on %s: anyone who can reach this machine can read the store", host)
    app = create_app(
        db, token=token, cors_origins=cors_origins, max_page=max_page, lock_timeout=lock_timeout,
        allowed_hosts=list(LOOPBACK_NAMES) if loopback else None, threads=threads or None,
    )  # fmt: skip
    sock = bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
    mode = "read-write: POST /api/articles needs the token" if token else "read-only"
    quiet = ctx.obj.get("quiet") if ctx.obj else False
    if not quiet:
        click.echo(
            f"dyads: serving {db} on http://{shown}:{actual}/ ({mode}); Ctrl-C stops", err=True
        )
    config = uvicorn.Config(
        app, log_config=None, access_log=access_log, limit_concurrency=256,
        timeout_keep_alive=30, server_header=False,
    )  # fmt: skip
    if access_log:
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    sys.exit(0)

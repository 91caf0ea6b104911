"""The upload page and JSON API over the same functions as the CLI (an I/O edge).

    portfolio-check serve [--host 127.0.0.1] [--port 8000] [--max-upload-mb 50]

Routes: ``/`` upload page and pre-trade box, ``POST /check`` results page, ``/pretrade``,
``/about`` (the reference manifest), ``/download/{token}/report.xlsx|result.json``,
``POST /api/check``, ``GET /api/security``, ``GET /api/reference``, ``/healthz``, ``/docs``.
Set ``PORTFOLIO_CHECK_TOKEN`` to require an access token on everything but ``/healthz``.
"""

from __future__ import annotations

import click

from portfolio_check.web.app import DEFAULT_MAX_UPLOAD_MB, Settings, create_app
from portfolio_check.web.security import LOOPBACK_HOSTS, TOKEN_ENV, host_name, is_loopback

__all__ = ["DEFAULT_MAX_UPLOAD_MB", "Settings", "create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000, max_upload_mb: float | None = None) -> None:
    """Serve the application with uvicorn until interrupted."""
    import uvicorn

    loopback = is_loopback(host)
    settings = Settings.from_env(
        max_upload_bytes=int((max_upload_mb or DEFAULT_MAX_UPLOAD_MB) * 1_000_000),
        allowed_hosts=(LOOPBACK_HOSTS | {host_name(host)}) if loopback else None,
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"portfolio-check: serving on http://{shown}:{port}/ (Ctrl+C to stop)")
    if settings.token:
        click.echo(f"portfolio-check: an access token is required ({TOKEN_ENV} is set)")
    elif not loopback:
        click.echo(
            f"portfolio-check: warning: listening on {host} without an access token; anyone who "
            f"can reach this address can use it. Set {TOKEN_ENV} to require one.",
            err=True,
        )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        proxy_headers=False,
    )

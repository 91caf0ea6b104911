"""The API documentation page, from assets shipped in a package (issue 13).

FastAPI's own ``/docs`` and ``/redoc`` pages load Swagger UI and ReDoc from a public CDN: blank
on a machine without internet access, and outside the content security policy of every other
page. Here ``/docs`` is a page of this server's own, loading Swagger UI from the
``fastapi-offline`` package (its ``static`` folder mounted under ``/docs-assets``) and starting
it from a script file of ours (``static/docs.js``), so the page keeps the same CSP as the rest:
no inline script, no other origin.

Swagger UI 5 is needed: the API is described in OpenAPI 3.1 (FastAPI's), which the 4.15 of the
``swagger-ui-bundle`` package used before cannot render ("Unable to render this definition").
``/redoc`` is not served: the ReDoc bundle shipped beside it (2.5.3) injects inline styles, which
the CSP refuses, and then shows only "Something went wrong" (seen in Chromium); allowing inline
styles on every page for a second rendering of the same API is not worth it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS = "/docs-assets"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""


def docs_assets() -> Path:
    """Swagger UI's files in the installed ``fastapi-offline`` package."""
    return Path(str(files("fastapi_offline") / "static"))


def add_offline_docs(app: FastAPI) -> None:
    """Serve ``/docs`` from the shipped Swagger UI (create the app with ``docs_url=None``)."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=docs_assets()), name="docs-assets")
    page = _PAGE.format(
        title=app.title.replace("<", "&lt;"), assets=DOCS_ASSETS, openapi=app.openapi_url
    )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"cache-control": "no-store"})

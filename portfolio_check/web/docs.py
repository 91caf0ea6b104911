"""The API documentation page, from assets shipped with the package (issue 13).

FastAPI's own ``/docs`` and ``/redoc`` pages load Swagger UI and ReDoc from a public CDN: blank
on a machine without internet access, and outside the content security policy of every other
page. Here ``/docs`` is a page of this server's own, loading Swagger UI from the
``swagger-ui-bundle`` package (mounted under ``/docs-assets``) and starting it from a script
file of ours (``static/docs.js``), so the page keeps the same CSP as the rest: no inline
script, no other origin. ReDoc has no maintained offline package; ``/redoc`` is not served.
"""

from __future__ import annotations

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


def add_offline_docs(app: FastAPI) -> None:
    """Serve ``/docs`` from the shipped Swagger UI (create the app with ``docs_url=None``)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")
    page = _PAGE.format(
        title=app.title.replace("<", "&lt;"), assets=DOCS_ASSETS, openapi=app.openapi_url
    )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"cache-control": "no-store"})

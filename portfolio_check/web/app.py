"""The web application: the upload page, the results page, pre-trade answers, a JSON API.

Thin, like the CLI: every answer comes from :func:`portfolio_check.check` and
:func:`portfolio_check.check_security`, and the JSON is theirs (``to_dict()``). What this module
adds is the care a server needs:

- each upload is written into a private temporary folder (mode 0700) made for the request and
  removed before the response is sent; the Excel report and the JSON are made there too and
  kept only as bytes in a small in-memory cache (:mod:`.cache`) behind a random token;
- uploads are streamed with a size limit, an extension list and a check of the first bytes
  (:mod:`.uploads`); the uploaded name is shown, never used as a path;
- the check runs in a worker thread (at most ``max_concurrent_checks`` at once), so the event
  loop keeps receiving other uploads and answering other pages meanwhile;
- templates escape every value (Jinja2 autoescape); the guard (:mod:`.security`) adds the host
  check, the optional access token and security headers.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
import jinja2
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from portfolio_check.compiled import compiled_reference, compiled_selection
from portfolio_check.errors import (
    InputFileError,
    PortfolioCheckError,
    ReferenceDataError,
    UsageError,
)
from portfolio_check.model import Investor, Side
from portfolio_check.options import CheckOptions
from portfolio_check.pipeline import SecurityCheck, check, check_security, security_index
from portfolio_check.pretrade import active_reference
from portfolio_check.refdata import load_reference
from portfolio_check.reference import DEFAULT_LISTS, Reference
from portfolio_check.result import CheckResult
from portfolio_check.rules import RelatedPolicy
from portfolio_check.web.cache import DownloadCache
from portfolio_check.web.docs import add_offline_docs
from portfolio_check.web.results import ResultStore
from portfolio_check.web.security import (
    COOKIE_NAME,
    TOKEN_ENV,
    GuardMiddleware,
    safe_next,
    token_matches,
)
from portfolio_check.web.sessions import SESSION_TTL_SECONDS, ClientSlots, SessionStore
from portfolio_check.web.uploads import (
    ACCEPTED_TYPES,
    OPTION_FIELDS,
    UploadedFile,
    UploadForm,
    UploadRejected,
    megabytes,
    receive_upload,
)
from portfolio_check.web.views import (
    STATUS_MEANING,
    ResultsView,
    relabel,
    relabel_error,
    results_view,
    scrub,
)
from portfolio_check.web.workers import WorkerCrashed, WorkerLimits, shared_pool

# The related-company policies the page offers, with the words it shows (the CLI's --related).
RELATED_POLICY_LABELS: dict[str, str] = {
    RelatedPolicy.LAW: "as the law reads (FAQ 857: related companies are REVIEW)",
    RelatedPolicy.AS_LISTED: "as listed (a stricter firm policy)",
    RelatedPolicy.LAW + "+affiliates": "as the law reads, affiliates too",
    RelatedPolicy.AS_LISTED + "+affiliates": "as listed, affiliates too",
}

log = logging.getLogger("portfolio_check.web")

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"

DEFAULT_MAX_UPLOAD_MB = 50.0

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """How the server behaves; :meth:`from_env` reads the access token from the environment."""

    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1_000_000)
    max_files: int = 20
    token: str | None = None
    # Where each request's private folder is made (None: the system's temporary directory).
    temp_dir: Path | None = None
    # Host names the server answers to (None: any); `serve` sets loopback names on loopback.
    allowed_hosts: frozenset[str] | None = None
    # Checks running at once in worker threads; more uploads wait their turn.
    max_concurrent_checks: int = 4
    # Finished downloads kept in memory: how many, how many bytes in all, for how long.
    cache_entries: int = 32
    cache_bytes: int = 256 * 1_000_000
    cache_ttl_seconds: float = 30 * 60
    # Finished results kept for their pages and on-demand downloads: positions in all.
    cache_positions: int = 2_000_000
    # What one upload's check may cost in its worker process (see :mod:`.workers`).
    worker_limits: WorkerLimits = field(default_factory=WorkerLimits)
    # Uploads one client address may have in progress at once (more get 429), and how long
    # the server waits for the next piece of an upload's body (a stalled upload gets 408).
    uploads_per_client: int = 8
    body_timeout_seconds: float = 30.0

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        token = os.environ.get(TOKEN_ENV, "").strip() or None
        return replace(cls(token=token), **overrides)


@dataclass
class WebState:
    """What the routes share: settings, the download cache, the check limiter, counters."""

    settings: Settings
    downloads: DownloadCache
    limiter: anyio.CapacityLimiter
    results: ResultStore
    sessions: SessionStore = field(default_factory=SessionStore)
    client_slots: ClientSlots = field(default_factory=lambda: ClientSlots(8))
    checks_running: int = 0
    peak_checks_running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_counted(self, work: Callable[[], T]) -> T:
        """Run ``work`` (in a worker thread), counting how many run at once."""
        with self.counted():
            return work()

    @contextmanager
    def counted(self) -> Iterator[None]:
        """Count a check as running while the block runs."""
        with self._lock:
            self.checks_running += 1
            self.peak_checks_running = max(self.peak_checks_running, self.checks_running)
        try:
            yield
        finally:
            with self._lock:
                self.checks_running -= 1


class Problem(Exception):
    """A request that cannot be answered: an HTTP status and a message for a person.

    ``form`` is the upload's fields when they were read, so the page can keep them.
    """

    def __init__(self, status_code: int, message: str, form: UploadForm | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.form = form

    def __reduce__(self) -> tuple[Any, ...]:
        # raised in a worker process, it comes back to the request through pickle
        return (Problem, (self.status_code, self.message, self.form))


def package_version() -> str:
    try:
        return version("portfolio-check")
    except PackageNotFoundError:
        return "0+unknown"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("portfolio_check.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    return env


templates = Jinja2Templates(env=_environment())


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _reference() -> Reference:
    return load_reference()


def default_lists(reference: Reference) -> list[str]:
    """The lists ticked on a new upload form: the engine's default, as on the command line."""
    chosen = [list_id for list_id in reference.lists if list_id in DEFAULT_LISTS]
    return chosen or list(reference.lists)


# --------------------------------------------------------------------------------------------
# Checking an upload
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRequest:
    """The form fields of a check, validated against the loaded reference.

    ``lists`` is None when the request names none (the API without a ``lists`` field): the
    engine's default applies, exactly as on the command line.
    """

    as_of: str | None
    investor: str
    lists: tuple[str, ...] | None
    related: str = RelatedPolicy.LAW
    # An earlier stored snapshot's folder, for re-screening (validated here; loaded by the
    # worker process, so the request carries a path, not a whole snapshot).
    compare_with: str | None = None

    @classmethod
    def from_form(cls, form: UploadForm, reference: Reference) -> CheckRequest:
        chosen = [value.strip() for value in form.all("lists") if value.strip()]
        unknown = [value for value in chosen if value not in reference.lists]
        if unknown:
            known = ", ".join(reference.lists)
            raise Problem(400, f"Unknown list {unknown[0]!r}; the loaded lists are: {known}.")
        if not chosen and form.first("lists_given"):
            raise Problem(400, "Choose at least one list to apply.")
        return cls(
            as_of=(form.first("as_of") or "").strip() or None,
            investor=(form.first("investor") or Investor.US_PERSON.value).strip(),
            lists=tuple(chosen) if chosen else None,
            related=(form.first("related") or RelatedPolicy.LAW).strip(),
            compare_with=_stored_snapshot((form.first("compare_reference") or "").strip()),
        )


def _stored_snapshot(version: str) -> str | None:
    """A snapshot of the user store, or the shipped one, by version; never a path from a form."""
    if not version:
        return None
    from portfolio_check.refdata import shipped_reference_dir
    from portfolio_check.sources.store import history

    folders = {info.version: info.folder for info in history()}
    if version == "shipped":
        return str(shipped_reference_dir())
    if version not in folders:
        raise Problem(400, f"Unknown snapshot {version!r}; stored: {', '.join(folders) or 'none'}.")
    return str(folders[version])


@dataclass(frozen=True)
class Checked:
    """A finished check: the result (labelled with upload names), its JSON text (the CLI's
    ``--json``), and for pages the results view and the token of its downloads."""

    result: CheckResult
    json_text: str
    view: ResultsView | None = None
    download_token: str | None = None


@dataclass(frozen=True)
class _Work:
    result: CheckResult
    json_text: str
    report: bytes | None
    view: ResultsView | None


@dataclass(frozen=True)
class _Detached:
    """A finished check on its way back from its worker process without its reference, when
    that is a compiled selection of a snapshot (``folder`` with ``lists``, of ``version``):
    pickling the whole snapshot back cost about 0.8 s of CPU and 9 MB per upload. The server
    makes the same selection (:func:`_attached`); a result on any other reference (a firm's
    list added) travels whole."""

    fields: dict[str, Any]  # the result's attributes but its reference
    folder: Path
    lists: tuple[str, ...] | None
    version: str
    json_text: str


def _detached(work: _Work) -> _Work | _Detached:
    """In the worker: ``work`` without its result's reference when the server can make it."""
    reference = work.result.reference
    made_from = compiled_selection(reference)
    if made_from is None:
        return work
    fields = {k: v for k, v in vars(work.result).items() if k != "reference"}
    return _Detached(fields, *made_from, reference.version, work.json_text)


def _attached(sent: _Work | _Detached) -> _Work:
    """In the server: the worker's answer whole again, on the same selection of the same
    snapshot (compiled once per process; a snapshot that changed meanwhile is refused)."""
    if isinstance(sent, _Work):
        return sent
    reference = compiled_reference(sent.lists, sent.folder)
    if reference.version != sent.version:
        raise Problem(
            503, "The reference snapshot changed while this upload was checked: upload it again."
        )
    result = CheckResult.__new__(CheckResult)
    vars(result).update(sent.fields, reference=reference)
    return _Work(result, sent.json_text, None, None)


def _check_in(
    folder: Path,
    uploads: list[UploadedFile],
    options: CheckRequest,
    for_page: bool,
) -> _Work | _Detached:
    """Run in a worker thread: check the uploads and make everything the response needs (the
    JSON; for a page also its view and the Excel report, written in ``folder``)."""
    holdings, extra = _split_uploads(uploads)
    try:
        if not holdings:
            raise UsageError("no holdings file given: add one or more under 'files'")
        # the page's fields and uploads as the one CheckOptions the CLI and the API build
        chosen = CheckOptions.build(
            as_of=options.as_of,
            investor=options.investor,
            lists=options.lists,
            firm_lists=[u.path for u in extra["firm_list"]],
            related=options.related,
            decisions=[u.path for u in extra["decisions"]],
            fund_holdings=[str(u.path) for u in extra["fund_holdings"]],
        )
        result = check([u.path for u in holdings], options=chosen)
        earlier = None
        if options.compare_with is not None:
            # the same holdings with the same options against the earlier snapshot
            earlier = check(
                [u.path for u in holdings],
                options=chosen,
                reference=load_reference(Path(options.compare_with)),
            )
    except InputFileError as error:
        raise Problem(422, relabel_error(error, uploads, str(folder))) from None
    except (UsageError, ReferenceDataError) as error:
        raise Problem(400, scrub(str(error), str(folder))) from None
    result = relabel(result, uploads)
    if earlier is not None:
        from portfolio_check.rescreen import compare_results

        result.changes = compare_results(relabel(earlier, uploads), result)
    # the page's view is made where the result is kept, and the report when it is downloaded
    return _detached(_Work(result, result.to_json(), None, None))


def _split_uploads(
    uploads: list[UploadedFile],
) -> tuple[list[UploadedFile], dict[str, list[UploadedFile]]]:
    """The holdings files, and the optional files by their field (the CLI's --firm-list,
    --decisions and --fund-holdings, passed to the same API)."""
    extra: dict[str, list[UploadedFile]] = {name: [] for name in OPTION_FIELDS}
    holdings = []
    for upload in uploads:
        if upload.field in OPTION_FIELDS:
            extra[upload.field].append(upload)
        else:
            holdings.append(upload)
    if len(extra["decisions"]) > 1:
        raise Problem(400, "Give at most one decisions file.")
    return holdings, extra


async def run_upload(request: Request, *, for_page: bool) -> Checked:
    """Receive the upload into a private folder, check it off the event loop, remove the folder."""
    state = _state(request)
    client = request.client.host if request.client else ""
    if not state.client_slots.take(client):
        raise Problem(
            429,
            f"Too many uploads at once from this address (at most "
            f"{state.settings.uploads_per_client}); wait for one to finish.",
        )
    try:
        return await _run_upload(request, state, for_page=for_page)
    finally:
        state.client_slots.give_back(client)


async def _run_upload(request: Request, state: WebState, *, for_page: bool) -> Checked:
    settings = state.settings
    folder = Path(tempfile.mkdtemp(prefix="portfolio-check-", dir=settings.temp_dir))
    try:
        try:
            form = await receive_upload(
                request,
                folder,
                max_bytes=settings.max_upload_bytes,
                max_files=settings.max_files,
                body_timeout=settings.body_timeout_seconds,
            )
        except UploadRejected as rejected:
            raise Problem(rejected.status_code, rejected.message) from None
        try:
            options = CheckRequest.from_form(form, _reference())
            job = functools.partial(_check_in, folder, form.files, options, for_page)
            work = _attached(await _isolated(state, job))
        except Problem as problem:
            raise Problem(problem.status_code, problem.message, form) from None
    finally:
        await anyio.to_thread.run_sync(functools.partial(shutil.rmtree, folder, ignore_errors=True))
        if folder.exists():
            log.error("could not remove the private upload folder %s", folder)
    token = None
    view = None
    if for_page:
        view = await anyio.to_thread.run_sync(results_view, work.result)
        stem = f"portfolio-check-{work.result.as_of}"
        token = state.results.put(work.result, work.json_text, stem, download_owner(request))
    return Checked(work.result, work.json_text, view, token)


async def _isolated(state: WebState, job: Callable[[], _Work | _Detached]) -> _Work | _Detached:
    """Run ``job`` in a worker process (:mod:`.workers`), at most ``max_concurrent_checks``
    at once; a worker that dies answers this request alone, with a 422."""
    settings = state.settings
    pool = shared_pool(settings.max_concurrent_checks, settings.worker_limits)
    async with state.limiter:
        with state.counted():
            try:
                return await pool.run(job)
            except WorkerCrashed as crashed:
                raise Problem(422, str(crashed)) from None


# --------------------------------------------------------------------------------------------
# The application
# --------------------------------------------------------------------------------------------


def _warm_up() -> None:
    """Load the reference (its lists name the form's choices) and the selection a default
    pre-trade check uses with its index, once, before the first request needs them (the whole
    snapshot's index, built here before, is used by no request)."""
    load_reference()
    security_index(active_reference(None, None, (), dt.date.today()))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application (``uvicorn`` serves it; tests call it in-process)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(_warm_up)
        yield

    app = FastAPI(
        title="portfolio_check",
        version=package_version(),
        description=(
            "Which holdings are hit by investment prohibitions (US NS-CMIC), and why. The JSON "
            "is the same as the command line's `--json` output. **Not legal advice.**"
        ),
        lifespan=lifespan,
        docs_url=None,  # served from shipped assets instead of a CDN (see .docs)
        redoc_url=None,
    )
    add_offline_docs(app)
    app.state.web = WebState(
        settings=settings,
        downloads=DownloadCache(
            max_entries=settings.cache_entries,
            max_bytes=settings.cache_bytes,
            ttl=settings.cache_ttl_seconds,
        ),
        limiter=anyio.CapacityLimiter(settings.max_concurrent_checks),
        results=ResultStore(
            max_entries=settings.cache_entries,
            max_positions=settings.cache_positions,
            ttl=settings.cache_ttl_seconds,
        ),
        client_slots=ClientSlots(settings.uploads_per_client),
    )
    app.add_middleware(
        GuardMiddleware,
        token=settings.token,
        allowed_hosts=settings.allowed_hosts,
        sessions=app.state.web.sessions,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_pages(app)
    _add_api(app)
    return app


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    state = _state(request)
    reference = _reference()
    base = {
        "version": package_version(),
        "reference_version": reference.version,
        "token_required": state.settings.token is not None,
    }
    response = templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status_code
    )
    response.headers["cache-control"] = "no-store"
    return response


def _stored_versions() -> list[str]:
    from portfolio_check.sources.store import history

    return [info.version for info in reversed(history())]


def _index_context(
    request: Request,
    *,
    error: str | None = None,
    as_of: str | None = None,
    investor: str = Investor.US_PERSON.value,
    lists: tuple[str, ...] | None = None,
    related: str = RelatedPolicy.LAW,
    pretrade: dict[str, Any] | None = None,
    pretrade_error: str | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    settings = _state(request).settings
    reference = _reference()
    today = dt.date.today().isoformat()
    return {
        "error": error,
        "as_of": as_of or today,
        "investor": investor,
        "investors": [i.value for i in Investor],
        "related": related,
        "related_policies": RELATED_POLICY_LABELS,
        "lists": list(reference.lists.values()),
        "chosen_lists": set(lists if lists is not None else default_lists(reference)),
        "accept": ",".join(sorted(ACCEPTED_TYPES)),
        "max_upload_bytes": settings.max_upload_bytes,
        "max_upload_text": megabytes(settings.max_upload_bytes),
        "max_files": settings.max_files,
        "pretrade": pretrade,
        "pretrade_error": pretrade_error,
        "snapshots": _stored_versions(),
        "query": query
        or {"id": "", "side": "buy", "as_of": today, "investor": investor, "exchange": ""},
    }


def _add_pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request) -> HTMLResponse:
        return _page(request, "index.html", _index_context(request))

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def check_page(request: Request) -> HTMLResponse:
        try:
            checked = await run_upload(request, for_page=True)
        except Problem as problem:
            form = problem.form
            context = _index_context(
                request,
                error=problem.message,
                as_of=form.first("as_of") if form else None,
                investor=(form.first("investor") if form else None) or Investor.US_PERSON.value,
                lists=tuple(form.all("lists")) if form and form.first("lists_given") else None,
                related=(form.first("related") if form else None) or RelatedPolicy.LAW,
            )
            return _page(request, "index.html", context, problem.status_code)
        view = checked.view
        assert view is not None
        return _page(
            request,
            "results.html",
            {
                "view": view,
                "data": view.data,
                "files": checked.result.files,
                "token": checked.download_token,
            },
        )

    @app.get("/pretrade", response_class=HTMLResponse, include_in_schema=False)
    async def pretrade_page(
        request: Request,
        id: str = "",
        side: str = Side.BUY.value,
        as_of: str = "",
        investor: str = Investor.US_PERSON.value,
        exchange: str = "",
    ) -> HTMLResponse:
        query = {
            "id": id,
            "side": side,
            "as_of": as_of,
            "investor": investor,
            "exchange": exchange,
        }
        try:
            answer = await _answer(id, exchange, as_of, investor, side)
        except Problem as problem:
            context = _index_context(request, pretrade_error=problem.message, query=query)
            return _page(request, "index.html", context, problem.status_code)
        context = _index_context(
            request,
            pretrade={**answer.to_dict(), "meaning": STATUS_MEANING[answer.status]},
            query=query,
        )
        return _page(request, "index.html", context)

    @app.get("/about", response_class=HTMLResponse, include_in_schema=False)
    async def about(request: Request) -> HTMLResponse:
        reference = _reference()
        return _page(
            request,
            "about.html",
            {
                "manifest": reference.manifest,
                "reference": reference,
                "curated_securities": len(reference.curated_securities),
                "curated_names": len(reference.curated_names),
            },
        )

    @app.get("/download/{token}/report.xlsx", include_in_schema=False)
    async def download_report(request: Request, token: str) -> Response:
        return await _download(request, token, "report")

    @app.get("/download/{token}/result.json", include_in_schema=False)
    async def download_json(request: Request, token: str) -> Response:
        return await _download(request, token, "json")

    @app.get("/results/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def results_page(
        request: Request, token: str, page: int = 1, status: str = "", q: str = ""
    ) -> HTMLResponse:
        kept = _state(request).results.get(token, download_owner(request))
        if kept is None:
            return _expired(request)
        job = functools.partial(results_view, kept.result, page=page, status=status, query=q)
        view = await anyio.to_thread.run_sync(job)
        context = {"view": view, "data": view.data, "files": kept.result.files, "token": token}
        return _page(request, "results.html", context)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return _page(request, "login.html", {"next": safe_next(next), "error": None})

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        # Read by hand, small and url-encoded only: this route is open to anyone, and the
        # framework's form parser would spool a multipart body of any size to disk.
        fields = await _small_form(request)
        token = fields.get("token", "")
        next = fields.get("next", "/")
        expected = _state(request).settings.token
        if expected is None:
            return RedirectResponse(safe_next(next), status_code=303)
        if not token_matches(token.strip(), expected):
            context = {"next": safe_next(next), "error": "That access token is not right."}
            return _page(request, "login.html", context, 401)
        response = RedirectResponse(safe_next(next), status_code=303)
        old = request.cookies.get(COOKIE_NAME)
        if old:
            _state(request).sessions.end(old)
        response.set_cookie(
            COOKIE_NAME,
            _state(request).sessions.create(),  # random, per login: never the token's digest
            max_age=SESSION_TTL_SECONDS,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        _state(request).sessions.end(request.cookies.get(COOKIE_NAME, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE_NAME)
        return response


# The login form's body is a token and a path: a few hundred bytes.
MAX_LOGIN_BODY = 8 * 1024


async def _small_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body of at most MAX_LOGIN_BODY bytes."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_LOGIN_BODY:
            return {}
    pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return dict(pairs)


def download_owner(request: Request) -> str:
    """Who may fetch the downloads this request makes: its login session, else the browser's
    client id (set by the guard)."""
    session = request.cookies.get(COOKIE_NAME, "")
    if session and _state(request).sessions.valid(session):
        return "session:" + session
    return "client:" + str(request.scope.get("state", {}).get("client_id", ""))


def _expired(request: Request) -> HTMLResponse:
    minutes = round(_state(request).settings.cache_ttl_seconds / 60)
    return _page(
        request,
        "message.html",
        {
            "title": "This download has expired",
            "message": (
                f"Results are kept in memory for {minutes} minutes and never written to "
                "disk. Check the holdings again to get a new one."
            ),
        },
        404,
    )


async def _download(request: Request, token: str, kind: str) -> Response:
    state = _state(request)
    item = state.results.get(token, download_owner(request))
    if item is None:
        return _expired(request)
    if kind == "report":
        # built now from the kept result, in a worker thread (a large one in constant memory)
        body = await anyio.to_thread.run_sync(item.result.report_bytes, limiter=state.limiter)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"{item.stem}.xlsx"
    else:
        body, media, name = item.json_text.encode("utf-8"), "application/json", f"{item.stem}.json"
    return Response(
        body,
        media_type=media,
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )


async def _answer(
    identifier: str, exchange: str, as_of: str, investor: str, side: str
) -> SecurityCheck:
    if not identifier.strip():
        raise Problem(400, "Enter a security identifier: an ISIN, a ticker or a name.")
    work = functools.partial(
        check_security,
        identifier,
        exchange=exchange.strip() or None,
        as_of=as_of.strip() or None,
        investor=investor,
        side=side,
    )
    try:
        return await anyio.to_thread.run_sync(work)
    except UsageError as error:
        raise Problem(400, str(error)) from None


# --------------------------------------------------------------------------------------------
# The JSON API
# --------------------------------------------------------------------------------------------

_CHECK_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "Holdings files: " + ", ".join(sorted(ACCEPTED_TYPES)),
                    },
                    "as_of": {
                        "type": "string",
                        "format": "date",
                        "description": "Date to check on (YYYY-MM-DD); default today.",
                    },
                    "investor": {
                        "type": "string",
                        "enum": [i.value for i in Investor],
                        "default": Investor.US_PERSON.value,
                    },
                    "lists": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Ids of the lists to apply (default: every loaded list).",
                    },
                },
            }
        }
    },
}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def _add_api(app: FastAPI) -> None:
    errors: dict[int | str, dict[str, Any]] = {
        400: {"description": "Malformed request, unknown list, bad date or investor."},
        413: {"description": "The upload is larger than the server's limit."},
        415: {"description": "Not a holdings spreadsheet (extension or content)."},
        422: {"description": "The file could not be read as holdings (the reader's message)."},
    }

    @app.post(
        "/api/check",
        summary="Check holdings files",
        openapi_extra={"requestBody": _CHECK_BODY},
        responses={
            200: {"description": "The JSON contract of `portfolio-check check --json -`."},
            **errors,
        },
    )
    async def api_check(request: Request) -> Response:
        """Upload one or more holdings files; the answer is `CheckResult.to_dict()`."""
        try:
            checked = await run_upload(request, for_page=False)
        except Problem as problem:
            return _error(problem.status_code, problem.message)
        return Response(checked.json_text, media_type="application/json")

    @app.get(
        "/api/security",
        summary="Pre-trade check of one security",
        responses={
            200: {"description": "The JSON of `portfolio-check check-security ID --json -`."},
            400: errors[400],
        },
    )
    async def api_security(
        id: Annotated[str, Query(description="ISIN, ticker in any notation, or a name.")],
        as_of: Annotated[str | None, Query(description="YYYY-MM-DD; default today.")] = None,
        investor: Investor = Investor.US_PERSON,
        side: Side = Side.BUY,
        exchange: Annotated[
            str | None, Query(description="Exchange of a bare code (XHKG, HK...).")
        ] = None,
    ) -> JSONResponse:
        """May this investor buy or sell the security on the date? `SecurityCheck.to_dict()`."""
        try:
            answer = await _answer(id, exchange or "", as_of or "", investor.value, side.value)
        except Problem as problem:
            return _error(problem.status_code, problem.message)
        return JSONResponse(answer.to_dict())

    @app.get("/api/reference", summary="The reference snapshot's manifest")
    async def api_reference() -> JSONResponse:
        """Versions, sources and checksums of the lists the checks use."""
        return JSONResponse(_reference().manifest)

    @app.get("/healthz", summary="Liveness (never needs the access token)")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(PortfolioCheckError)
    async def package_error(request: Request, exc: PortfolioCheckError) -> JSONResponse:
        log.error("portfolio_check error: %s", exc)
        return _error(500, f"The server could not answer: {exc}")

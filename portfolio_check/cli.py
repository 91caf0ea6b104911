"""The command line: thin. Parses arguments, calls the API, prints, sets the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 something is; 2 bad usage or unreadable
input (one line on standard error naming the file, never a traceback).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from portfolio_check.errors import PortfolioCheckError
from portfolio_check.funds import DEFAULT_MAX_AGE_DAYS
from portfolio_check.model import FailOn, Investor, Side
from portfolio_check.outputs import strict_json, writing
from portfolio_check.reference import DEFAULT_LISTS
from portfolio_check.rules import RelatedPolicy

EXIT_OK, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(func: F) -> F:
    """Turn the package's errors (and anything unexpected) into one line and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PortfolioCheckError as exc:
            click.echo(f"portfolio-check: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug or an unforeseen input: still one clear line
            click.echo(f"portfolio-check: error: unexpected {type(exc).__name__}: {exc}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


_investor_option = click.option(
    "--investor",
    type=click.Choice([i.value for i in Investor]),
    default=Investor.US_PERSON.value,
    show_default=True,
    help="Whether the investor is a US person (bound by US investment bans).",
)
_as_of_option = click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="YYYY-MM-DD",
    help="Date to check on [default: today]; from 2020-01-01 to a year from today.",
)
_any_date_option = click.option(
    "--any-date",
    is_flag=True,
    help="Accept an as-of date outside the range the list data covers (the report says that "
    "no list data exists for it).",
)
_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice([f.value for f in FailOn]),
    default=FailOn.PROHIBITED.value,
    show_default=True,
    help="Exit 1 when a holding is at or above this level (prohibited includes BLOCKED and PENDING).",
)


def _screening_options(func: F) -> F:
    """--lists, --firm-list, --related and --decisions, shared by check and check-security."""
    func = click.option(
        "--decisions",
        multiple=True,
        type=click.Path(),  # the reader says what is wrong, in one line
        metavar="PATH",
        help="Reviewers' decisions (decisions.csv: decided_at, decided_by, isin, ticker, name, "
        "list_id, entry_id, decision = not-a-match|is-a-match, reason), honoured and shown as "
        "evidence. Repeatable.",
    )(func)
    func = click.option(
        "--related",
        type=click.Choice(list(RelatedPolicy.ALL)),
        default=RelatedPolicy.LAW,
        show_default=True,
        help="Entities related to listed ones (subsidiaries, financing vehicles): 'law' makes "
        "them REVIEW (OFAC FAQ 857); 'as-listed' applies a stricter firm policy; "
        "'+affiliates' also screens affiliates no listed group controls (China Tower).",
    )(func)
    func = click.option(
        "--firm-list",
        "firm_lists",
        multiple=True,
        type=click.Path(),  # the reader says what is wrong, in one line
        help="A firm's own restricted/watch list (.xlsx/.csv, see examples/); repeatable.",
    )(func)
    return click.option(
        "--lists",
        default=None,
        help="Comma-separated lists to apply (see 'portfolio-check reference show') "
        f"[default: {','.join(DEFAULT_LISTS)}].",
    )(func)


def _reference_options(func: F) -> F:
    """--reference, --accept-edited-reference and --max-list-age-days (check, check-security);
    the logic is in refdata / freshness / sources.store."""
    func = click.option(
        "--max-list-age-days",
        type=click.IntRange(min=0),
        default=7,
        show_default=True,
        help="Warn when a list in use was published more than this many days before today.",
    )(func)
    func = click.option(
        "--accept-edited-reference",
        is_flag=True,
        help="Load a snapshot whose files differ from its manifest (a local edit); every "
        "report then says so.",
    )(func)
    return click.option(
        "--reference",
        "reference_spec",
        default=None,
        metavar="VERSION|PATH",
        help="The snapshot to use: a version from 'reference history', 'shipped', or a "
        "snapshot folder [default: the current user snapshot, else the shipped one].",
    )(func)


def _chosen_reference(spec: str | None, accept_edited: bool) -> Any:
    """The snapshot asked for, loaded and verified; None for the default one, which the
    pipeline takes compiled (compiled.py; a cache built only from a verified load)."""
    from portfolio_check.refdata import choose_reference

    if spec is None and not accept_edited:
        return None
    return choose_reference(spec, accept_edited=accept_edited or None)


def _warn_reference(reference: Any, max_age_days: int) -> None:
    """One warning line on standard error per problem of the lists in use: out of date
    (against today), or a locally edited snapshot."""
    from portfolio_check.freshness import staleness
    from portfolio_check.pretrade import parse_as_of

    warning = staleness(reference, parse_as_of(None), max_age_days)
    if warning:
        click.echo(f"portfolio-check: warning: {warning['message']}", err=True)
    verification = reference.manifest.get("verification") or {}
    if verification.get("status") == "edited":
        click.echo(f"portfolio-check: warning: {verification['note']}", err=True)


def _split_lists(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="portfolio-check")
def main() -> None:
    """Check holdings against investment prohibition lists (US NS-CMIC and others).

    Not legal advice: confirm every finding against the official list.
    """


# Set once a pre-trade answer is written: the process may then end without tearing down
# what it loaded (see run).
_ANSWERED: list[bool] = []


def run() -> None:
    """The console script and ``python -m portfolio_check``: :func:`main`, except that a
    process that has written a pre-trade answer ends at once, its output flushed, without
    freeing the half a million objects of the loaded snapshot one by one (0.13 s of a 0.55 s
    answer). Only after ``check-security``, which leaves no file open and no helper running;
    every other command ends as Python ends it."""
    try:
        main()
    except SystemExit as done:
        if not _ANSWERED:
            raise
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe: ended as Python ends it, which reports it
            raise done from None
        os._exit(code)


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@_as_of_option
@_any_date_option
@_investor_option
@click.option("--report", type=click.Path(dir_okay=False), help="Write the Excel report here.")
@click.option(
    "--json", "json_out", metavar="OUT.json|-", help="Write the JSON result ('-' = stdout)."
)
@_fail_on_option
@click.option(
    "--fund-holdings",
    "fund_holdings",
    multiple=True,
    metavar="[TICKER,ISIN=]PATH",
    help="A fund's holdings file (an ETF issuer's download works as is) for look-through of "
    "positions in that fund; prefix the fund's identifiers if the file does not name them. "
    "Repeatable.",
)
@click.option(
    "--fund-max-age-days",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_AGE_DAYS,
    show_default=True,
    help="Look-through data older than this before the as-of date can only make REVIEW.",
)
@click.option(
    "--row-limit",
    type=click.IntRange(1, 1_048_575),
    default=None,
    metavar="N",
    help="Above N positions the report's Holdings table goes to a CSV (or Parquet, with "
    "pyarrow) file beside the workbook; the other sheets stay complete [default: 200,000].",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress display on standard error (long runs)."
)
@click.option("--verbose", "-v", is_flag=True, help="Every flagged holding with its full reason.")
@click.option(
    "--fx",
    "fx",
    default=None,
    metavar="CUR=RATE,...",
    help="FX rates for a converted total in the report, each currency's value in the first "
    "(USD=1,HKD=0.128); without them each currency is totalled apart.",
)
@click.option(
    "--compare-reference",
    "compare_reference",
    default=None,
    metavar="OLD",
    help="Also screen against the older snapshot OLD (version or folder) and report every "
    "holding whose status or findings changed (a Changes sheet, 'changes' in the JSON); the "
    "exit code follows the newer snapshot.",
)
@_reference_options
@_screening_options
@_one_line_errors
def check_command(
    files: tuple[str, ...],
    as_of: str | None,
    any_date: bool,
    investor: str,
    report: str | None,
    json_out: str | None,
    fail_on: str,
    lists: str | None,
    firm_lists: tuple[str, ...],
    related: str,
    decisions: tuple[str, ...],
    fund_holdings: tuple[str, ...],
    fund_max_age_days: int,
    row_limit: int | None,
    quiet: bool,
    verbose: bool,
    fx: str | None,
    compare_reference: str | None,
    reference_spec: str | None,
    accept_edited_reference: bool,
    max_list_age_days: int,
) -> None:
    """Check holdings FILE(s) (.xlsx, .csv)."""
    from portfolio_check.collector import collection_paused
    from portfolio_check.options import CheckOptions
    from portfolio_check.pipeline import check
    from portfolio_check.progress import ProgressDisplay
    from portfolio_check.refdata import choose_reference
    from portfolio_check.report.excel import parse_fx_rates
    from portfolio_check.rescreen import check_against_two

    try:
        fx_rates = parse_fx_rates(fx) if fx else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fx") from None

    options = CheckOptions.build(
        as_of=as_of,
        investor=investor,
        lists=_split_lists(lists),
        firm_lists=firm_lists,
        related=related,
        decisions=decisions,
        fund_holdings=fund_holdings,
        fund_max_age_days=fund_max_age_days,
        any_date=any_date,
        max_list_age_days=max_list_age_days,
    )
    reference = _chosen_reference(reference_spec, accept_edited_reference)
    run: Any = check
    if compare_reference:
        old = choose_reference(compare_reference, accept_edited=accept_edited_reference or None)
        run = functools.partial(check_against_two, old_reference=old)
    # progress on standard error for long runs, only on a terminal (never into a pipe or log);
    # one pause of the cycle collector over the check and its report (see collector.py)
    with ProgressDisplay(enabled=False if quiet else None) as progress, collection_paused():
        result = run(list(files), options=options, reference=reference, progress=progress)
        if report:
            with writing(report, "report"):
                result.write_report(
                    report, row_limit=row_limit, progress=progress, fx_rates=fx_rates
                )
    # streamed row by row: a large result's JSON is never whole in memory
    from portfolio_check.report.json_stream import write_json

    if json_out == "-":
        write_json(result, sys.stdout)
        sys.stdout.flush()
    else:
        if json_out:
            with writing(json_out, "JSON"):
                write_json(result, json_out)
        from portfolio_check import terminal

        written = _written_notes(result, report, row_limit)
        if result.changes is not None:
            changes = result.changes
            written.insert(
                0,
                f"changes since reference {changes['old_version']}: "
                f"{len(changes['changed'])} of {changes['compared']} holdings",
            )
            for number, change in enumerate(changes["changed"], start=1):
                written.insert(
                    number,
                    f"  {change['old_status']} -> {change['new_status']}  "
                    f"{change['file']}:{change['sheet']}:{change['row']}  {change['what']}",
                )
        rest = [p for p in (report, json_out) if p]
        lines = terminal.render(
            result,
            verbose=verbose,
            colour=terminal.use_colour(sys.stdout),
            rest_in=rest,
            style=click.style,
        )
        for line in [*lines[:-1], *written, lines[-1]]:  # the summary stays the last line
            click.echo(line)
    _warn_reference(result.reference, max_list_age_days)  # after the answer, on stderr
    sys.exit(EXIT_FLAGGED if result.fails(FailOn(fail_on)) else EXIT_OK)


def _written_notes(result: Any, report: str | None, row_limit: int | None) -> list[str]:
    """The lines that say where the report (and a Holdings table beside it) went."""
    if not report:
        return []
    from portfolio_check.report.excel import DEFAULT_ROW_LIMIT, beside_path
    from portfolio_check.report.flat import choose_format

    notes = [f"report written to {report}"]
    if len(result.holdings) > (row_limit or DEFAULT_ROW_LIMIT):
        table = beside_path(Path(report), choose_format("auto"))
        notes.append(f"holdings table ({len(result.holdings):,} rows) written to {table}")
    return notes


@main.command("check-security")
@click.argument("identifier")
@click.option("--exchange", default=None, help="Exchange of a bare code (XHKG, HK, XSHG, XSHE...).")
@_as_of_option
@_any_date_option
@_investor_option
@click.option(
    "--side", type=click.Choice([s.value for s in Side]), default=Side.BUY.value, show_default=True
)
@click.option(
    "--json", "json_out", metavar="OUT.json|-", help="Write the JSON answer ('-' = stdout)."
)
@_fail_on_option
@_reference_options
@_screening_options
@_one_line_errors
def check_security_command(
    identifier: str,
    exchange: str | None,
    as_of: str | None,
    any_date: bool,
    investor: str,
    side: str,
    json_out: str | None,
    fail_on: str,
    lists: str | None,
    firm_lists: tuple[str, ...],
    related: str,
    decisions: tuple[str, ...],
    reference_spec: str | None,
    accept_edited_reference: bool,
    max_list_age_days: int,
) -> None:
    """Pre-trade: may this investor buy or sell IDENTIFIER (ISIN, ticker or name) on the date?"""
    # pretrade, not pipeline: a pre-trade answer loads no pandas, readers or writers
    from portfolio_check.pretrade import check_security

    reference = _chosen_reference(reference_spec, accept_edited_reference)
    answer = check_security(
        identifier,
        reference=reference,
        max_list_age_days=max_list_age_days,
        exchange=exchange,
        as_of=as_of,
        investor=investor,
        side=side,
        lists=_split_lists(lists),
        firm_lists=firm_lists,
        related=related,
        decisions=decisions or None,
        any_date=any_date,
    )
    text = strict_json(answer.to_dict(), ensure_ascii=False, indent=2)
    if json_out == "-":
        click.echo(text)
    else:
        if json_out:
            with writing(json_out, "JSON"):
                Path(json_out).write_text(text + "\n", encoding="utf-8")
        verdict = answer.verdict
        click.echo(
            f"{answer.status.value}: {side} {identifier!r} on {answer.as_of} for a "
            f"{answer.investor.value}: {answer.headline}"
        )
        click.echo(f"  buy: {verdict.actions.buy}; sell: {verdict.actions.sell}")
        click.echo(f"  {verdict.reason}")
        for finding in answer.to_dict()["findings"]:
            link = f" ({finding['source_url']})" if finding["source_url"] else ""
            click.echo(f"  source: {finding['source']}{link}")
    _warn_reference(answer.reference, max_list_age_days)  # after the answer, on stderr
    _ANSWERED.append(True)
    sys.exit(EXIT_FLAGGED if answer.fails(FailOn(fail_on)) else EXIT_OK)


@main.command("check-dataset")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--scheduler",
    default="local",
    show_default=True,
    metavar="local|ADDRESS",
    help="'local' starts a cluster of one worker process per core on this machine; an address "
    "(tcp://host:8786) uses that Dask scheduler's workers (portfolio-check installed on each).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Workers of a local cluster [default: one per core].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for positions/ (Parquet) and findings.xlsx.",
)
@_as_of_option
@_investor_option
@_fail_on_option
@_screening_options
@_one_line_errors
def check_dataset_command(
    path: str,
    scheduler: str,
    workers: int | None,
    out: str,
    as_of: str | None,
    investor: str,
    fail_on: str,
    lists: str | None,
    firm_lists: tuple[str, ...],
    related: str,
    decisions: str | None,
) -> None:
    """Check a Parquet dataset of positions (a data lake's folder) on Dask, partition by partition."""
    try:
        from portfolio_check.dask import check_counts_line, run_on_scheduler
    except ImportError as exc:
        raise click.UsageError(
            f"check-dataset needs the dask extra: pip install 'portfolio-check[dask]' ({exc})"
        ) from None
    result, table, workbook = run_on_scheduler(
        path,
        out,
        scheduler=scheduler,
        workers=workers,
        as_of=as_of,
        investor=investor,
        lists=_split_lists(lists),
        firm_lists=firm_lists,
        related=related,
        decisions=decisions,
    )
    click.echo(check_counts_line(result))
    click.echo(
        f"positions written to {table}; findings ({len(result.findings):,} positions) to {workbook}"
    )
    sys.exit(EXIT_FLAGGED if result.fails(FailOn(fail_on)) else EXIT_OK)


@main.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; only this machine can connect unless you change it.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--max-upload-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Largest upload accepted, in megabytes [default: 50].",
)
@_one_line_errors
def serve_command(host: str, port: int, max_upload_mb: float | None) -> None:
    """Serve the upload page and the JSON API (set PORTFOLIO_CHECK_TOKEN to require a token)."""
    from portfolio_check.web import serve

    serve(host=host, port=port, max_upload_mb=max_upload_mb)


@main.group("reference")
def reference_group() -> None:
    """Build and inspect the reference snapshot."""


def _source_option(flag: str, help_text: str, *, folder: bool = False) -> Callable[[F], F]:
    """An official source file (or folder) of ``reference build``; none by default."""
    return click.option(
        flag,
        type=click.Path(file_okay=True, dir_okay=folder, exists=True),
        default=None,
        help=help_text,
    )


@reference_group.command("build")
@_source_option(
    "--ofac-consolidated",
    "OFAC's consolidated (non-SDN) list: a legacy CSV folder, a legacy or enhanced XML file.",
    folder=True,
)
@_source_option(
    "--sdn", "OFAC's SDN list: a legacy CSV folder, a legacy or enhanced XML file.", folder=True
)
@_source_option("--dod-1260h", "The DoD Section 1260H list (CSV).")
@click.option(
    "--hkex",
    type=click.Path(file_okay=True, dir_okay=False, exists=True),
    multiple=True,
    help="HKEX List of Securities (.xlsx); repeat for several dates (all are kept, dated).",
)
@_source_option("--csi", "CSI index constituents (.xls).")
@_source_option("--ah-pairs", "A/H share pairs (.csv).")
@_source_option("--un", "UN Security Council Consolidated List (XML).")
@_source_option("--csl", "US Consolidated Screening List (CSV): Entity List, MEU, SSI.")
@click.option(
    "--base",
    "base_spec",
    default=None,
    metavar="VERSION|PATH",
    help="The snapshot whose lists, masters and curated tables are kept where no file is "
    "given [default: the current user snapshot, else the shipped one].",
)
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write.")
@_one_line_errors
def reference_build(
    ofac_consolidated: str | None,
    sdn: str | None,
    dod_1260h: str | None,
    hkex: tuple[str, ...],
    csi: str | None,
    ah_pairs: str | None,
    un: str | None,
    csl: str | None,
    base_spec: str | None,
    out: str,
) -> None:
    """Build a snapshot with this project's importers from the official files given; lists,
    masters and curated tables not given come from the base snapshot."""
    from portfolio_check.refdata import default_reference_dir
    from portfolio_check.sources.reference_build import rebuild_reference
    from portfolio_check.sources.store import resolve_snapshot

    base = resolve_snapshot(base_spec) if base_spec else default_reference_dir()
    manifest = rebuild_reference(
        Path(out),
        base=base,
        ofac_consolidated=Path(ofac_consolidated) if ofac_consolidated else None,
        sdn=Path(sdn) if sdn else None,
        dod_1260h=Path(dod_1260h) if dod_1260h else None,
        hkex=[Path(p) for p in hkex],
        csi=Path(csi) if csi else None,
        ah_pairs=Path(ah_pairs) if ah_pairs else None,
        un=Path(un) if un else None,
        csl=Path(csl) if csl else None,
    )
    click.echo(f"snapshot written to {out} (version {manifest.get('version')})")


@reference_group.command("update")
@click.option(
    "--from",
    "from_dir",
    type=click.Path(exists=True),
    default=None,
    metavar="DIR|FILE",
    help="Take OFAC's files from this folder (or this one file) instead of downloading them "
    "(air-gapped desks).",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Where OFAC's files are served [default: $PORTFOLIO_CHECK_OFAC_URL, else OFAC's "
    "Sanctions List Service].",
)
@click.option("--force", is_flag=True, help="Accept a drop of more than 5% of a list's entries.")
@click.option("--dry-run", is_flag=True, help="Show what would change; do not switch.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds to wait for each answer.",
)
@click.option(
    "--retries", type=click.IntRange(1, 10), default=3, show_default=True, help="Tries per file."
)
@_one_line_errors
def reference_update(
    from_dir: str | None,
    base_url: str | None,
    force: bool,
    dry_run: bool,
    timeout: float,
    retries: int,
) -> None:
    """Fetch OFAC's current lists, verify them, and make them the current snapshot."""
    from portfolio_check.sources.update import format_update, update_reference

    result = update_reference(
        from_dir=Path(from_dir) if from_dir else None,
        url=base_url,
        force=force,
        dry_run=dry_run,
        timeout=timeout,
        retries=retries,
        log=lambda line: click.echo(line, err=True),
    )
    click.echo(format_update(result), nl=False)


@reference_group.command("history")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshots as JSON.")
@_one_line_errors
def reference_history(as_json: bool) -> None:
    """The stored snapshots: version, each list's publication date and count, when fetched."""
    from portfolio_check.sources.store import data_dir, history

    snapshots = history()
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in snapshots], ensure_ascii=False, indent=2))
        return
    if not snapshots:
        click.echo(f"no snapshot in {data_dir()}: the shipped one is in use")
        return
    for info in snapshots:
        mark = "*" if info.current else " "
        fetched = f"fetched {info.fetched_at} from {info.fetched_from}" if info.fetched_at else ""
        click.echo(f"{mark} {info.version}  generated {info.generated_at}  {fetched}".rstrip())
        for item in info.lists:
            basis = f" ({item['published_basis']})" if item.get("published_basis") else ""
            click.echo(
                f"    {item['id']}: published {item['published']}{basis}, "
                f"{item['entries']} entries of {item['source_records']} records"
            )


@reference_group.command("show")
@click.option(
    "--path",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A snapshot folder [default: the shipped one].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@_one_line_errors
def reference_show(path: str | None, as_json: bool) -> None:
    """Print the snapshot's manifest: each list's sources, hashes, counts and warnings."""
    from portfolio_check.refdata import load_reference

    reference = load_reference(Path(path) if path else None)
    manifest = reference.manifest
    if as_json:
        click.echo(json.dumps(manifest, ensure_ascii=False, indent=2))
        return
    click.echo(f"snapshot {reference.version} generated {manifest.get('generated_at')}")
    click.echo(f"  {manifest.get('generated_by', '')}")
    for listed in manifest.get("lists", []):
        click.echo(f"\n{listed.get('id')}: {listed.get('title')} (regime {listed.get('regime')})")
        counts = ", ".join(
            f"{key.replace('_', ' ')} {listed[key]}"
            for key in ("entries", "strong_aliases", "weak_aliases", "source_records", "dropped")
            if key in listed
        )
        click.echo(f"  {counts}")
        if "published" in listed:
            click.echo(f"  published: {listed['published']}")
        for source in listed.get("source_files", []):
            click.echo(
                f"  source {source.get('name')}: sha256 {source.get('sha256')}, "
                f"{source.get('records')} records"
            )
        for tranche in listed.get("tranches") or []:
            click.echo(
                f"  tranche from {tranche.get('start')}: {tranche.get('rows')} rows, "
                f"{tranche.get('entities_named')} entities named"
            )
        for ended in listed.get("end_dates") or []:
            click.echo(f"  ended {ended.get('end')}: {ended.get('rows')} rows")
        warnings = listed.get("warning_counts") or {}
        click.echo(f"  parse warnings: {sum(warnings.values()) if warnings else 0}")
        for kind, count in warnings.items():
            click.echo(f"    {count:>5}  {kind}")
    for master in manifest.get("masters", []):
        source = master.get("source_file", {})
        click.echo(
            f"\nmaster {master.get('id')}: {master.get('title')}, {master.get('rows')} rows from "
            f"{source.get('name')} (sha256 {source.get('sha256')})"
        )
    for derived in manifest.get("derived", []):
        click.echo(f"derived {derived.get('file')}: {derived.get('rows')} rows")
    click.echo(
        f"curated: {len(reference.curated_securities)} securities, "
        f"{len(reference.curated_names)} names, {len(reference.relations)} relations "
        "(curated and derived rows, each with a source)"
    )


@reference_group.command("diff")
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@_one_line_errors
def reference_diff(old: str, new: str) -> None:
    """Entries added, removed and changed between two snapshots or two sets of OFAC files."""
    from portfolio_check.sources.diff import diff_sources, format_diff

    click.echo(format_diff(diff_sources(Path(old), Path(new))))

"""The command line: thin. Parses arguments, calls the API, prints, sets the exit code.

Exit codes: 0 nothing at or above ``--fail-on``; 1 something is; 2 bad usage or unreadable
input (one line on standard error naming the file, never a traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from portfolio_check.check import holding_records
from portfolio_check.errors import PortfolioCheckError
from portfolio_check.model import FailOn, Investor, Side, Status

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
    help="Date to check on [default: today].",
)
_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice([f.value for f in FailOn]),
    default=FailOn.PROHIBITED.value,
    show_default=True,
    help="Exit 1 when a holding is at or above this level (prohibited includes BLOCKED and PENDING).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="portfolio-check")
def main() -> None:
    """Check holdings against investment prohibition lists (US NS-CMIC and others).

    Not legal advice: confirm every finding against the official list.
    """


@main.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_as_of_option
@_investor_option
@click.option("--report", type=click.Path(dir_okay=False), help="Write the Excel report here.")
@click.option(
    "--json", "json_out", metavar="OUT.json|-", help="Write the JSON result ('-' = stdout)."
)
@_fail_on_option
@_one_line_errors
def check_command(
    files: tuple[str, ...],
    as_of: str | None,
    investor: str,
    report: str | None,
    json_out: str | None,
    fail_on: str,
) -> None:
    """Check holdings FILE(s) (.xlsx, .csv)."""
    from portfolio_check.check import check

    result = check(list(files), as_of=as_of, investor=investor)
    if report:
        result.write_report(report)
    if json_out == "-":
        click.echo(result.to_json(), nl=False)
    else:
        if json_out:
            result.to_json(json_out)
        counts = result.count_by_status()
        summary = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        click.echo(
            f"{len(result.holdings)} positions, {len(result.other_rows)} other rows "
            f"as of {result.as_of} for a {result.investor.value}: {summary or 'no positions'}"
        )
        for record in holding_records(result.holdings):
            if record.verdict.status is not Status.CLEAR:
                click.echo(
                    f"  {record.verdict.status.value:<10} {record.file}:{record.sheet}:{record.row}  "
                    f"{record.verdict.reason}"
                )
        if report:
            click.echo(f"report written to {report}")
    sys.exit(EXIT_FLAGGED if result.fails(FailOn(fail_on)) else EXIT_OK)


@main.command("check-security")
@click.argument("identifier")
@click.option("--exchange", default=None, help="Exchange of a bare code (XHKG, HK, XSHG, XSHE...).")
@_as_of_option
@_investor_option
@click.option(
    "--side", type=click.Choice([s.value for s in Side]), default=Side.BUY.value, show_default=True
)
@click.option(
    "--json", "json_out", metavar="OUT.json|-", help="Write the JSON answer ('-' = stdout)."
)
@_fail_on_option
@_one_line_errors
def check_security_command(
    identifier: str,
    exchange: str | None,
    as_of: str | None,
    investor: str,
    side: str,
    json_out: str | None,
    fail_on: str,
) -> None:
    """Pre-trade: may this investor buy or sell IDENTIFIER (ISIN, ticker or name) on the date?"""
    from portfolio_check.check import check_security

    answer = check_security(
        identifier, exchange=exchange, as_of=as_of, investor=investor, side=side
    )
    text = json.dumps(answer.to_dict(), ensure_ascii=False, indent=2)
    if json_out == "-":
        click.echo(text)
    else:
        if json_out:
            Path(json_out).write_text(text + "\n", encoding="utf-8")
        verdict = answer.verdict
        click.echo(
            f"{answer.status.value}: {side} {identifier!r} on {answer.as_of} for a "
            f"{answer.investor.value}: {'allowed' if answer.allowed else 'NOT allowed'}"
        )
        click.echo(f"  buy: {verdict.actions.buy}; sell: {verdict.actions.sell}")
        click.echo(f"  {verdict.reason}")
    sys.exit(EXIT_FLAGGED if answer.fails(FailOn(fail_on)) else EXIT_OK)


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


@reference_group.command("build")
@click.option(
    "--ofac-consolidated",
    type=click.Path(file_okay=False, exists=True),
    default="../shared/data/ofac/consolidated_2025-12",
    show_default=True,
    help="Folder with OFAC's consolidated legacy CSV set (cons_prim.csv ...).",
)
@click.option("--out", type=click.Path(file_okay=False), default="reference", show_default=True)
@_one_line_errors
def reference_build(ofac_consolidated: str, out: str) -> None:
    """Regenerate the snapshot from the official files with this project's importers."""
    from portfolio_check.sources.snapshot import build_snapshot

    manifest = build_snapshot(Path(ofac_consolidated), Path(out))
    click.echo(f"snapshot written to {out} (version {getattr(manifest, 'version', manifest)})")


@reference_group.command("show")
@click.option(
    "--path",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A snapshot folder [default: the shipped one].",
)
@_one_line_errors
def reference_show(path: str | None) -> None:
    """Print the snapshot's manifest."""
    from portfolio_check.refdata import load_reference

    reference = load_reference(Path(path) if path else None)
    click.echo(json.dumps(reference.manifest, ensure_ascii=False, indent=2))

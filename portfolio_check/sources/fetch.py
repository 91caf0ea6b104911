"""Downloading OFAC's files from its Sanctions List Service (I/O edge).

OFAC serves each file under ``<base>/<FILE NAME>``; the answer is a redirect to a short-lived
signed storage address, which is followed. Requests carry a ``User-Agent`` (requests without
one have been seen refused). Each download has a timeout and is retried a bounded number of
times with exponential backoff on what may pass (a 5xx answer, a timeout, a dropped or short
transfer); a 404 is an answer (the file is not published there) and is not retried.

The base URL is ``--base-url``, else ``PORTFOLIO_CHECK_OFAC_URL``, else OFAC's own.
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portfolio_check.errors import PortfolioCheckError

__all__ = [
    "BASE_URL_ENV",
    "OFAC_BASE_URL",
    "FetchError",
    "Fetcher",
    "NotPublished",
    "base_url",
]

OFAC_BASE_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
BASE_URL_ENV = "PORTFOLIO_CHECK_OFAC_URL"
MAX_BYTES = 512 * 1024 * 1024
"""Larger than any OFAC file (SDN advanced XML is about 127 MB): a bound, not an expectation."""
CHUNK = 1024 * 1024


class FetchError(PortfolioCheckError):
    """A file could not be downloaded after the retries (one line: the URL and why)."""


class NotPublished(FetchError):
    """The server answered 404: no such file there."""


def base_url(explicit: str | None = None) -> str:
    """The base URL to fetch from, always ending in ``/``."""
    url = (explicit or os.environ.get(BASE_URL_ENV, "") or OFAC_BASE_URL).strip()
    return url if url.endswith("/") else url + "/"


def _user_agent() -> str:
    from portfolio_check import __version__

    return f"portfolio-check/{__version__} (sanctions list update; Python urllib)"


@dataclass
class Fetcher:
    """Downloads files from one base URL with a timeout, retries and backoff."""

    base: str
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 2.0
    log: Callable[[str], None] = lambda line: None
    sleep: Callable[[float], None] = time.sleep

    def url(self, name: str) -> str:
        return base_url(self.base) + name

    def fetch(self, name: str, target: Path) -> Path:
        """Download ``name`` into ``target``; ``NotPublished`` on a 404, ``FetchError`` when
        every try failed."""
        url = self.url(name)
        last = ""
        for attempt in range(1, self.retries + 1):
            try:
                self._download(url, target)
                return target
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    raise NotPublished(f"{url}: not found (HTTP 404)") from None
                last = f"HTTP {exc.code} {exc.reason}"
                if exc.code < 500 and exc.code not in (408, 429):
                    break  # a client error will not pass by itself
            except TimeoutError:
                last = f"no answer within {self.timeout:g} s"
            except (http.client.IncompleteRead, _Short) as exc:
                last = f"transfer cut short ({exc})"
            except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"connection failed ({reason})"
            target.unlink(missing_ok=True)
            if attempt < self.retries:
                pause = self.backoff * 2 ** (attempt - 1)
                self.log(f"  {name}: {last}; retrying in {pause:g} s ({attempt}/{self.retries})")
                self.sleep(pause)
        raise FetchError(f"{url}: {last} (after {self.retries} tries)")

    def _download(self, url: str, target: Path) -> None:
        request = urllib.request.Request(url, headers={"User-Agent": _user_agent()})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            expected = response.headers.get("Content-Length")
            received = 0
            with target.open("wb") as handle:
                while chunk := response.read(CHUNK):
                    received += len(chunk)
                    if received > MAX_BYTES:
                        raise FetchError(f"{url}: larger than {MAX_BYTES // 2**20} MB; refused")
                    handle.write(chunk)
        if expected is not None and expected.isdigit() and int(expected) != received:
            raise _Short(f"{received:,} of {int(expected):,} bytes")


class _Short(Exception):
    """Fewer bytes than the server announced."""

"""Login sessions, the browser's own id, same-origin checks and per-client upload slots (issue 13).

- A login makes a **session**: a random id (never derived from the access token), kept in
  memory with an expiry, ended at logout. The cookie holding it is HttpOnly,
  SameSite=Strict, and Secure when the page was served over TLS; a restart ends every
  session.
- Every browser also gets a random **client id** cookie the first time it is seen; a
  download link is bound to the session (or, without an access token, the client id) that
  made it, so a link copied to another browser does not work.
- A **state-changing request** (POST, PUT, PATCH, DELETE) from a browser must come from this
  server's own pages: ``Sec-Fetch-Site`` must be ``same-origin`` or ``none`` and ``Origin``,
  when sent, must be this server. Programs (curl, the API) send neither and are not
  browsers a third-party page could drive.
- **Uploads per client**: at most a few at once per client address, so one client cannot hold
  every check slot and connection.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

SESSION_COOKIE_BYTES = 32
# A session lasts a working day; logging in again makes a new one.
SESSION_TTL_SECONDS = 8 * 60 * 60
CLIENT_COOKIE = "portfolio_check_client"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_SITE_VALUES = frozenset({"same-origin", "none"})


class SessionStore:
    """Random session ids with an expiry, in memory, thread-safe."""

    def __init__(
        self, ttl: float = SESSION_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()

    def create(self) -> str:
        session = secrets.token_urlsafe(SESSION_COOKIE_BYTES)
        with self._lock:
            self._drop_expired()
            self._expires[session] = self._clock() + self.ttl
        return session

    def valid(self, session: str) -> bool:
        if not session:
            return False
        with self._lock:
            expires = self._expires.get(session)
            if expires is None:
                return False
            if expires <= self._clock():
                del self._expires[session]
                return False
            return True

    def end(self, session: str) -> None:
        with self._lock:
            self._expires.pop(session, None)

    def __len__(self) -> int:
        with self._lock:
            self._drop_expired()
            return len(self._expires)

    def _drop_expired(self) -> None:
        now = self._clock()
        for session in [s for s, t in self._expires.items() if t <= now]:
            del self._expires[session]


def new_client_id() -> str:
    return secrets.token_urlsafe(SESSION_COOKIE_BYTES)


def cross_site(method: str, headers: dict[str, str], host: str) -> str | None:
    """Why a state-changing request is refused as cross-site, or None when it may go on.

    ``headers`` are the request's (lower-case names); ``host`` its Host header.
    """
    if method.upper() not in STATE_CHANGING:
        return None
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site and fetch_site not in SAME_SITE_VALUES:
        return f"the request came from another site (Sec-Fetch-Site: {fetch_site})"
    origin = headers.get("origin", "").strip()
    if origin and origin != "null":
        origin_host = urlsplit(origin).netloc.lower()
        if origin_host != host.strip().lower():
            return f"the request came from another origin ({origin})"
    elif origin == "null" and fetch_site != "same-origin":
        # Browsers send "Origin: null" for a form posted from a page served with
        # "Referrer-Policy: no-referrer" (as these pages are); such a post is the page's own
        # only when the browser also says Sec-Fetch-Site: same-origin, which a page of
        # another site cannot make it say.
        return "the request came from an opaque origin (Origin: null)"
    return None


class ClientSlots:
    """At most ``limit`` uploads in progress per client address."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._busy: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> bool:
        with self._lock:
            busy = self._busy.get(client, 0)
            if busy >= self.limit:
                return False
            self._busy[client] = busy + 1
            return True

    def give_back(self, client: str) -> None:
        with self._lock:
            busy = self._busy.get(client, 0) - 1
            if busy <= 0:
                self._busy.pop(client, None)
            else:
                self._busy[client] = busy

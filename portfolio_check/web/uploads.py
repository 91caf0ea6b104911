"""Receiving uploads: a streaming multipart parser that writes into a private folder.

Why not the framework's form parsing: it spools files to the system temporary directory and
only lets us look at them once the whole body has arrived. Here the body is read chunk by
chunk, its size is counted as it arrives (a clear 413 the moment it passes the limit), each
file's extension is checked as soon as its part headers arrive and its first bytes when it ends,
and file data goes straight into the caller's private folder under a name made from its
position (``upload-1.xlsx``). The uploaded file name is kept only as text for display.
"""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal

import anyio
import anyio.to_thread
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from portfolio_check.holdings.readers import sniff_kind

# Extensions accepted at the door, with the kind of content their first bytes must show
# (see ``sniff_kind``). The reader decides what it can read beyond that: an .xls or .ods file
# it does not support yet gets its InputFileError message, shown as a 422.
ACCEPTED_TYPES: dict[str, str] = {
    ".xlsx": "zip",
    ".xlsm": "zip",
    ".ods": "zip",
    ".xls": "ole",
    ".csv": "text",
}
_KIND_TEXT = {
    "zip": "a zip package (an .xlsx, .xlsm or .ods workbook)",
    "ole": "a legacy Office file (.xls)",
    "binary": "binary data",
    "text": "plain text",
}
# Bytes of a file kept to check what it is (sniff_kind reads at most this much).
HEAD_BYTES = 4096
# Form fields other than files are short (a date, an investor type, list ids).
MAX_FIELD_BYTES = 16 * 1024
MAX_FIELDS = 64
# Displayed file names are cut to this many characters.
MAX_NAME_CHARS = 200
# Field names under which files are taken (the page and the API use "files").
FILE_FIELDS = frozenset({"files", "file"})


class UploadRejected(Exception):
    """The upload cannot be taken; ``status_code`` and a message a person can act on."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class UploadedFile:
    """One received file: its name as uploaded (display only) and where it was written."""

    display_name: str
    path: Path
    size: int


@dataclass
class UploadForm:
    """A parsed upload: the files in order and the other fields (repeatable) as text."""

    files: list[UploadedFile]
    fields: dict[str, list[str]]

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))


def megabytes(size: int) -> str:
    """A byte count for a message: '12.3 MB'."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


def too_large(size: int | None, limit: int) -> UploadRejected:
    """The 413 answer: how large the upload is (when the request said), and the limit."""
    said = f"The upload is {megabytes(size)}" if size is not None else "The upload is too large"
    return UploadRejected(
        413,
        f"{said}; the limit is {megabytes(limit)}. Split the holdings into smaller files, or ask "
        "whoever runs this server to raise the limit (portfolio-check serve --max-upload-mb).",
    )


def display_name(raw: str, position: int) -> str:
    """The uploaded file name as safe text: last path segment, printable, cut to a length."""
    last = raw.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in last if ch.isprintable()).strip()
    return clean[:MAX_NAME_CHARS] or f"upload-{position}"


def extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _unique(name: str, taken: set[str]) -> str:
    """'holdings.xlsx' again becomes 'holdings (2).xlsx', so rows stay told apart."""
    if name not in taken:
        return name
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    number = 2
    while f"{stem} ({number}){suffix}" in taken:
        number += 1
    return f"{stem} ({number}){suffix}"


@dataclass
class _Part:
    field_name: str = ""
    disposition: bytes = b""
    kind: Literal["field", "file", "skip"] = "field"
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)
    head: bytearray = field(default_factory=bytearray)
    size: int = 0
    path: Path | None = None
    handle: BinaryIO | None = None


class _Receiver:
    """python-multipart callbacks writing file parts into ``folder``; fields kept in memory."""

    def __init__(self, folder: Path, max_files: int, charset: str) -> None:
        self.folder = folder
        self.max_files = max_files
        self.charset = charset
        self.files: list[UploadedFile] = []
        self.fields: dict[str, list[str]] = {}
        self.field_count = 0
        self.part = _Part()
        self.header_name = b""
        self.header_value = b""
        self.pending: list[tuple[BinaryIO, bytes]] = []
        self.handles: list[BinaryIO] = []
        self.taken: set[str] = set()

    def _decode(self, raw: bytes) -> str:
        return raw.decode(self.charset, errors="replace")

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.part.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self.part.disposition)
        if b"name" not in options:
            raise UploadRejected(400, "A part of the upload has no field name.")
        self.part.field_name = self._decode(options[b"name"])
        if b"filename" not in options:
            self.field_count += 1
            if self.field_count > MAX_FIELDS:
                raise UploadRejected(400, f"The form has more than {MAX_FIELDS} fields.")
            return
        if self.part.field_name not in FILE_FIELDS:
            raise UploadRejected(
                400, f"Unexpected file field {self.part.field_name!r}: send files as 'files'."
            )
        raw_name = self._decode(options[b"filename"])
        if not raw_name:
            # A file input left empty: the browser sends a part with no name and no data.
            self.part.kind = "skip"
            return
        if len(self.files) >= self.max_files:
            raise UploadRejected(
                400, f"Too many files: at most {self.max_files} can be checked at once."
            )
        position = len(self.files) + 1
        name = _unique(display_name(raw_name, position), self.taken)
        suffix = extension(name)
        if suffix not in ACCEPTED_TYPES:
            accepted = ", ".join(sorted(ACCEPTED_TYPES))
            raise UploadRejected(
                415,
                f"{name}: files of type {suffix or '(no extension)'!r} are not accepted; "
                f"upload a holdings spreadsheet ({accepted}).",
            )
        self.taken.add(name)
        self.part.kind = "file"
        self.part.filename = name
        # The path is made here from the position and the checked extension only.
        self.part.path = self.folder / f"upload-{position}{suffix}"
        handle = self.part.path.open("xb")
        self.handles.append(handle)
        self.part.handle = handle

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        part = self.part
        if part.kind == "skip":
            return
        if part.kind == "field" or part.handle is None:
            if len(part.data) + len(chunk) > MAX_FIELD_BYTES:
                raise UploadRejected(400, f"The form field {part.field_name!r} is too long.")
            part.data.extend(chunk)
            return
        if len(part.head) < HEAD_BYTES:
            part.head.extend(chunk[: HEAD_BYTES - len(part.head)])
        part.size += len(chunk)
        self.pending.append((part.handle, chunk))

    def on_part_end(self) -> None:
        part = self.part
        if part.kind == "field":
            self.fields.setdefault(part.field_name, []).append(self._decode(bytes(part.data)))
            return
        if part.kind == "skip" or part.path is None or part.filename is None:
            return
        name = part.filename
        if part.size == 0:
            raise UploadRejected(422, f"{name}: the file is empty.")
        expected = ACCEPTED_TYPES[extension(name)]
        found = sniff_kind(bytes(part.head))
        if found != expected:
            raise UploadRejected(
                415,
                f"{name}: the name says {extension(name)} but the content is {_KIND_TEXT[found]}; "
                "upload the spreadsheet as exported, without renaming it.",
            )
        self.files.append(UploadedFile(name, part.path, part.size))

    def write_pending(self) -> None:
        """Write the file data received so far (run in a worker thread)."""
        for handle, chunk in self.pending:
            handle.write(chunk)
        self.pending.clear()

    def close(self) -> None:
        for handle in self.handles:
            handle.close()


async def _timed(chunks: AsyncIterator[bytes], timeout: float | None) -> AsyncIterator[bytes]:
    """``chunks``, each awaited at most ``timeout`` seconds: a client that stops sending in the
    middle of an upload (a slow-loris) gets a 408 and its connection and folder go."""
    iterator = chunks.__aiter__()
    while True:
        try:
            with anyio.fail_after(timeout):
                chunk = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise UploadRejected(
                408, f"The upload stalled: no data arrived for {timeout:g} seconds."
            ) from None
        yield chunk


async def receive_upload(
    request: Request,
    folder: Path,
    *,
    max_bytes: int,
    max_files: int,
    body_timeout: float | None = None,
) -> UploadForm:
    """Parse a multipart/form-data request, writing its files into ``folder``.

    Raises :class:`UploadRejected` (400 malformed, 408 no body data for ``body_timeout``
    seconds, 413 too large, 415 wrong type, 422 empty).
    The caller owns ``folder`` and removes it, whatever happens.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large(int(declared), max_bytes)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UploadRejected(
            400, "Send the holdings as multipart/form-data with one or more 'files' parts."
        )
    charset = params.get(b"charset", b"utf-8").decode("latin-1")
    try:
        charset = codecs.lookup(charset).name
    except LookupError:
        charset = "utf-8"
    receiver = _Receiver(folder, max_files, charset)
    callbacks: dict[str, Callable[..., None]] = {
        "on_part_begin": receiver.on_part_begin,
        "on_part_data": receiver.on_part_data,
        "on_part_end": receiver.on_part_end,
        "on_header_field": receiver.on_header_field,
        "on_header_value": receiver.on_header_value,
        "on_header_end": receiver.on_header_end,
        "on_headers_finished": receiver.on_headers_finished,
    }
    received = 0
    try:
        parser = MultipartParser(params[b"boundary"], callbacks)  # type: ignore[arg-type]
        async for chunk in _timed(request.stream(), body_timeout):
            received += len(chunk)
            if received > max_bytes:
                raise too_large(None, max_bytes)
            parser.write(chunk)
            if receiver.pending:
                await anyio.to_thread.run_sync(receiver.write_pending)
        parser.finalize()
    except FormParserError:
        raise UploadRejected(400, "The upload is not valid multipart/form-data.") from None
    finally:
        receiver.close()
    if not receiver.files:
        raise UploadRejected(400, "No file was uploaded: choose one or more holdings files.")
    return UploadForm(receiver.files, receiver.fields)

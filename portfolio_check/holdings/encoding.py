"""Decoding CSV bytes into text: one decision per file, every undecodable byte reported.

Custodians export CSV in UTF-8 (with or without a BOM), UTF-16 (Excel's "Unicode text", often
without a BOM), GB18030, Big5 / Big5-HKSCS, Shift-JIS, EUC-KR or cp1252. The file's encoding is
decided once, in this order:

1. a byte order mark says it;
2. NUL bytes at every other position say UTF-16 LE or BE;
3. UTF-8 when the file decodes as UTF-8, or when its valid multi-byte characters far
   outnumber the bytes that are not UTF-8 (a stray byte in a Chinese UTF-8 export): those bytes
   become U+FFFD and each is reported with its line, instead of switching the whole file to a
   single-byte code page that turns every Chinese name into garbage;
4. otherwise charset-normalizer, limited to the encodings above, picks the most coherent; a
   result it finds messy (mojibake) or none at all is an error naming the file.
"""

from __future__ import annotations

import codecs
import dataclasses
import threading
from dataclasses import dataclass

from portfolio_check.errors import InputFileError

# The encodings custodians and administrators export CSV in, besides UTF-8 and UTF-16: mainland
# (GB18030), Hong Kong and Taiwan (Big5-HKSCS, cp950), Japan (cp932 / Shift-JIS), Korea
# (cp949 / EUC-KR), and Western Europe (cp1252).
DETECTED_ENCODINGS = (
    "gb18030",
    "big5hkscs",
    "cp950",
    "cp932",
    "shift_jis",
    "cp949",
    "euc_kr",
    "cp1252",
)
# A file read as UTF-8 despite bytes that are not UTF-8 needs this many valid multi-byte
# characters per bad sequence (a cp1252 file has no valid multi-byte characters at all).
UTF8_GOOD_PER_BAD = 4
# Beyond this many undecodable sequences a file is not in the encoding it was read in.
MAX_BAD_SEQUENCES = 200
# charset-normalizer's "chaos" (share of odd characters) above which its pick is mojibake.
MAX_CHAOS = 0.2
# Bytes looked at to recognise UTF-16 without a byte order mark.
UTF16_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class BadBytes:
    """Bytes that do not decode: the line they are on and the bytes themselves."""

    line: int
    data: bytes


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bad: tuple[BadBytes, ...] = ()
    # the text as UTF-8 when the file's own bytes are that (no BOM, nothing replaced): a
    # parser of UTF-8 bytes takes them as they are instead of encoding the text again
    utf8: bytes | None = None


def utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when NULs fill every other byte of ``head``, else None."""
    sample = head[: UTF16_SNIFF_BYTES - UTF16_SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    half = len(sample) // 2
    # ASCII in UTF-16 has a NUL in every character's high byte; CJK text has none, so a
    # tenth of the characters suffices (the CSV's delimiters, digits and line ends)
    enough, stray = max(2, half // 10), half // 50
    if odd_nuls >= enough and even_nuls <= stray:
        return "utf-16-le"
    if even_nuls >= enough and odd_nuls <= stray:
        return "utf-16-be"
    return None


def decode_csv(data: bytes, label: str) -> Decoded:
    """Decode a CSV file's bytes (see the module's order); raises :class:`InputFileError`."""
    if data.startswith(codecs.BOM_UTF8):
        body = data[3:]  # sliced once: a slice of bytes is a copy
        decoded = _checked(_decode_reporting(body, "utf-8"), label, "utf-8-sig")
        return decoded if decoded.bad else dataclasses.replace(decoded, utf8=body)
    if data.startswith(codecs.BOM_UTF16_LE):
        return _checked(_decode_reporting(data[2:], "utf-16-le"), label, "utf-16")
    if data.startswith(codecs.BOM_UTF16_BE):
        return _checked(_decode_reporting(data[2:], "utf-16-be"), label, "utf-16")
    wide = utf16_without_bom(data[:UTF16_SNIFF_BYTES])
    if wide:
        return _checked(_decode_reporting(data, wide), label, wide)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", utf8=data)
    except UnicodeDecodeError:
        pass
    as_utf8 = _decode_reporting(data, "utf-8")
    ascii_chars = len(as_utf8.text.encode("ascii", "ignore"))
    good = len(as_utf8.text) - ascii_chars - as_utf8.text.count("\ufffd")
    if good >= UTF8_GOOD_PER_BAD * len(as_utf8.bad):
        return _checked(as_utf8, label, "utf-8")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(DETECTED_ENCODINGS)).best()
    if best is None or not best.encoding:
        raise InputFileError(
            label,
            "cannot tell the text's encoding (not UTF-8, UTF-16, GB18030, Big5, Shift-JIS, "
            "EUC-KR or cp1252); save it as UTF-8 CSV",
        )
    if best.chaos > MAX_CHAOS:
        raise InputFileError(
            label,
            f"the text does not decode cleanly in any known encoding (the best guess, "
            f"{best.encoding}, gives {best.chaos:.0%} garbled characters); save it as UTF-8 CSV",
        )
    return _checked(_decode_reporting(data, best.encoding), label, best.encoding)


def _checked(decoded: Decoded, label: str, name: str) -> Decoded:
    if len(decoded.bad) > MAX_BAD_SEQUENCES:
        first = decoded.bad[0]
        raise InputFileError(
            label,
            f"{len(decoded.bad):,} byte sequences are not valid {name} (the first on line "
            f"{first.line}: {first.data.hex(' ')}); the file is damaged or in another encoding",
        )
    return Decoded(decoded.text, name, decoded.bad)


class _Noted(threading.local):
    spans: list[tuple[int, int]] | None = None


_noted = _Noted()
_NOTE = "portfolio-check-note"


def _note(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler: U+FFFD for the bad bytes, their span noted for this thread."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    if _noted.spans is not None:
        _noted.spans.append((error.start, error.end))
    return "\ufffd", error.end


codecs.register_error(_NOTE, _note)


def _decode_reporting(data: bytes, encoding: str) -> Decoded:
    """Decode with U+FFFD for each undecodable sequence, noting where each one was."""
    spans: list[tuple[int, int]] = []
    _noted.spans = spans
    try:
        text = data.decode(encoding, errors=_NOTE)
    finally:
        _noted.spans = None
    wide = encoding.startswith("utf-16")
    bad: list[BadBytes] = []
    line, last = 1, 0
    for start, end in spans[: MAX_BAD_SEQUENCES + 1]:
        segment = data[last:start]
        if wide:
            segment = segment[: len(segment) - len(segment) % 2]
            line += segment.decode(encoding, errors="replace").count("\n")
        else:
            line += segment.count(b"\n")
        last = start
        bad.append(BadBytes(line, data[start:end]))
    bad.extend(BadBytes(line, b"") for _ in spans[MAX_BAD_SEQUENCES + 1 :])
    return Decoded(text, encoding, tuple(bad))

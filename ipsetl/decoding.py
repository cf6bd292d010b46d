"""Turn an export's bytes into text: Webropol writes UTF-8 (with or without BOM), Excel re-saves
as Windows-1252, and a "Unicode text" save gives UTF-16. Order: BOM → UTF-16 shape → UTF-8 →
cp1252 (webropol-exports.md §3.2)."""

from __future__ import annotations

import codecs
import re


class UnreadableFile(ValueError):
    """The bytes are not text in any encoding an export can have; the message says why, in Finnish."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


# An undecodable byte is kept as the lone surrogate U+DC80 + byte (Python's "surrogateescape"):
# no decoded text can hold one, so the mapping finds exactly the cells that had such bytes and
# refuses their rows (`encoding`) instead of storing a value other than the one typed.
UNDECODABLE = re.compile("[\udc80-\udcff]")


def undecodable_bytes(text: str) -> list[int]:
    """The bytes an undecodable cell held (decode_bytes kept them as lone surrogates)."""
    return [ord(ch) - 0xDC00 for ch in UNDECODABLE.findall(text)]


# What is never shown as it is: C0 controls but tab and line feed, DEL, C1 controls, direction
# marks, overrides and isolates, line/paragraph separators, the BOM, and kept undecodable bytes.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\udc80-\udcff]")


def _escape(m: re.Match) -> str:
    ch = m[0]
    if "\udc80" <= ch <= "\udcff":
        return f"\\x{ord(ch) - 0xDC00:02X}"
    return f"\\x{ord(ch):02X}" if ord(ch) < 0x100 else f"\\u{ord(ch):04X}"


def printable(text: str) -> str:
    """Text that can be stored and shown anywhere (DuckDB, a terminal, a report): a kept undecodable
    byte as `\\xNN`, a control or direction character as `\\xNN` / `\\uNNNN`."""
    return UNSAFE.sub(_escape, text)


def _is_binary(text: str) -> bool:
    """Control characters other than tab and line breaks do not occur in a survey export."""
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    bad += len(UNDECODABLE.findall(sample))
    return "\x00" in sample or bad > max(2, len(sample) // 200)


MOJIBAKE = ("Ã¤", "Ã¶", "Ã¥", "Ã„", "Ã–", "Ã©", "â€")


def decode_bytes(data: bytes) -> tuple[str, str, str | None]:
    """Return (text, encoding name, warning or None). Raises UnreadableFile for binary garbage.

    A UTF-8 file with a few stray bytes (one cell pasted from an old document) is read as UTF-8
    with those bytes kept as lone surrogates (UNDECODABLE), rather than garbling every ä of the
    file by reading it all as cp1252: the rows whose cells hold them are refused, each with a
    finding on its column, and the file's other rows load. The warning says how many there are.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif enc := (None if data.startswith(codecs.BOM_UTF8) else _looks_utf16(data)):
        candidates = [enc]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "cp1252"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _is_binary(text):
            break
        if enc == "cp1252" and any(m in text for m in MOJIBAKE):
            break  # really UTF-8 with a few bad bytes: handled below
        return text, enc, None
    utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    text, enc = data.decode(utf8, errors="surrogateescape"), utf8
    bad = len(UNDECODABLE.findall(text))
    if bad and utf8 == "utf-8":
        # A Windows-1252 file with a byte that is not even that (0x81, 0x8D, 0x8F, 0x90, 0x9D): read as
        # such, or every ä of the file would count as a bad byte of UTF-8 and the file be refused.
        legacy = data.decode("cp1252", errors="surrogateescape")
        legacy_bad = len(UNDECODABLE.findall(legacy))
        if legacy_bad < bad and not any(m in legacy for m in MOJIBAKE):
            text, enc, bad = legacy, "cp1252", legacy_bad
    if not _is_binary(UNDECODABLE.sub("", text)) and bad <= max(3, len(text) // 1000):
        return (
            text,
            enc,
            (
                f"Tiedostossa on {bad} tavua, jotka eivät ole UTF-8- eivätkä Windows-1252-merkkejä; vastaukset, "
                "joissa niitä on, hylättiin (katso rivikohtaiset löydökset)."
            ),
        )
    raise UnreadableFile(
        "unreadable",
        "Tiedosto ei ole tekstiä millään tuetulla merkistöllä (UTF-8, UTF-16, Windows-1252) "
        "eikä Excel-tiedosto; se näyttää binääriseltä tai vioittuneelta.",
    )

"""Turn an export's bytes into text: Webropol writes UTF-8 (with or without BOM), Excel re-saves
as Windows-1252, and a "Unicode text" save gives UTF-16. Order: BOM → UTF-16 shape → UTF-8 →
cp1252 (webropol-exports.md §3.2)."""

from __future__ import annotations

import codecs


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


def _is_binary(text: str) -> bool:
    """Control characters other than tab and line breaks do not occur in a survey export."""
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    return "\x00" in sample or bad > max(2, len(sample) // 200)


MOJIBAKE = ("Ã¤", "Ã¶", "Ã¥", "Ã„", "Ã–", "Ã©", "â€")


def decode_bytes(data: bytes) -> tuple[str, str, str | None]:
    """Return (text, encoding name, warning or None). Raises UnreadableFile for binary garbage.

    A UTF-8 file with a few stray Windows-1252 bytes (one cell pasted from an old document) is
    read as UTF-8 with those bytes replaced and a warning, rather than garbling every ä of the
    file by reading it all as cp1252.
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
    text = data.decode(utf8, errors="replace")
    bad = text.count("\ufffd")
    if not _is_binary(text.replace("\ufffd", "")) and bad <= max(3, len(text) // 1000):
        return (
            text,
            utf8,
            (
                f"Tiedostossa on {bad} merkkiä, jotka eivät ole UTF-8-merkistöä; ne näkyvät merkkinä � "
                "(tarkista avoimet vastaukset)."
            ),
        )
    raise UnreadableFile(
        "unreadable",
        "Tiedosto ei ole tekstiä millään tuetulla merkistöllä (UTF-8, UTF-16, Windows-1252) "
        "eikä Excel-tiedosto; se näyttää binääriseltä tai vioittuneelta.",
    )

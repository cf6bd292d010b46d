"""What is in the inbox, looked at with `lstat` before anything is opened.

Every entry is accounted for: a regular file (or a link to one inside the inbox) is read; any
other entry — a folder named like an export, an empty folder, a dangling link, a link out of the
inbox, a FIFO, a socket, a device — becomes a file-level `not_a_file` finding under its own
name, and is never opened for reading (a FIFO's blocking `open()` would hang the run for ever).
Sub-folders with files in them are read through, as before (MAX_DEPTH levels). Hidden files are
not read: those named like an export (`.x.csv`) are `not_a_file` too, the rest (`.DS_Store`) and
Excel's lock files (`~$…`, there while a file is open in Excel) are passed over.

Names are shown escaped: a byte that is not UTF-8, a control character or a direction override in
a file name would otherwise reach the terminal, the warehouse and the reports as it is.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ipsetl.decoding import printable

SKIPPED_PREFIXES = (".", "~$")  # hidden files, Excel's lock files
EXPORT_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".txt", ".tsv")
HEAD_BYTES = 1 << 20  # a file over the size limit is known by its first MiB and its size
_CHUNK = 1 << 20

READABLE = ("file", "symlink")
MAX_DEPTH = 16  # sub-folder levels read through


class NotARegularFile(OSError):
    """The path is no longer (or never was) a regular file when it is opened."""


def display_name(rel: str) -> str:
    """The entry's name as stored and shown: NFC, and every unsafe character escaped (printable)."""
    return printable(unicodedata.normalize("NFC", rel)).replace("\n", "\\x0A").replace("\t", "\\x09")


@dataclass(frozen=True)
class Entry:
    name: str  # display_name of the path relative to the inbox (the registry's file_name)
    path: Path  # in the inbox, as found
    kind: str  # file / symlink / directory / dangling / outside / symlink_dir / fifo / socket / device / other
    target: Path | None = None  # what is read: the file itself, or a link's target inside the inbox
    size: int = 0
    mtime_ns: int = 0

    @property
    def readable(self) -> bool:
        return self.kind in READABLE

    def key(self, max_bytes: int) -> str:
        """The registry's sha256: of the contents (of the first MiB and the size, over the limit);
        for an entry that is not read, of what it is, so that it is reported once, not every run."""
        if not self.readable:
            return hashlib.sha256(f"ipsetl-entry:{self.kind}:{self.name}".encode()).hexdigest()
        try:
            fd = open_regular(self.target or self.path)
        except OSError:
            if not os.path.lexists(self.path):
                raise  # gone since the scan: the next run sees what is there
            # there but not to be opened (permissions, swapped for a FIFO): registered as it is now,
            # so the reading worker's refusal ("ei voitu avata") is said once, not every run
            return hashlib.sha256(f"ipsetl-unopened:{self.name}:{self.size}:{self.mtime_ns}".encode()).hexdigest()
        with os.fdopen(fd, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return hashlib.sha256(fh.read(HEAD_BYTES) + f"|size={size}".encode()).hexdigest()
            digest = hashlib.sha256()
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
            return digest.hexdigest()

    def refusal(self) -> str:
        """The Finnish message of an entry that is not read."""
        what = {
            "directory": "kansio, ei tiedosto",
            "dangling": "linkki, jonka kohdetta ei ole",
            "outside": "linkki saapuneet-kansion ulkopuolelle",
            "symlink_dir": "linkki kansioon",
            "fifo": "nimetty putki (FIFO), ei tiedosto",
            "socket": "pistoke (socket), ei tiedosto",
            "device": "laitetiedosto, ei tavallinen tiedosto",
            "hidden": "piilotiedosto (nimi alkaa pisteellä)",
            "deep": f"kansio yli {MAX_DEPTH} kansiotason syvyydellä",
        }.get(self.kind, "ei tavallinen tiedosto")
        if self.kind == "hidden":
            return (
                f"Saapuneissa oleva '{self.name}' on {what}; sitä ei luettu. Jos se on vienti, nimeä se uudelleen "
                "ilman alkupistettä."
            )
        return (
            f"Saapuneissa oleva '{self.name}' on {what}; sitä ei avattu eikä luettu. Saapuneisiin kuuluvat "
            "Webropolin CSV- ja Excel-viennit tavallisina tiedostoina: siirrä tai kopioi vienti itse kansioon."
        )


def open_regular(path: Path) -> int:
    """A read-only descriptor of `path`, which must be a regular file: never follows a final link,
    never blocks (a FIFO swapped in after the scan is refused, not waited on)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(f"not a regular file: {path}")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: Path, max_bytes: int) -> tuple[bytes, int]:
    """(contents, size) of a regular file; over `max_bytes` only the first MiB is read (the size
    tells the caller to refuse it), so a huge file costs no memory."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            return fh.read(HEAD_BYTES), size
        data = fh.read(max_bytes + 1)  # a file that grew since fstat is read up to the bound only
        return data, max(size, len(data))


def _classify(path: Path, root_real: Path, st: os.stat_result) -> tuple[str, Path | None, os.stat_result]:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "file", path, st
    if stat.S_ISDIR(mode):
        return "directory", None, st
    if stat.S_ISFIFO(mode):
        return "fifo", None, st
    if stat.S_ISSOCK(mode):
        return "socket", None, st
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device", None, st
    if stat.S_ISLNK(mode):
        real = Path(os.path.realpath(path))
        try:
            target = real.stat()
        except OSError:
            return "dangling", None, st
        if real != root_real and root_real not in real.parents:
            return "outside", None, st
        if stat.S_ISDIR(target.st_mode):
            return "symlink_dir", None, st
        kind, _, _ = _classify(real, root_real, target)  # a link to a FIFO is a FIFO
        return ("symlink", real, target) if kind == "file" else (kind, None, st)
    return "other", None, st


def scan(inbox: Path) -> list[Entry]:
    """Every entry of the inbox, in registration order (NFC names by code point)."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    root_real = Path(os.path.realpath(inbox))
    found: list[Entry] = []

    def walk(folder: Path, rel: str, depth: int = 0) -> int:
        """Adds the entries below `folder` (those it lists, not the hidden ones it passes over);
        returns how many it added. Folders deeper than MAX_DEPTH are entries themselves (`deep`):
        a folder nested a thousand deep must not end the scan with a RecursionError."""
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return 0
        added = 0
        for n in names:
            path = folder / n
            sub = f"{rel}/{n}" if rel else n
            if n.startswith(SKIPPED_PREFIXES):
                if n.startswith(".") and n.lower().endswith(EXPORT_SUFFIXES):  # an export hidden: said, not read
                    found.append(Entry(display_name(sub), path, "hidden"))
                continue  # Excel's lock files (~$…) come and go while a file is open: passed over
            try:
                st = os.lstat(path)
            except OSError:
                continue  # gone since listdir
            kind, target, real_st = _classify(path, root_real, st)
            if kind == "directory" and depth >= MAX_DEPTH:
                kind = "deep"
            if kind == "directory":
                inside = walk(path, sub, depth + 1)
                if inside and not n.lower().endswith(EXPORT_SUFFIXES):
                    added += inside
                    continue  # a sub-folder of exports: its files are the entries
                added += inside
            entry_size = real_st.st_size if kind in READABLE else 0
            found.append(Entry(display_name(sub), path, kind, target, entry_size, real_st.st_mtime_ns))
            added += 1
        return added

    walk(inbox, "")
    return sorted(found, key=lambda e: e.name)

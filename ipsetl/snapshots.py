"""Snapshots of the warehouse file, kept at each run that writes, and restoring one.

A snapshot is the published file a run replaces (warehouse.publishing): every published file is
checkpointed and never written again, so the replaced one is a complete, consistent state, and it
is kept by a hard link instead of a copy.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ipsetl import warehouse

DEFAULT_KEEP = 5


@dataclass(frozen=True)
class Snapshot:
    path: Path
    taken_at: datetime
    size_bytes: int

    @property
    def name(self) -> str:
        return self.path.name


def snapshot_dir(warehouse_path: Path) -> Path:
    return Path(warehouse_path).parent / "snapshots"


def keep_count() -> int:
    return int(os.environ.get("IPSETL_SNAPSHOTS", DEFAULT_KEEP))


def list_snapshots(warehouse_path: Path) -> list[Snapshot]:
    """Newest first."""
    folder = snapshot_dir(warehouse_path)
    stem = Path(warehouse_path).stem
    out = []
    for p in folder.glob(f"{stem}-*.duckdb"):
        stamp = p.stem[len(stem) + 1 :]
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f")
        except ValueError:
            continue
        out.append(Snapshot(p, taken, p.stat().st_size))
    return sorted(out, key=lambda s: s.taken_at, reverse=True)


def keep_old(warehouse_path: Path, keep: int | None = None) -> Snapshot | None:
    """Keep the published file that a run is about to replace as a snapshot: a hard link to it
    (the run's copy replaces the name, the old inode lives on in snapshots/), a copy where the
    file system has no hard links; none when `keep` is 0 (`prune` keeps the newest once the run has
    published)."""
    keep = keep_count() if keep is None else keep
    if keep <= 0 or not Path(warehouse_path).exists():
        return None
    inode = Path(warehouse_path).stat().st_ino
    for existing in list_snapshots(warehouse_path):  # kept already by a run killed before its rename
        if existing.path.stat().st_ino == inode:
            return existing
    folder = snapshot_dir(warehouse_path)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    target = folder / f"{Path(warehouse_path).stem}-{now:%Y%m%dT%H%M%S%f}.duckdb"
    try:
        os.link(warehouse_path, target)
    except OSError:
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(warehouse_path, tmp)
        os.replace(tmp, target)
    return Snapshot(target, now, target.stat().st_size)


def prune(warehouse_path: Path, keep: int | None = None) -> None:
    """Keep the newest `keep` snapshots; called once the run's state is published, so that a run
    killed before its rename never costs an older snapshot."""
    keep = keep_count() if keep is None else keep
    if keep <= 0:
        return
    for old in list_snapshots(warehouse_path)[keep:]:
        old.path.unlink(missing_ok=True)


def restore(warehouse_path: Path, name: str, wait_s: float = 300) -> tuple[Snapshot, Snapshot | None]:
    """Bring a snapshot back (`latest` or a file name): published like a run's state, so readers go
    on undisturbed, and the replaced state is kept as a snapshot, so a restore can itself be undone.
    Returns (restored, snapshot of the replaced state)."""
    snaps = list_snapshots(warehouse_path)
    if not snaps:
        raise FileNotFoundError(f"Tietovarastolla {warehouse_path} ei ole varmuuskopioita.")
    chosen = snaps[0] if name == "latest" else next((s for s in snaps if s.name == name), None)
    if chosen is None:
        raise FileNotFoundError(f"Varmuuskopiota {name} ei ole; vaihtoehdot: " + ", ".join(s.name for s in snaps[:10]))
    keep = max(keep_count(), 1) + 1  # the restored one must not be pruned
    kept: list[Snapshot | None] = [None]

    def keep_replaced(path: Path) -> None:
        kept[0] = keep_old(path, keep=keep)

    with warehouse.publishing(
        warehouse_path, wait_s=wait_s, snapshot=keep_replaced, source=chosen.path, what="palautus"
    ):
        pass
    prune(warehouse_path, keep=keep)
    return chosen, kept[0]

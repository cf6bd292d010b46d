"""Snapshots of the warehouse file, taken before each run that writes, and restoring one.

A snapshot is a plain copy of the DuckDB file made while the run holds the write lock, right after
a checkpoint: nothing else can be writing, and the file holds every committed change.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

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


def take_snapshot(con: duckdb.DuckDBPyConnection, warehouse_path: Path, keep: int | None = None) -> Snapshot | None:
    """Copy the warehouse while `con` holds its write lock; keep the newest `keep` snapshots."""
    keep = keep_count() if keep is None else keep
    if keep <= 0 or not Path(warehouse_path).exists():
        return None
    con.execute("CHECKPOINT")
    folder = snapshot_dir(warehouse_path)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    target = folder / f"{Path(warehouse_path).stem}-{now:%Y%m%dT%H%M%S%f}.duckdb"
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(warehouse_path, tmp)
    os.replace(tmp, target)
    for old in list_snapshots(warehouse_path)[keep:]:
        old.path.unlink(missing_ok=True)
    return Snapshot(target, now, target.stat().st_size)


def restore(warehouse_path: Path, name: str, wait_s: float = 300) -> tuple[Snapshot, Snapshot | None]:
    """Bring a snapshot back (`latest` or a file name); the current state is snapshotted first, so a
    restore can itself be undone. Returns (restored, snapshot of the replaced state)."""
    snaps = list_snapshots(warehouse_path)
    if not snaps:
        raise FileNotFoundError(f"Tietovarastolla {warehouse_path} ei ole varmuuskopioita.")
    chosen = snaps[0] if name == "latest" else next((s for s in snaps if s.name == name), None)
    if chosen is None:
        raise FileNotFoundError(f"Varmuuskopiota {name} ei ole; vaihtoehdot: " + ", ".join(s.name for s in snaps[:10]))
    source = chosen.path.read_bytes()  # read first: taking the new snapshot may prune this one
    with warehouse.connect(warehouse_path, wait_s=wait_s) as con:  # the write lock: no run is writing
        before = take_snapshot(con, warehouse_path, keep=max(keep_count(), 1) + 1)
        tmp = Path(warehouse_path).with_suffix(".restore.tmp")
        tmp.write_bytes(source)
        con.close()
        os.replace(tmp, warehouse_path)
        Path(str(warehouse_path) + ".wal").unlink(missing_ok=True)
    return chosen, before

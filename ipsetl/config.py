"""Where things are: the defaults of interface.md, overridable by environment variables, for the
command line and Dagster alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "warehouse" / "sql"

DEFAULT_INBOX = "data/inbox"
DEFAULT_WAREHOUSE = "warehouse/ipsetl.duckdb"
DEFAULT_REPORTS = "reports"
DEFAULT_MAX_FILE_MB = 50
DEFAULT_LOCK_WAIT_S = 300
DEFAULT_THRESHOLD = 5  # the same as ipsetl.reports.disclosure.DEFAULT_THRESHOLD (kept import-light here)
DEFAULT_ORGANISATION = "Terveyden ja hyvinvoinnin laitos"


@dataclass(frozen=True)
class Settings:
    inbox: Path
    warehouse: Path
    reports: Path
    max_file_bytes: int
    lock_wait_s: float
    suppression_threshold: int = DEFAULT_THRESHOLD
    regional_suppression: bool = False
    organisation: str = DEFAULT_ORGANISATION


def settings(inbox: str | None = None, warehouse: str | None = None, reports: str | None = None) -> Settings:
    """Explicit arguments win over IPSETL_* variables, which win over the defaults."""
    return Settings(
        inbox=Path(inbox or os.environ.get("IPSETL_INBOX") or DEFAULT_INBOX),
        warehouse=Path(warehouse or os.environ.get("IPSETL_WAREHOUSE") or DEFAULT_WAREHOUSE),
        reports=Path(reports or os.environ.get("IPSETL_REPORTS") or DEFAULT_REPORTS),
        max_file_bytes=int(float(os.environ.get("IPSETL_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)) * 1024 * 1024),
        lock_wait_s=float(os.environ.get("IPSETL_LOCK_WAIT_S", DEFAULT_LOCK_WAIT_S)),
        suppression_threshold=int(os.environ.get("IPSETL_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD)),
        regional_suppression=os.environ.get("IPSETL_REGIONAL_SUPPRESSION", "0").lower() in ("1", "true", "yes", "on"),
        organisation=os.environ.get("IPSETL_ORGANISATION") or DEFAULT_ORGANISATION,
    )

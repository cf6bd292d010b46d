"""The one resource: where the inbox, warehouse and reports are (interface.md defaults, IPSETL_*)."""

from datetime import date
from pathlib import Path

import dagster as dg

from ipsetl.config import DEFAULT_ORGANISATION, DEFAULT_THRESHOLD, Settings, settings


class IpsetlPaths(dg.ConfigurableResource):
    inbox: str
    warehouse: str
    reports: str
    max_file_mb: float = 50
    lock_wait_s: float = 300
    as_of: str = ""  # ISO date; empty = the day of the run
    suppression_threshold: int = DEFAULT_THRESHOLD  # funder report: counts of people below it are hidden
    regional_suppression: bool = False  # the regions' own reports show their figures unsuppressed
    organisation: str = DEFAULT_ORGANISATION
    # Which due tertiaries get their reports (ipsetl.reports.data.select_tertiaries): `all`, or
    # e.g. `latest` for the benchmark's full run (`ipsetl run --tertiaries latest`).
    report_scope: str = "all"

    @property
    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else date.today()

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def settings(self) -> Settings:
        """The library's Settings for these paths (the inverse of `paths_from`)."""
        return Settings(
            inbox=self.inbox_path,
            warehouse=self.warehouse_path,
            reports=Path(self.reports),
            max_file_bytes=self.max_file_bytes,
            lock_wait_s=self.lock_wait_s,
            suppression_threshold=self.suppression_threshold,
            regional_suppression=self.regional_suppression,
            organisation=self.organisation,
        )

    def run_config(self, as_of: date | None = None) -> dict:
        """Run config holding this resource, with `as_of` if given: Dagster takes a resource's
        config from the run config as a whole, so the paths must come along with the date."""
        config = self.model_dump() | ({"as_of": as_of.isoformat()} if as_of else {})
        return {"resources": {"ipsetl": {"config": config}}}


def paths_from(s: Settings, as_of: date | None = None, report_scope: str = "all") -> IpsetlPaths:
    return IpsetlPaths(
        inbox=str(s.inbox),
        warehouse=str(s.warehouse),
        reports=str(s.reports),
        max_file_mb=s.max_file_bytes / 1024 / 1024,
        lock_wait_s=s.lock_wait_s,
        as_of=as_of.isoformat() if as_of else "",
        suppression_threshold=s.suppression_threshold,
        regional_suppression=s.regional_suppression,
        organisation=s.organisation,
        report_scope=report_scope,
    )


def default_paths() -> IpsetlPaths:
    return paths_from(settings())

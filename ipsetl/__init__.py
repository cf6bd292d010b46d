"""ipsetl: Webropol exports of the IPS monitoring forms → validated DuckDB warehouse → reports."""

__version__ = "0.1.0"

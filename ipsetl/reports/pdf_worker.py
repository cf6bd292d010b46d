"""Render PDFs in a separate process: `python -m ipsetl.reports.pdf_worker HTML PDF [HTML PDF …]`.

PDF layout is the slow part of a run (about a second a report); two plain worker processes use
both cores without multiprocessing's re-import of the caller's main module or forking a process
that holds a DuckDB connection.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from ipsetl.reports.render import write_pdf

    pairs = list(zip(argv[0::2], argv[1::2], strict=True))
    for html_path, pdf_path in pairs:
        write_pdf(Path(html_path), Path(pdf_path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

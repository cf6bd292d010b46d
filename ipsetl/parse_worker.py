"""Parse inbox files in a separate process: `python -m ipsetl.parse_worker`.

Reads `PATH<TAB>NAME<TAB>MAX_BYTES<TAB>OUT` lines on standard input, writes each file's
ParsedExport pickled to OUT and answers `ok` on standard output. A plain process (not
multiprocessing): it does not re-import the caller's main module, which a notebook or a script
read from standard input does not have, and does not fork a parent holding DuckDB threads.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path


def main() -> int:
    from ipsetl.reader import read_export

    print("ready", flush=True)
    for line in sys.stdin:
        path, name, max_bytes, out = line.rstrip("\n").split("\t")
        result = read_export(Path(path), int(max_bytes), name=name)  # never raises for bad input
        with open(out, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

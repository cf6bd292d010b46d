"""Versioned Webropol form mappings (data files) and the pandera models that validate them.

The mapping files are data so that a reworded question in a new form round is an edit here,
never a code change; `ipsetl.forms` reads them.
"""

from pathlib import Path

SCHEMAS_DIR = Path(__file__).resolve().parent
FORMS_DIR = SCHEMAS_DIR / "forms"
REGIONS_FILE = SCHEMAS_DIR / "regions.csv"

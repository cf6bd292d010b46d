"""Dagster definitions for ipsetl: thin assets over the plain functions of the `ipsetl` package."""

import warnings

# backfill_policy (one run for a range of tertiaries) is marked beta; the coordinator's terminal
# should not show that warning on every `ipsetl run`.
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy`.*beta")

"""Dagster definitions for ipsetl: thin assets over the plain functions of the `ipsetl` package."""

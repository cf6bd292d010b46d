"""The mart asset keys, apart so that the checks and the assets can both import them."""

import dagster as dg


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["mart", name])

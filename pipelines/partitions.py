"""Tertiaries (YYYY-Tn) as the partitions of the mart summary and the reports.

Dynamic partitions named `tertiary`: the keys follow the data, however far back they go, with no
fixed programme range to configure. A run adds the tertiaries it finds due (`ipsetl run`, the
inbox sensor's report run, the deadline schedules) before it asks for them.

Dagster orders dynamic partition keys by when they were added, and a run over several tertiaries
is a partition range (first–last in that order). The keys are therefore kept in chronological
order: a tertiary earlier than some existing key (older data arriving late) is added by deleting
the later keys and adding them again after it. Deleting a key removes only its entry in the list
of partitions; its materialisations stay in the event log and count again once it is back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dagster as dg

from schemas.catalogue import tertiary_of  # noqa: F401 - the calendar's one place (tests import it here)

TERTIARIES = dg.DynamicPartitionsDefinition(name="tertiary")


def partition_requests(
    existing: Sequence[str], wanted: Iterable[str]
) -> list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest]:
    """The requests that make the tertiary partitions hold `existing` and `wanted`, chronologically
    (the labels YYYY-Tn sort as text): keys from the first that is out of place on are deleted and
    added again in order; none when everything is already there in order."""
    target = sorted(set(existing) | set(wanted))
    keep = 0
    while keep < len(existing) and keep < len(target) and existing[keep] == target[keep]:
        keep += 1
    if keep == len(existing) == len(target):
        return []
    requests: list[dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest] = []
    if existing[keep:]:
        requests.append(dg.DeleteDynamicPartitionsRequest(TERTIARIES.name, list(existing[keep:])))
    requests.append(dg.AddDynamicPartitionsRequest(TERTIARIES.name, target[keep:]))
    return requests


def ensure_partitions(instance: dg.DagsterInstance, labels: Iterable[str]) -> list[str]:
    """Add `labels` to the tertiary partitions of `instance`, keeping them in order (see
    partition_requests); the keys as they are afterwards."""
    for request in partition_requests(instance.get_dynamic_partitions(TERTIARIES.name), labels):
        if isinstance(request, dg.DeleteDynamicPartitionsRequest):
            for key in request.partition_keys:
                instance.delete_dynamic_partition(TERTIARIES.name, key)
        else:
            instance.add_dynamic_partitions(TERTIARIES.name, list(request.partition_keys))
    return list(instance.get_dynamic_partitions(TERTIARIES.name))


def partition_range(labels: Sequence[str]) -> dict[str, str]:
    """The tags of one run over the tertiaries first…last of `labels` (which must be partitions)."""
    ordered = sorted(labels)
    return {
        "dagster/asset_partition_range_start": ordered[0],
        "dagster/asset_partition_range_end": ordered[-1],
    }

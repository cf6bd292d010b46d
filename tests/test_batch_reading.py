"""Files read together (one pandera pass for many files, as a first run does) give exactly what
each file gives read on its own: the same rows accepted, the same findings on the same file.

The batch mixes every bad file of tests/corpus with the generated sample inbox, so failing rows
of one file sit beside good rows of others in one validated frame.
"""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import pytest
from test_bad_inputs import bc

from ipsetl.reader import ParsedExport, read_export, read_exports
from ipsetl.sample_inbox import write_sample_inbox


def _what(p: ParsedExport) -> tuple:
    accepted = None if p.accepted is None else p.accepted.to_dict("tight")
    return (
        p.file_name,
        p.sha256,
        p.form.name if p.form else None,
        p.rows_total,
        p.rows_rejected,
        [astuple(f) for f in p.findings],
        accepted,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    corpus = tmp_path_factory.mktemp("corpus")
    bc.build(corpus)
    inbox = tmp_path_factory.mktemp("inbox")
    write_sample_inbox(inbox)
    paths = sorted(p for p in corpus.iterdir() if p.is_file()) + sorted(inbox.iterdir())
    # the slow files of the corpus have their own time-limited tests; here they would only cost time
    return [p for p in paths if p.stat().st_size < 1_000_000]


def test_read_together_equals_read_one_by_one(files):
    one_by_one = [read_export(p) for p in files]
    together = read_exports([(p, p.name) for p in files])
    assert [_what(p) for p in together] == [_what(p) for p in one_by_one]
    # the batch did hold failing rows of one file beside good rows of another
    assert sum(p.rows_rejected for p in together) > 0
    assert sum(p.rows_total - p.rows_rejected for p in together) > 100


def test_a_file_over_the_limit_in_a_batch_is_refused_alone(files):
    small, big = files[-1], max(files, key=lambda p: p.stat().st_size)
    limit = big.stat().st_size - 1
    results = read_exports([(big, big.name), (small, small.name)], max_bytes=limit)
    assert [f.rule for f in results[0].findings] == ["file_too_large"]
    assert _what(results[1]) == _what(read_export(small))

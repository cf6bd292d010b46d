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


def test_a_validation_that_crashes_refuses_only_its_own_file(files, monkeypatch):
    """An unexpected exception while validating one file (a bug or a library error, not a finding)
    costs that file only: it is refused as unreadable, the others in its batch load as usual."""
    import ipsetl.validate as validate

    sample = [p for p in files if p.name.startswith("IPS seuranta")][:3]
    assert len(sample) == 3
    expected = [_what(read_export(p)) for p in sample]
    real = validate._validated

    def crashing(table, form, file_name, found):
        if file_name == sample[1].name:
            raise RuntimeError("pandera crashed")
        return real(table, form, file_name, found)

    monkeypatch.setattr(validate, "_validated", crashing)
    results = read_exports([(p, p.name) for p in sample])
    assert [_what(results[0]), _what(results[2])] == [expected[0], expected[2]]
    assert results[1].accepted is None
    assert [f.rule for f in results[1].findings] == ["unreadable"]
    assert "odottamattomasti" in results[1].findings[0].message


def test_a_batch_pass_that_fails_falls_back_to_file_by_file(files, monkeypatch):
    import ipsetl.validate as validate

    sample = [p for p in files if p.name.startswith("IPS seuranta")][:3]
    expected = [_what(read_export(p)) for p in sample]
    calls = []

    def broken(items):
        calls.append(len(items))
        raise RuntimeError("concat failed")

    monkeypatch.setattr(validate, "_batch_failures", broken)
    assert [_what(p) for p in read_exports([(p, p.name) for p in sample])] == expected
    assert calls == [3]  # the batch was tried, then each file on its own

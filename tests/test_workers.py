"""The worker pool (ipsetl/workers.py) that reads files and renders reports: results come back in
the jobs' order whichever worker finishes first, a job that fails or a worker that dies fails the
call with a message naming the job (never a hang), and the pool's workers end with it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from ipsetl.reader import read_exports
from ipsetl.reports.render import Job
from ipsetl.sample_inbox import write_sample_inbox
from ipsetl.workers import Pool, WorkerFailed


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("inbox")
    write_sample_inbox(folder)
    return sorted(folder.iterdir())


def test_results_in_the_jobs_order(inbox):
    batches = [(2**26, [(p, p.name)]) for p in inbox] + [(2**26, [(p, p.name) for p in inbox[:3]])]
    with Pool("ipsetl.parse_worker", 2) as pool:
        results = list(pool.map(batches))
        again = list(pool.map(batches[:2]))  # a pool serves more than one map
    assert [[p.file_name for p in r] for r in results] == [[name for _, name in files] for _, files in batches]
    alone = read_exports([(p, p.name) for p in inbox])
    assert [r[0].rows_accepted for r in results[: len(inbox)]] == [p.rows_accepted for p in alone]
    assert [[p.file_name for p in r] for r in again] == [[inbox[0].name], [inbox[1].name]]


def test_a_failing_job_names_itself(tmp_path):
    bad = Job("regional", tmp_path / "alueraportti_XXX_2026-T2", {})
    pool = Pool("ipsetl.reports.pdf_worker", 2)
    try:
        with pytest.raises(WorkerFailed, match=r"alueraportti_XXX_2026-T2.*KeyError"):
            list(pool.map([bad], describe=lambda job: job.stem.name))
    finally:
        pool.close()
    assert all(proc.poll() is not None for proc in pool._procs)


def test_a_killed_worker_fails_the_call_instead_of_hanging(inbox):
    pool = Pool("ipsetl.parse_worker", 2)
    try:
        for proc in pool._procs:
            os.kill(proc.pid, signal.SIGKILL)
        with pytest.raises(WorkerFailed, match="Työprosessi päättyi kesken"):
            list(pool.map([(2**26, [(inbox[0], inbox[0].name)])]))
    finally:
        pool.close()


def test_a_pool_never_used_is_killed_and_a_used_one_ends_cleanly(inbox):
    """A pool started ahead for work that did not come is killed at close (its workers may still be
    importing their libraries, with nothing to finish); in a used one the worker that did a job ends
    normally, and the one that had none is killed (nothing to finish, nothing to wait for)."""
    unused = Pool("ipsetl.reports.pdf_worker", 2)
    unused.close()
    assert [proc.returncode for proc in unused._procs] == [-signal.SIGKILL] * 2
    with Pool("ipsetl.parse_worker", 2) as used:
        list(used.map([(2**26, [(inbox[0], inbox[0].name)])]))
    assert sorted(proc.returncode for proc in used._procs) == [-signal.SIGKILL, 0]


def test_jobs_are_taken_as_the_workers_need_them(inbox):
    """A generator of jobs (the reports' contexts are built one query at a time) feeds the workers
    from its first job on: a worker has finished the first job before the generator builds the
    last one (taking the whole list first, as `map` once did, waits here until the deadline)."""

    def batch(path: Path) -> tuple:
        return (2**26, [(path, path.name)])

    with Pool("ipsetl.parse_worker", 2) as pool:
        list(pool.map([batch(inbox[0])] * 2))  # both workers ready and idle
        first_answer = Path(pool._tmp.name) / f"{pool._given + 1}.out"

        def jobs():
            for index, path in enumerate(inbox[:5]):
                if index == 4:
                    deadline = time.monotonic() + 60
                    while not first_answer.exists():
                        assert time.monotonic() < deadline, "the first job was not handed out before the last was built"
                        time.sleep(0.02)
                yield batch(path)

        results = list(pool.map(jobs()))
    assert [r[0].file_name for r in results] == [p.name for p in inbox[:5]]


def test_a_map_left_with_jobs_running_kills_its_workers(inbox):
    """A generator that fails while a worker holds a job (a report context's query fails while the
    funder report renders) fails the call; the pool then refuses further maps (the running job's
    late answer would be taken for another's) and is killed at close, not waited for."""

    def failing_jobs():
        yield (2**26, [(inbox[0], inbox[0].name)])
        raise ValueError("kysely epäonnistui")

    pool = Pool("ipsetl.parse_worker", 2)
    try:
        list(pool.map([(2**26, [(inbox[0], inbox[0].name)])] * 2))  # both workers ready and idle
        with pytest.raises(ValueError, match="kysely epäonnistui"):
            list(pool.map(failing_jobs()))
        with pytest.raises(WorkerFailed, match="keskeytyi"):
            list(pool.map([(2**26, [(inbox[0], inbox[0].name)])]))
    finally:
        pool.close()
    assert [proc.returncode for proc in pool._procs] == [-signal.SIGKILL] * 2
    used = Pool("ipsetl.parse_worker", 2)
    list(used.map([(2**26, [(inbox[0], inbox[0].name)])] * 2))
    used.close(kill=True)  # the caller is failing: no waiting for its workers
    assert [proc.returncode for proc in used._procs] == [-signal.SIGKILL] * 2


def test_a_worker_that_has_grown_makes_way_for_a_fresh_one():
    """`ok recycle`: the result is kept, the worker ends by itself, a new one takes the next jobs;
    the answers come in order and none is lost (the report workers do this past their memory size)."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    jobs = [(n, n % 3 == 0) for n in range(12)]  # every third job ends its worker
    with Pool("tests.workers.recycling", 2, env=env) as pool:
        results = list(pool.map(jobs))
        again = list(pool.map([(100, False)]))
    assert [value for value, _ in results] == [n * 2 for n in range(12)]
    pids = [pid for _, pid in results]
    assert len(set(pids)) >= 5  # two to start with, one more for each of the four recycling jobs
    for (n, recycle), pid in zip(jobs, pids, strict=True):
        if recycle:  # the worker that did a recycling job never did another
            assert pids.count(pid) == 1 or pids[n + 1 :].count(pid) == 0
    assert again[0][0] == 200


def test_the_fresh_worker_after_a_last_recycling_job_is_not_waited_for():
    """A worker that recycles itself on the map's last job is replaced by one that is never given
    a job: close kills it instead of waiting for its imports to finish."""
    root = Path(__file__).resolve().parents[1]
    pool = Pool("tests.workers.recycling", 1, env=dict(os.environ, PYTHONPATH=str(root)))
    try:
        assert list(pool.map([(1, True)]))[0][0] == 2
    finally:
        pool.close()
    assert [proc.returncode for proc in pool._procs] == [-signal.SIGKILL]

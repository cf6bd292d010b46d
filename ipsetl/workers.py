"""Worker processes for the two CPU-bound stages: reading inbox files and rendering reports.

Plain `python -m <module>` processes, one per core, not multiprocessing: they do not re-import the
caller's main module (a notebook or a script read from standard input has none) and do not fork
a parent that holds DuckDB and Dagster threads. Jobs and results travel as pickles in a private
temporary folder; the pipes carry one line each way per job:

    parent → worker:  IN<TAB>OUT        (pickled job in IN; write the pickled result to OUT)
    worker → parent:  ready | ok | ok recycle | error <message>

`ok recycle`: the job is done and the worker ends (it has grown too large: the Typst compiler
caches what it laid out and never gives it back); a fresh worker takes its place.

The next job goes to whichever worker answers first, so one long job (the funder report, a
large file) does not hold up the others. A pool can be started before its jobs are known: the
workers import their libraries (pandas and pandera take a second and a half) meanwhile.
"""

from __future__ import annotations

import os
import pickle
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class WorkerFailed(RuntimeError):
    """A worker died or could not do a job; the message names the job and the worker's last words."""


@dataclass(frozen=True)
class JobFailed:
    """A tolerant map's result for a job whose worker failed it, died on it or overran its time:
    the caller decides what that job's failure means (a file refused, a report not made); the
    worker has been replaced and the other jobs go on."""

    job: Any
    kind: str  # "error": the job raised; "died": the worker ended (killed, out of memory); "timeout"
    reason: str


def serve(
    handle: Callable[[Any], Any],
    prepare: Callable[[], None] | None = None,
    recycle: Callable[[], bool] | None = None,
) -> int:
    """The worker's side: prepare (imports), say ready, then handle jobs until standard input
    closes, or until `recycle()` says after a job that this process should make way for a new one."""
    if prepare is not None:
        prepare()
    print("ready", flush=True)
    for line in sys.stdin:
        source, target = line.rstrip("\n").split("\t")
        try:
            with open(source, "rb") as fh:
                job = pickle.load(fh)  # noqa: S301 - written just now by our own parent
            result = handle(job)
            with open(target, "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails its run
            text = str(exc).splitlines()[0] if str(exc) else ""
            print(f"error {type(exc).__name__}: {text}", flush=True)
            return 1
        if recycle is not None and recycle():
            print("ok recycle", flush=True)
            return 0
        print("ok", flush=True)
    return 0


def resident_mb() -> float:
    """This process's resident memory in MB (Linux; 0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def exit_now(code: int) -> None:
    """Leave without tearing the interpreter down: freeing every module and object of a process that
    loaded pandas takes half a second, and the parent's `close` waits for it.

    The atexit hooks run (the Dagster instance, temporary files, logging), then the standard streams
    are flushed. Skipped: joining non-daemon threads (the project starts none) and the objects'
    finalisers. Output that cannot be written (a full disk under `ipsetl sql > out.csv`) is an error,
    exit 120 as Python's own; a reader that has gone away (`| head`) is not."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stream closed
            pass
        except OSError as exc:
            try:
                os.write(2, f"Virhe: tulostusta ei voitu kirjoittaa loppuun ({exc.strerror}).\n".encode())
            except OSError:
                pass
            code = code or 120
    os._exit(code)


class Pool:
    """`size` workers running `python -m module`; `map` hands them jobs and gives back results in order."""

    def __init__(self, module: str, size: int, env: dict[str, str] | None = None) -> None:
        self.module = module
        self._env = env
        self._tmp = tempfile.TemporaryDirectory(prefix="ipsetl-work-")
        self._logs = [tempfile.TemporaryFile("w+") for _ in range(size)]  # a stderr pipe could fill up
        self._procs = [self._start(log) for log in self._logs]
        self._idle: set[int] = set()  # workers ready and without a job
        self._given = 0  # jobs handed to a worker, ever: names their files
        self._worked: set[int] = set()  # pids of the workers that were given a job
        self._abandoned = False  # a map ended with jobs still running: their answers would confuse the next map

    def _start(self, log) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", self.module],
            env=self._env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            bufsize=1,
        )

    def _replace(self, proc: subprocess.Popen, ended: bool = False) -> subprocess.Popen:
        """A new worker in the place of one that failed a job (it has ended, or is killed now), or
        of one that has `ended` by itself to make way for a fresh one."""
        if ended:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        k = self._procs.index(proc)
        self._logs[k].close()
        self._logs[k] = tempfile.TemporaryFile("w+")
        self._procs[k] = self._start(self._logs[k])
        self._idle.discard(proc.pid)
        return self._procs[k]

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def map(
        self,
        jobs: Iterable[Any],
        describe: Callable[[Any], str] = str,
        timeout: Callable[[Any], float | None] | None = None,
        tolerant: bool = False,
    ) -> Iterator[Any]:
        """Each job's result, in the jobs' order, as soon as it and those before it are done.

        `jobs` is read lazily: a job is taken when a worker is free, or ahead of time while every
        worker is busy or still starting, so a generator that builds its jobs (the reports'
        contexts, a query each) keeps the workers fed from its first job on instead of making them
        wait for its last.

        `timeout(job)`: seconds a worker may spend on the job (None: no limit); over it the worker
        is killed. A job that fails (raises, its worker dies, it overruns) fails the map with
        WorkerFailed, or, when `tolerant`, gives a JobFailed in its place while a new worker
        takes the dead one's place and the map goes on."""
        if self._abandoned:
            raise WorkerFailed(f"{self.module}: edellinen ajo keskeytyi kesken töiden; työprosessit on suljettava")
        source = iter(jobs)
        queue: list[Any] = []  # jobs taken from `source` so far (None once handed out)
        exhausted = False
        results: dict[int, Any] = {}
        current: dict[int, tuple[int, Any, Path, float | None]] = {}  # pid → (position, job, stem, deadline)
        folder = Path(self._tmp.name)
        sel = selectors.DefaultSelector()
        for proc in self._procs:
            if proc.stdout is not None and proc.stdin is not None and not proc.stdin.closed:
                sel.register(proc.stdout, selectors.EVENT_READ, proc)
        position, given = 0, 0

        def take() -> bool:
            """One more job from `source` into the queue; False once it has none left."""
            nonlocal exhausted
            if not exhausted:
                try:
                    queue.append(next(source))
                except StopIteration:
                    exhausted = True
            return not exhausted

        def give(proc: subprocess.Popen) -> None:
            """The next job to this worker, or mark it idle (ready for a later map) if none is left."""
            nonlocal given
            if given >= len(queue) and not take():
                self._idle.add(proc.pid)
                return
            index = given
            given += 1
            self._given += 1
            self._worked.add(proc.pid)
            self._idle.discard(proc.pid)
            stem = folder / str(self._given)
            job, queue[index] = queue[index], None  # the worker has it now: a report's context is large
            with open(f"{stem}.in", "wb") as fh:
                pickle.dump(job, fh, protocol=pickle.HIGHEST_PROTOCOL)
            seconds = timeout(job) if timeout is not None else None
            current[proc.pid] = (index, job, stem, None if seconds is None else time.monotonic() + seconds)
            proc.stdin.write(f"{stem}.in\t{stem}.out\n")
            proc.stdin.flush()

        def failed(proc: subprocess.Popen, kind: str, reason: str) -> None:
            """The job of `proc` failed: raise, or record a JobFailed and put a new worker in its place."""
            index, job, _, _ = current.pop(proc.pid, (None, None, None, None))
            sel.unregister(proc.stdout)
            if not tolerant or index is None:
                what = f" ({describe(job)})" if index is not None else ""
                raise WorkerFailed(f"Työprosessi päättyi kesken{what}: {reason}")
            results[index] = JobFailed(job, kind, reason)
            fresh = self._replace(proc)
            sel.register(fresh.stdout, selectors.EVENT_READ, fresh)

        def wait_for() -> float | None:
            """How long select may wait: until the nearest deadline, or for ever."""
            deadlines = [d for _, _, _, d in current.values() if d is not None]
            return None if not deadlines else max(0.0, min(deadlines) - time.monotonic())

        try:
            for proc in self._procs:
                if proc.pid in self._idle:  # said ready, or finished an earlier map's last job
                    give(proc)
            while not (exhausted and position == len(queue)):
                if not sel.get_map():
                    raise WorkerFailed(f"{self.module}: ei toimivia työprosesseja")
                events = sel.select(timeout=wait_for() if exhausted else 0)
                if not events and not exhausted:  # every worker busy or starting: prepare the next job
                    take()
                for key, _ in events:  # answers first: a job that finished in time is not killed late
                    proc: subprocess.Popen = key.data
                    answer = proc.stdout.readline().rstrip("\n")
                    if answer == "ready":
                        pass
                    elif answer in ("ok", "ok recycle"):
                        index, _job, stem, _ = current.pop(proc.pid)
                        with open(f"{stem}.out", "rb") as fh:
                            results[index] = pickle.load(fh)  # noqa: S301 - written by our own worker
                        if answer == "ok recycle":  # it ends: a fresh one is given a job once ready
                            sel.unregister(proc.stdout)
                            fresh = self._replace(proc, ended=True)
                            sel.register(fresh.stdout, selectors.EVENT_READ, fresh)
                            continue
                    else:
                        kind = "error" if answer.startswith("error ") else "died"
                        failed(proc, kind, answer.removeprefix("error ") or self._last_words(proc))
                        continue  # the new worker is given a job once it says ready
                    give(proc)
                now = time.monotonic()
                for proc in [p for p in self._procs if p.pid in current]:  # then the jobs still running
                    index, job, _, deadline = current[proc.pid]
                    if deadline is not None and now >= deadline:
                        failed(proc, "timeout", f"aikaraja ylittyi ({describe(job)})")
                while position in results:
                    yield results.pop(position)
                    position += 1
        finally:
            sel.close()
            if current:  # left early (an error, a failing generator) while workers were busy
                self._abandoned = True

    def _last_words(self, proc: subprocess.Popen) -> str:
        code = proc.wait()
        log = self._logs[self._procs.index(proc)]
        log.seek(0)
        lines = [line for line in log.read().strip().splitlines() if line.strip()]
        return lines[-1] if lines else f"exit {code}"

    def close(self, kill: bool = False) -> None:
        """Ask the workers to stop (standard input closed) and wait for them; a worker still busy
        finishes its job first. Killed instead: a worker that never had a job (started ahead for
        work that did not come, or in the place of one that recycled itself at the end: it may
        still be importing, with nothing to finish), every worker of a pool whose map was abandoned
        with jobs still running, and all of them when `kill` (the caller is failing: the running
        jobs' results would be thrown away)."""
        for proc in self._procs:
            if kill or self._abandoned or proc.pid not in self._worked:
                proc.kill()
        for proc in self._procs:
            if proc.stdin is not None and not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
        for proc in self._procs:
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        for log in self._logs:
            log.close()
        self._tmp.cleanup()


def cores() -> int:
    """Worker processes worth starting: one per core the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- pools started ahead of their jobs --------------------------------------------------------------

_WARM: dict[str, Pool] = {}


def warm(module: str, size: int = 2) -> None:
    """Start a pool now for work that will probably come (the runner knows before the asset does):
    the workers' imports then overlap Dagster's own start-up instead of following it."""
    if module not in _WARM:
        _WARM[module] = Pool(module, max(1, min(size, cores())))


def take(module: str) -> Pool | None:
    """The warm pool of `module`, now the caller's to close; None if none was started."""
    return _WARM.pop(module, None)


def close_warm() -> None:
    """Stop the warm pools nobody took (the guess was wrong: nothing to read or render)."""
    while _WARM:
        _WARM.popitem()[1].close()

"""Benchmark a worker's memory: N queued verifications (10,000) worked off by ONE `verifier
worker` process while its resident set (VmRSS) and the count of finished jobs are sampled.

    .venv/bin/python -m bench.memory                    # N=10,000, the mock clearinghouse
    .venv/bin/python -m bench.memory --adapter mock     # the in-process mock payer (no HTTP)
    .venv/bin/python -m bench.memory --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The default payer is `clearinghouse-json` against the mock clearinghouse (started in this
process, so its own memory is not counted) with zero latency and no rate limit. That is what a
production worker runs: a payer reached over HTTP through httpx (connection pool, `PayerHttp`
retries, the rate limiter and concurrency guard), a JSON answer read by the clearinghouse
reader. Every one of those keeps per-process state that could grow with the jobs, and the
in-process `mock` adapter skips all of it (it reads a bundled 271 from a cached file). Zero
latency keeps the run CPU-bound, so 10,000 jobs take about a minute; `--adapter mock` is the
same run without HTTP, which tells the HTTP stack's share of any growth from the rest.

Warm-up is the first 10 % of the jobs: imports, caches (SQLAlchemy's compiled statements,
marshmallow, the payer adapter) and pools fill then. The target is that RSS grows less than
10 % from the end of warm-up to the end of the run. Not a test: nothing here runs under pytest.
bench/README.md says what each figure means.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, func, select

from adapters.mock_clearinghouse import MockClearinghouse
from bench.batch import (
    KEY_ENV,
    PAYER_ID,
    Spec,
    enqueue,
    fmt,
    load_average,
    local_keys,
    proc_status,
    read_logs,
    worker_command,
    write_directory,
)
from bench.common import add_database_option, database, machine, note, verdict
from verifier.store.engine import make_engine
from verifier.store.migrate import upgrade
from verifier.store.tables import jobs

ADAPTERS = ("clearinghouse", "mock")
DEFAULT_N = 10_000
DEFAULT_CONCURRENCY = 4  # what `verifier worker` runs by default
WARMUP_SHARE = 0.10  # warm-up: the first 10 % of the jobs
TARGET_GROWTH = 10.0  # per cent of the warm-up RSS, from warm-up to the end
TARGET_N = 10_000
SAMPLE_SECONDS = 0.5
TRACE_ENV = "BENCH_TRACEMALLOC_DIR"

# With --tracemalloc the worker runs under this wrapper: tracemalloc from the start (10 frames)
# and a snapshot written on each SIGUSR1. Kept inline: importing bench here would load the web
# app into the worker and change what is measured.
TRACED_WORKER = """\
import itertools, os, signal, sys, tracemalloc
tracemalloc.start(10)
_dir, _count = os.environ["BENCH_TRACEMALLOC_DIR"], itertools.count()
def _snapshot(*_):
    path = os.path.join(_dir, f"snapshot-{next(_count)}.tracemalloc")
    tracemalloc.take_snapshot().dump(path + ".tmp")
    os.rename(path + ".tmp", path)
signal.signal(signal.SIGUSR1, _snapshot)
sys.argv[0] = "verifier"
from verifier.cli import main
from verifier.security.protector import load_protector
main()
"""


@dataclass(frozen=True)
class Sample:
    seconds: float  # since the worker was spawned
    finished: int  # jobs done or dead (finished_at set)
    rss_kib: int  # VmRSS
    anon_kib: int  # RssAnon: the heap; VmRSS minus this is mapped files and shared memory


@dataclass
class Run:
    n: int
    adapter: str
    concurrency: int
    database_url: str | None
    samples: list[Sample] = field(default_factory=list)
    states: dict[str, int] = field(default_factory=dict)
    wall: float | None = None  # worker spawned -> last job finished
    exited: float = 0.0  # worker spawned -> worker exited
    # VmHWM at the last sample: the worker's peak since exec. Not ru_maxrss from wait4: Linux
    # counts in it the RSS of the image the child replaced at exec, that is this process's own.
    peak_kib: int = 0
    cpu_seconds: float = 0.0
    processed: list[int] = field(default_factory=list)
    exceptions: dict[str, int] = field(default_factory=dict)
    enqueue_seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    snapshots: list[tuple[int, Path]] = field(default_factory=list)  # (finished jobs, file)

    @property
    def warmup_jobs(self) -> int:
        return math.ceil(self.n * WARMUP_SHARE)

    @property
    def warmup(self) -> Sample | None:
        """The first sample once warm-up's jobs have finished."""
        return at_least(self.samples, self.warmup_jobs)

    @property
    def end(self) -> Sample | None:
        """The last sample taken while the worker still had jobs to finish: once the last one
        is done it closes its pools and clients on the way out, which would flatter the end."""
        if not self.samples:
            return None
        final = self.samples[-1].finished
        working = [s for s in self.samples if s.finished < final]
        return working[-1] if working else self.samples[-1]

    @property
    def growth(self) -> float | None:
        """Per cent RSS growth from warm-up to the end."""
        start, end = self.warmup, self.end
        if start is None or end is None or end.finished <= start.finished:
            return None
        return 100.0 * (end.rss_kib - start.rss_kib) / start.rss_kib

    @property
    def slope(self) -> float | None:
        """Least-squares KiB per 1,000 jobs over the samples after warm-up."""
        start = self.warmup
        after = [s for s in self.samples if start and s.finished >= start.finished]
        if len({s.finished for s in after}) < 3:
            return None
        fit = statistics.linear_regression([s.finished for s in after], [s.rss_kib for s in after])
        return 1000 * fit.slope


def at_least(samples: list[Sample], finished: int) -> Sample | None:
    return next((s for s in samples if s.finished >= finished), None)


def write_mock_directory(path: Path) -> None:
    """The payer directory for `--adapter mock`: the in-process mock payer under our id."""
    lines = ["[[payers]]", f'id = "{PAYER_ID}"', 'name = "Benchmark mock"', 'adapter = "mock"']
    path.write_text("\n".join(lines) + "\n", "utf-8")


def run(args: argparse.Namespace) -> Run:
    """One run: payer up, directory written, database migrated and filled, the worker to the
    end with its memory sampled."""
    result = Run(args.n, args.adapter, args.concurrency, args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="verifier-bench-memory-"))
    mock = MockClearinghouse(0, 0, None, 0.0, seed=1) if args.adapter == "clearinghouse" else None
    try:
        directory = workdir / "payers.toml"
        if mock is None:
            write_mock_directory(directory)
        else:
            spec = Spec(args.n, None, 0, 1, args.concurrency, args.database_url)
            write_directory(directory, mock.start(), spec)
        with local_keys(workdir), database(args.database_url, workdir) as database_url:
            upgrade(database_url)
            result.enqueue_seconds = enqueue(database_url, directory, args.n)
            note(
                f"enqueued {args.n} in {result.enqueue_seconds:.1f} s; starting 1 worker x "
                f"{args.concurrency} threads ({args.adapter})"
            )
            before = load_average()
            work(result, args, database_url, directory, workdir)
            result.load = (before, load_average())
            if result.snapshots:
                print_growth(result.snapshots)
        return result
    finally:
        if mock is not None:
            mock.stop()
        if args.keep:
            note(f"kept {workdir} (worker log, payer directory, SQLite file, data keys)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def work(
    result: Run, args: argparse.Namespace, database_url: str, directory: Path, workdir: Path
) -> None:
    """Start the worker and sample it every SAMPLE_SECONDS until it exits."""
    env = {
        **os.environ,
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_PAYERS_FILE": str(directory),
        KEY_ENV: "bench-key",
    }
    command = worker_command(args.concurrency)
    if args.tracemalloc:
        env[TRACE_ENV] = str(workdir)
        command = [sys.executable, "-c", TRACED_WORKER, *command[command.index("worker") :]]
    finished = select(func.count()).select_from(jobs).where(jobs.c.finished_at.is_not(None))
    engine = make_engine(database_url, None)  # counts jobs only: no PHI read
    try:
        with (workdir / "worker-0.log").open("wb") as log:
            started_at, started = time.time(), time.monotonic()
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
            status, rusage = sample(result, process.pid, engine, finished, started, args, workdir)
        process.returncode = os.waitstatus_to_exitcode(status)
        result.exited = time.monotonic() - started
        result.cpu_seconds = rusage.ru_utime + rusage.ru_stime
        with engine.connect() as connection:
            rows = connection.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state))
            result.states = {str(state): int(n) for state, n in rows}
            last = connection.execute(select(func.max(jobs.c.finished_at))).scalar()
    finally:
        engine.dispose()
    left = sum(n for s, n in result.states.items() if s not in ("done", "dead"))
    result.wall = None if left or last is None else last.timestamp() - started_at
    processed, exceptions = read_logs(workdir, 1)
    result.processed, result.exceptions = processed, dict(exceptions)
    if process.returncode:
        note(f"the worker exited with status {process.returncode}")


def sample(
    result: Run,
    pid: int,
    engine: Engine,
    finished: Select[Any],
    started: float,
    args: argparse.Namespace,
    workdir: Path,
) -> tuple[int, resource.struct_rusage]:
    """Read the worker's VmRSS and the finished jobs every SAMPLE_SECONDS until it exits (or
    the timeout stops it); returns its wait status and resource usage."""
    # With --tracemalloc: a snapshot at warm-up and at each later tenth of the jobs.
    marks = sorted({result.warmup_jobs, *(math.ceil(args.n * k / 10) for k in range(2, 10))})
    deadline, tick, progress = started + args.timeout, started, -1
    while True:
        reaped, status, rusage = os.wait4(pid, os.WNOHANG)
        if reaped:
            return status, rusage
        now = time.monotonic()
        if now > deadline:
            note(f"the worker is still running after {args.timeout:.0f} s: stopping it")
            return terminate(pid)
        fields = proc_status(pid)
        with engine.connect() as connection:
            done = int(connection.execute(finished).scalar_one())
        if "VmRSS" in fields:
            s = Sample(now - started, done, fields["VmRSS"], fields.get("RssAnon", 0))
            result.samples.append(s)
            result.peak_kib = max(result.peak_kib, fields.get("VmHWM", 0))
            if args.tracemalloc and marks and done >= marks[0]:
                os.kill(pid, signal.SIGUSR1)  # the wrapper names them in order: 0, 1, ...
                path = workdir / f"snapshot-{len(result.snapshots)}.tracemalloc"
                result.snapshots.append((done, path))
                while marks and done >= marks[0]:
                    marks.pop(0)
            if done * 10 // args.n > progress:
                progress = done * 10 // args.n
                note(f"{done:>6} jobs finished, RSS {s.rss_kib / 1024:.1f} MiB")
        tick += SAMPLE_SECONDS
        time.sleep(max(0.0, tick - time.monotonic()))


def terminate(pid: int) -> tuple[int, resource.struct_rusage]:
    """SIGTERM (each thread finishes its job), then SIGKILL after 15 s."""
    os.kill(pid, signal.SIGTERM)
    for _ in range(150):
        reaped, status, rusage = os.wait4(pid, os.WNOHANG)
        if reaped:
            return status, rusage
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    _, status, rusage = os.wait4(pid, 0)
    return status, rusage


def print_growth(snapshots: list[tuple[int, Path]]) -> None:
    """Where the worker's Python heap grew between the first and the last snapshot."""
    import tracemalloc

    taken = [(done, path) for done, path in snapshots if path.exists()]
    if len(taken) < 2:
        note(f"tracemalloc: {len(taken)} snapshot(s) written, need 2")
        return
    (first_done, first), (last_done, last) = taken[0], taken[-1]
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<*")]
    old = tracemalloc.Snapshot.load(str(first)).filter_traces(ignore)
    new = tracemalloc.Snapshot.load(str(last)).filter_traces(ignore)
    total = sum(s.size for s in new.statistics("filename")) - sum(
        s.size for s in old.statistics("filename")
    )
    print(
        f"tracemalloc: traced Python heap {total / 1024:+.0f} KiB from {first_done} to "
        f"{last_done} jobs; largest growth by line, then by allocation traceback:"
    )
    for stat in new.compare_to(old, "lineno")[:12]:
        print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  {stat.traceback}")
    for stat in new.compare_to(old, "traceback")[:3]:
        print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks, allocated at:")
        for line in stat.traceback.format(limit=12, most_recent_first=True):
            print(f"    {line}")


def signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


def mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f}"


def trend(result: Run) -> list[str]:
    """RSS at each tenth of the jobs (the first sample past it; the last sample for 100 %)."""
    warm = result.warmup
    lines = ["   jobs     %     t s  RSS MiB  anon MiB  vs warm-up"]
    points = [at_least(result.samples, 1)]  # 0 %: the first sample with a job finished
    points += [at_least(result.samples, math.ceil(result.n * k / 10)) for k in range(1, 10)]
    points.append(result.end)  # 100 %: the end, as defined above
    for k, s in enumerate(points):
        if s is None:
            lines.append(f"  {'-':>5}  {10 * k:>3}%       -        -         -           -")
            continue
        delta = "" if warm is None else f"{100 * (s.rss_kib - warm.rss_kib) / warm.rss_kib:+.1f} %"
        lines.append(
            f"  {s.finished:>5}  {10 * k:>3}%  {s.seconds:>6.1f}  {mib(s.rss_kib):>7}  "
            f"{mib(s.anon_kib):>8}  {delta:>10}"
        )
    return lines


def report(result: Run) -> bool:
    warm, end = result.warmup, result.end
    warm_mib, end_mib = mib(warm.rss_kib if warm else None), mib(end.rss_kib if end else None)
    after = [s for s in result.samples if warm and s.finished >= warm.finished]
    peak_after = max((s.rss_kib for s in after), default=None)
    done = result.states.get("done", 0)
    where = "PostgreSQL (throwaway schema)" if result.database_url else "SQLite (fresh file)"
    payer = (
        "clearinghouse-json -> mock clearinghouse, 0 ms, no rate limit"
        if result.adapter == "clearinghouse"
        else "mock (in process)"
    )
    print(f"memory of 1 `verifier worker` over {result.n} jobs ({machine()})")
    print(f"  payer            {payer}")
    print(f"  database         {where}")
    print(f"  concurrency      {result.concurrency} threads")
    print(f"  samples          {len(result.samples)}, every {SAMPLE_SECONDS} s")
    print(
        f"  warm-up          first {result.warmup_jobs} jobs ({WARMUP_SHARE:.0%}): RSS "
        f"{warm_mib} MiB at {warm.finished if warm else '-'} jobs"
    )
    print(
        f"  end              RSS {end_mib} MiB at "
        f"{end.finished if end else '-'} jobs (last sample before the last job finished)"
    )
    peak_all = max([result.peak_kib, *(s.rss_kib for s in result.samples)])
    print(
        f"  peak             {mib(peak_after)} MiB sampled after warm-up; {mib(peak_all)} MiB "
        "over the whole run (VmHWM, start-up included)"
    )
    growth, slope = result.growth, result.slope
    print(f"  growth           {signed(growth)} % from warm-up to the end")
    if slope is not None:
        print(f"  slope            {slope:+.1f} KiB per 1,000 jobs after warm-up (least squares)")
    print("  trend:")
    print("\n".join("  " + line for line in trend(result)))
    print(f"  jobs by state    {dict(sorted(result.states.items()))}")
    print(f"  jobs per worker  {result.processed}")
    print(f"  enqueue          {result.enqueue_seconds:.1f} s (not in wall)")
    cpu_ms = 1000 * result.cpu_seconds / max(1, done)
    print(f"  worker CPU       {result.cpu_seconds:.1f} s user+system, {cpu_ms:.1f} ms a job")
    print(
        f"  load average     {result.load[0]:.2f} before, {result.load[1]:.2f} after"
        f" ({os.cpu_count()} CPUs)"
    )
    for message, count in sorted(result.exceptions.items(), key=lambda kv: -kv[1])[:3]:
        print(f"  worker exception {count} x {message}")
    print(f"  worker exited    {result.exited:.2f} s after it was spawned")
    print(f"wall: {fmt(result.wall)} s (worker spawned -> last job finished)")
    if result.wall:
        print(f"throughput: {done / result.wall:.1f} jobs/s ({done} jobs in {result.wall:.1f} s)")
    left = result.n - done - result.states.get("dead", 0)
    ok = growth is not None and growth < TARGET_GROWTH and left == 0
    stated = "" if result.n == TARGET_N else f" (stated for N={TARGET_N})"
    measured = f"{signed(growth)} %, {warm_mib} -> {end_mib} MiB"
    if growth is None:
        measured = "no sample both after warm-up and before the end: too short, raise --n"
    if left:
        measured += f"; {left} jobs unfinished"
    print(
        f"target: worker RSS growth after warm-up < {TARGET_GROWTH:.0f} %{stated}: "
        f"{verdict(ok)} ({measured})"
    )
    return ok


def write_samples(path: Path, samples: list[Sample]) -> None:
    lines = ["seconds,finished,rss_kib,anon_kib"]
    lines += [f"{s.seconds:.2f},{s.finished},{s.rss_kib},{s.anon_kib}" for s in samples]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    note(f"wrote {len(samples)} samples to {path}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.memory",
        description="Sample one `verifier worker` process's resident memory while it works off "
        "N queued verifications, and compare the end of the run with the end of warm-up.",
    )
    parser.add_argument(
        "--n", type=int, default=DEFAULT_N, help=f"verifications to queue ({DEFAULT_N})"
    )
    parser.add_argument(
        "--adapter",
        choices=ADAPTERS,
        default="clearinghouse",
        help="clearinghouse: clearinghouse-json over HTTP to the mock clearinghouse in this "
        "process, 0 ms, no rate limit (default); mock: the in-process mock payer",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"threads in the worker process ({DEFAULT_CONCURRENCY}, the worker's default)",
    )
    add_database_option(parser)
    parser.add_argument(
        "--timeout", type=float, default=3600, help="stop the worker after this many s (3600)"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="run the worker under tracemalloc, snapshot it at warm-up and each later tenth, "
        "and print where its Python heap grew (slow: for finding a leak, not for the figures)",
    )
    parser.add_argument(
        "--samples", type=Path, help="also write every sample to this CSV file (to plot)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("need --n >= 10")
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be 1 to 256 (what `verifier worker` accepts)")
    if not sys.platform.startswith("linux"):
        parser.error("reads /proc/<pid>/status: Linux only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    note(f"machine: {machine()}")
    result = run(args)
    ok = report(result)
    if args.samples:
        write_samples(args.samples, result.samples)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())

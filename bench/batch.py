"""Benchmark the job queue: N queued verifications worked off by `verifier worker` processes
against the mock clearinghouse, started in this process with a latency and a rate limit.

    .venv/bin/python -m bench.batch --n 1000 --rate 50 --latency-ms 200 --workers 1
    .venv/bin/python -m bench.batch --compare-workers --n 1000 --latency-ms 200

Not a test: nothing here runs under pytest. bench/README.md says what each figure means.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, func, select

from adapters.mock import SCENARIOS
from adapters.mock_clearinghouse import MockClearinghouse
from bench.common import add_database_option, database, machine, note, verdict
from schemas.request import VerificationRequestSchema
from verifier.app import create_app
from verifier.intake import to_request
from verifier.store.engine import make_engine
from verifier.store.migrate import upgrade
from verifier.store.tables import jobs

PAYER_ID = "BENCH"
KEY_ENV = "BENCH_CLEARINGHOUSE_API_KEY"
KEY_FILE_ENV = "VERIFIER_DATA_KEY_FILE"
MAX_CONCURRENCY = 64  # the payer's calls in flight per process: never the limiting factor
TIMEOUT_SECONDS = 10
# AAA 42 is retried inside the adapter (1 s, then 2 s) and then requeued 30 s later, which
# would outlive the run; the other scenarios answer at once. MOCK-TIMEOUT is not in SCENARIOS.
SKIPPED_SCENARIOS = frozenset({"MOCK-PAYER-DOWN"})
COMPARED_WORKERS = (1, 4)
COMPARE_CONCURRENCY = 4

# What the queue should achieve (stated in the output; `--check` turns a miss into exit 1).
TARGET_RATIO = 1.10  # wall / lower bound at N=1000, R=50/s, L=200 ms, with zero 429s
TARGET_SCALING = 3.5  # throughput of 4 workers / 1 worker when latency-bound
TARGET_SPEC = (1000, 50.0, 200)


@dataclass(frozen=True)
class Spec:
    n: int
    rate: float | None  # requests per second the server allows (None: unlimited)
    latency_ms: int
    workers: int
    concurrency: int  # threads per worker process
    database_url: str | None  # None: a fresh SQLite file

    @property
    def per_process_rate(self) -> float | None:
        """The client-side limit each process gets: the limiter is per process."""
        return self.rate / self.workers if self.rate else None

    @property
    def lower_bound(self) -> float:
        """No run can be faster: N/R when rate-limited, and N×L/(W×C) in any case."""
        latency_bound = self.n * self.latency_ms / 1000 / (self.workers * self.concurrency)
        return max(latency_bound, self.n / self.rate) if self.rate else latency_bound


@dataclass
class Result:
    spec: Spec
    states: dict[str, int]
    wall: float | None  # first worker spawned -> last job finished (None: some never did)
    span: float | None  # first job seen claimed -> last job finished
    exited: float  # first worker spawned -> last worker exited
    rss_kib: list[int]  # peak resident set of each worker process
    cpu_seconds: list[float]  # user + system time of each worker process
    processed: list[int]  # jobs each worker reported
    exceptions: Counter[str] = field(default_factory=Counter)
    enqueue_seconds: float = 0.0
    requests: int = 0
    throttled: int = 0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after

    @property
    def ratio(self) -> float | None:
        bound = self.spec.lower_bound  # 0 with neither latency nor a rate limit
        return None if self.wall is None or not bound else self.wall / bound

    @property
    def left(self) -> int:
        return sum(n for state, n in self.states.items() if state not in ("done", "dead"))

    @property
    def startup(self) -> float | None:
        return None if self.wall is None or self.span is None else self.wall - self.span


def member_ids(n: int) -> list[str]:
    """Distinct ids (one open job per member and payer): BENCH-000001 …, except that every
    10th member is a real mock scenario while unused scenarios remain (at most 9)."""
    scenarios = [s for s in SCENARIOS if s not in SKIPPED_SCENARIOS]
    ids = []
    for i in range(1, n + 1):
        k = i // 10 - 1
        ids.append(scenarios[k] if i % 10 == 0 and k < len(scenarios) else f"BENCH-{i:06d}")
    return ids


def write_directory(path: Path, base_url: str, spec: Spec) -> None:
    """The payer directory the workers read: one payer, one inquiry per verification."""
    lines = [
        "[[payers]]",
        f'id = "{PAYER_ID}"',
        'name = "Benchmark clearinghouse"',
        'adapter = "clearinghouse-json"',
        f'base_url = "{base_url}"',
        f'api_key_env = "{KEY_ENV}"',
        f'trading_partner_id = "{PAYER_ID}"',
        'service_types = ["30"]',
        f"max_concurrency = {max(MAX_CONCURRENCY, spec.concurrency)}",
        f"timeout_seconds = {TIMEOUT_SECONDS}",
    ]
    if spec.per_process_rate:
        lines.append(f"rate_limit_per_second = {spec.per_process_rate!r}")
    path.write_text("\n".join(lines) + "\n", "utf-8")


@contextmanager
def local_keys(workdir: Path) -> Iterator[None]:
    """Local encryption keys live with the run, not in the working directory (the workers
    inherit this); explicit VERIFIER_DATA_KEYS, when set, still win."""
    previous_key_file = os.environ.get(KEY_FILE_ENV)
    os.environ[KEY_FILE_ENV] = str(workdir / "data-keys")
    try:
        yield
    finally:
        if previous_key_file is None:
            os.environ.pop(KEY_FILE_ENV, None)
        else:
            os.environ[KEY_FILE_ENV] = previous_key_file


def enqueue(database_url: str, directory: Path, n: int) -> float:
    """Queue N verifications as the API's async mode does; returns the seconds it took."""
    app = create_app({"DATABASE_URL": database_url, "PAYERS_FILE": str(directory)})
    services = app.extensions["verifier"]
    schema = VerificationRequestSchema()
    started = time.perf_counter()
    try:
        for member_id in member_ids(n):
            body = {
                "payer_id": PAYER_ID,
                "subscriber": {
                    "member_id": member_id,
                    "first_name": "Jane",
                    "last_name": "Doe",
                    "date_of_birth": "1985-03-15",
                },
            }
            request = to_request(schema.load(body), app.extensions["settings"])
            services.service.enqueue(request, body, source="bench")
    finally:
        services.close()
    return time.perf_counter() - started


def worker_command(concurrency: int) -> list[str]:
    script = Path(sys.executable).with_name("verifier")
    if script.exists():
        prefix = [str(script)]
    else:
        prefix = [sys.executable, "-c", "from verifier.cli import main; main()"]
    arguments = ["worker", "--until-idle", "--concurrency", str(concurrency)]
    return [*prefix, *arguments, "--poll-seconds", "0.05"]


def load_average() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def run(spec: Spec, *, timeout: float | None = None, keep: bool = False) -> Result:
    """One run: mock up, directory written, database migrated and filled, workers to the end."""
    workdir = Path(tempfile.mkdtemp(prefix="verifier-bench-"))
    mock = MockClearinghouse(0, spec.latency_ms, spec.rate, 0.0, seed=1)
    base_url = mock.start()
    try:
        directory = workdir / "payers.toml"
        write_directory(directory, base_url, spec)
        with local_keys(workdir), database(spec.database_url, workdir) as database_url:
            upgrade(database_url)
            enqueued = enqueue(database_url, directory, spec.n)
            note(
                f"enqueued {spec.n} in {enqueued:.1f} s; starting {spec.workers} worker(s)"
                f" x {spec.concurrency} threads"
            )
            before = load_average()
            limit = timeout or max(300.0, 20 * spec.lower_bound)
            result = work(spec, database_url, directory, workdir, limit)
            result.load = (before, load_average())
            result.enqueue_seconds = enqueued
            result.requests, result.throttled = mock.counters.requests, mock.counters.throttled
            return result
    finally:
        mock.stop()
        if keep:
            note(f"kept {workdir} (worker logs, payer directory, SQLite file, data keys)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def work(spec: Spec, database_url: str, directory: Path, workdir: Path, limit: float) -> Result:
    """Start the workers, wait for them to run out of work, and read what they did."""
    env = {
        **os.environ,
        "VERIFIER_DATABASE_URL": database_url,
        "VERIFIER_PAYERS_FILE": str(directory),
        KEY_ENV: "bench-key",
    }
    logs: list[IO[bytes]] = [(workdir / f"worker-{i}.log").open("wb") for i in range(spec.workers)]
    usage: dict[int, tuple[float, float]] = {}
    peaks: dict[int, int] = {}  # VmHWM in KiB, by pid
    engine = make_engine(database_url, None)  # counts jobs only: no PHI read
    try:
        started_at, started = time.time(), time.monotonic()
        command = worker_command(spec.concurrency)
        processes = [
            subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
            for log in logs
        ]

        def reap(process: subprocess.Popen[bytes]) -> None:
            # wait4 gives this child's own CPU time, not the sum of all children's.
            _, status, rusage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            usage[process.pid] = (time.monotonic(), rusage.ru_utime + rusage.ru_stime)

        reapers = [threading.Thread(target=reap, args=(p,), daemon=True) for p in processes]
        for reaper in reapers:
            reaper.start()
        threading.Thread(target=watch_peaks, args=(processes, peaks), daemon=True).start()
        first_claim = watch_first_claim(engine, reapers, started + limit)
        for reaper in reapers:
            reaper.join(max(0.0, started + limit - time.monotonic()))
        if any(reaper.is_alive() for reaper in reapers):
            note(f"workers still running after {limit:.0f} s: stopping them")
            stop(processes, reapers)
        with engine.connect() as connection:
            rows = connection.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state))
            states = {str(state): int(n) for state, n in rows}
            last = connection.execute(select(func.max(jobs.c.finished_at))).scalar()
    finally:
        engine.dispose()
        for log in logs:
            log.close()
    left = sum(n for s, n in states.items() if s not in ("done", "dead"))
    wall = None if left or last is None else last.timestamp() - started_at
    exited = max((at for at, _ in usage.values()), default=time.monotonic()) - started
    processed, exceptions = read_logs(workdir, spec.workers)
    return Result(
        spec=spec,
        states=states,
        wall=wall,
        span=None if wall is None or first_claim is None else wall - (first_claim - started),
        exited=exited,
        rss_kib=[peaks[p.pid] for p in processes if p.pid in peaks],
        cpu_seconds=[usage[p.pid][1] for p in processes if p.pid in usage],
        processed=processed,
        exceptions=exceptions,
    )


def proc_status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/status (empty once the process is gone or a zombie)."""
    fields: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, value = line.partition(":")
                if value.strip().endswith(" kB"):
                    fields[name] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return fields


def watch_peaks(processes: list[subprocess.Popen[bytes]], peaks: dict[int, int]) -> None:
    """Each worker's peak resident set, VmHWM, read every 0.2 s until it exits. Not ru_maxrss
    from wait4: Linux counts in it the parent's pages the child held between fork and exec,
    so it reports this benchmark's own size when that is the larger."""
    while any(process.returncode is None for process in processes):
        for process in processes:
            if process.returncode is None:
                high = proc_status(process.pid).get("VmHWM", 0)
                peaks[process.pid] = max(peaks.get(process.pid, 0), high)
        time.sleep(0.2)


def watch_first_claim(
    engine: Engine, reapers: list[threading.Thread], deadline: float
) -> float | None:
    """When a job first leaves `queued` (to 50 ms), so worker startup can be told from work.
    Stops looking once it has seen one: the workers should have the database to themselves."""
    claimed = select(func.count()).select_from(jobs).where(jobs.c.state != "queued")
    while time.monotonic() < deadline and any(r.is_alive() for r in reapers):
        with engine.connect() as connection:
            if connection.execute(claimed).scalar_one():
                return time.monotonic()
        time.sleep(0.05)
    return None


def stop(processes: list[subprocess.Popen[bytes]], reapers: list[threading.Thread]) -> None:
    """SIGTERM (each thread finishes its job), then SIGKILL. os.kill rather than Popen's
    methods: those would poll, racing the reaper thread's wait4."""
    alive = [(p, r) for p, r in zip(processes, reapers, strict=True) if r.is_alive()]
    for process, _ in alive:
        os.kill(process.pid, signal.SIGTERM)
    for _, reaper in alive:
        reaper.join(TIMEOUT_SECONDS + 5)
    for process, reaper in alive:
        if reaper.is_alive():
            os.kill(process.pid, signal.SIGKILL)
            reaper.join()


EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Timeout)\b(: .*)?$")


def read_logs(workdir: Path, workers: int) -> tuple[list[int], Counter[str]]:
    """Jobs each worker says it ran, and the exceptions it printed. An exception that escapes a
    worker thread ends that thread ("Exception in thread ..."): the process goes on with fewer,
    and the job the thread held stays `running` until its lease expires."""
    processed: list[int] = []
    exceptions: Counter[str] = Counter()
    for i in range(workers):
        for line in (workdir / f"worker-{i}.log").read_text("utf-8", "replace").splitlines():
            if " stopped after " in line:
                processed.append(int(line.split(" stopped after ")[1].split()[0]))
            elif line.startswith("Exception in thread"):
                exceptions["a worker thread died (Exception in thread ...)"] += 1
            elif EXCEPTION_LINE.match(line):
                exceptions[line.strip()[:160]] += 1
    return processed, exceptions


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


COLUMNS = (
    "N", "R/s", "L ms", "W", "C", "wall s", "bound s", "ratio", "429s", "done", "dead", "left",
    "peak RSS MiB",
)  # fmt: skip


def row(result: Result) -> list[str]:
    s = result.spec
    rss = max(result.rss_kib, default=0) / 1024
    return [
        str(s.n),
        "-" if s.rate is None else f"{s.rate:g}",
        str(s.latency_ms),
        str(s.workers),
        str(s.concurrency),
        fmt(result.wall),
        fmt(s.lower_bound),
        fmt(result.ratio),
        str(result.throttled),
        str(result.states.get("done", 0)),
        str(result.states.get("dead", 0)),
        str(result.left),
        f"{rss:.0f}" if s.workers == 1 else f"{rss:.0f} (max of {s.workers})",
    ]


def table(results: list[Result]) -> str:
    cells = [list(COLUMNS), *(row(r) for r in results)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def details(result: Result) -> list[str]:
    s = result.spec
    cpu = sum(result.cpu_seconds)
    where = "PostgreSQL (throwaway schema)" if s.database_url else "SQLite (fresh file)"
    limit = f"{s.per_process_rate:g}/s per process" if s.per_process_rate else "none"
    out = [
        f"  database         {where}",
        f"  enqueue          {result.enqueue_seconds:.1f} s for {s.n} jobs (not in wall)",
        f"  client limit     {limit}",
        f"  startup          {fmt(result.startup)} s (first worker spawned -> first job claimed)",
        f"  span             {fmt(result.span)} s (first job claimed -> last job finished)",
        f"  workers exited   {result.exited:.2f} s after the first was spawned",
        f"  server requests  {result.requests} ({result.throttled} answered 429)",
        f"  jobs by state    {dict(sorted(result.states.items()))}",
        f"  jobs per worker  {result.processed}",
        f"  peak RSS KiB     {result.rss_kib}",
        f"  worker CPU       {cpu:.1f} s user+system, {1000 * cpu / s.n:.1f} ms a job "
        f"(startup included); by worker {[round(c, 1) for c in result.cpu_seconds]}",
        f"  load average     {result.load[0]:.2f} before, {result.load[1]:.2f} after"
        f" ({os.cpu_count()} CPUs)",
    ]
    for message, count in result.exceptions.most_common(3):
        out.append(f"  worker exception {count} x {message}")
    return out


def median(values: list[float | None]) -> float | None:
    """The median, counting a run that never finished as infinitely slow."""
    if not values:
        return None
    finite = [math.inf if v is None else v for v in values]
    middle = statistics.median_low(finite) if len(finite) % 2 == 0 else statistics.median(finite)
    return None if math.isinf(middle) else middle


def warn_if_busy(results: list[Result]) -> None:
    busiest = max(max(r.load) for r in results)
    if busiest > 0.5 * (os.cpu_count() or 1):
        print(
            f"note: load average reached {busiest:.2f} on {os.cpu_count()} CPUs; other work "
            "on the machine inflates these figures (the mock and the workers share the CPUs)"
        )


def single(args: argparse.Namespace) -> bool:
    rate = 50.0 if args.rate is None else (args.rate or None)
    concurrency = args.concurrency or default_concurrency(rate, args.latency_ms, args.workers)
    spec = Spec(args.n, rate, args.latency_ms, args.workers, concurrency, args.database_url)
    note(f"machine: {machine()}")
    results = [run(spec, timeout=args.timeout, keep=args.keep) for _ in range(args.repeat)]
    print(table(results))
    for i, result in enumerate(results):
        if len(results) > 1:
            print(f"run {i + 1}:")
        print("\n".join(details(result)))
    warn_if_busy(results)
    ratio = median([r.ratio for r in results])
    throttled = max(r.throttled for r in results)
    ok = ratio is not None and ratio <= TARGET_RATIO and throttled == 0
    at_target = (spec.n, spec.rate, spec.latency_ms) == TARGET_SPEC
    where = "" if at_target else " (stated for N=1000, R=50/s, L=200 ms)"
    of = f"median ratio of {len(results)} runs" if len(results) > 1 else "ratio"
    print(
        f"target: wall/bound <= {TARGET_RATIO:.2f} with zero 429s{where}: {verdict(ok)}"
        f" ({of} {fmt(ratio)}, {throttled} 429s)"
    )
    return ok


def compare(args: argparse.Namespace) -> bool:
    if args.rate:
        raise SystemExit("bench: --compare-workers is the latency-bound case; drop --rate")
    concurrency = args.concurrency or COMPARE_CONCURRENCY
    note(f"machine: {machine()}")
    results: dict[int, list[Result]] = {w: [] for w in COMPARED_WORKERS}
    for _ in range(args.repeat):
        for w in COMPARED_WORKERS:
            spec = Spec(args.n, None, args.latency_ms, w, concurrency, args.database_url)
            results[w].append(run(spec, timeout=args.timeout, keep=args.keep))
    every = [r for w in COMPARED_WORKERS for r in results[w]]
    print(table(every))
    for result in every:
        print(f"W={result.spec.workers}:")
        print("\n".join(details(result)))
    warn_if_busy(every)
    one, many = COMPARED_WORKERS
    wall_one, wall_many = (median([r.wall for r in results[w]]) for w in (one, many))
    span_one, span_many = (median([r.span for r in results[w]]) for w in (one, many))
    if wall_one is None or wall_many is None:
        print(f"target: {many} workers >= {TARGET_SCALING}x one: MISSED (jobs left unfinished)")
        return False
    scaling = wall_one / wall_many
    print(
        f"throughput: {args.n / wall_one:.1f} jobs/s with {one} worker, "
        f"{args.n / wall_many:.1f} jobs/s with {many}: {scaling:.2f}x"
    )
    if span_one and span_many:
        print(f"without worker startup (span): {span_one / span_many:.2f}x")
    ok = scaling >= TARGET_SCALING
    print(
        f"target: {many} workers >= {TARGET_SCALING}x one when latency-bound: {verdict(ok)}"
        f" ({scaling:.2f}x at N={args.n})"
    )
    return ok


def default_concurrency(rate: float | None, latency_ms: int, workers: int) -> int:
    """Threads per process to keep R×L calls in flight with 50% to spare; at least 4."""
    if not rate:
        return COMPARE_CONCURRENCY
    return max(4, math.ceil(rate * latency_ms / 1000 * 1.5 / workers))


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.batch",
        description="Time `verifier worker` processes working off N queued verifications "
        "against the in-process mock clearinghouse, and compare with the lower bound.",
    )
    parser.add_argument("--n", type=int, default=1000, help="verifications to queue (1000)")
    parser.add_argument(
        "--rate",
        type=float,
        help="server rate limit R in requests/s, 429 beyond it (default 50; 0: none); each "
        "worker process gets a client limit of R/W. Not with --compare-workers.",
    )
    parser.add_argument(
        "--latency-ms", type=int, default=200, help="mock answer latency L in ms (200)"
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes W (1)")
    parser.add_argument(
        "--concurrency",
        type=int,
        help="threads per worker process C (default ceil(R×L×1.5/W), at least 4; "
        f"{COMPARE_CONCURRENCY} without a rate limit)",
    )
    add_database_option(parser)
    parser.add_argument(
        "--compare-workers",
        action="store_true",
        help="the latency-bound case (no rate limit) with 1 worker, then 4, same C; "
        "prints the throughput ratio",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each case; targets judge the median (1)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="stop the workers after this many seconds (default 20 × bound, at least 300)",
    )
    parser.add_argument("--keep", action="store_true", help="keep each run's temporary directory")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.n < 1 or args.workers < 1 or args.latency_ms < 0 or args.repeat < 1:
        parser.error("need --n >= 1, --workers >= 1, --latency-ms >= 0 and --repeat >= 1")
    if args.concurrency is not None and not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be 1 to 256 (what `verifier worker` accepts)")
    if args.rate is not None and args.rate < 0:
        parser.error("--rate must be >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    ok = compare(args) if args.compare_workers else single(args)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark serving: `POST /v1/verifications` under gunicorn against a bare Flask endpoint.

    .venv/bin/python -m bench.serving                    # SQLite file, 2 workers (about 90 s)
    .venv/bin/python -m bench.serving --database-url postgresql+psycopg://postgres@127.0.0.1/test

Our service runs as `verifier serve --workers 2 --no-migrate` (gunicorn's sync workers, the mock
payer, a fresh SQLite file or a throwaway PostgreSQL schema, an admin key created in the
database first, as tests/e2e/test_server.py does); the baseline is bench/bare_app.py under the
same gunicorn settings, answering a record of the same size and doing nothing else. Each runs
alone on a free loopback port, one after the other, so they never share the CPUs.

1. Maximum throughput, closed loop: wrk (Debian's package; `apt-get install -y wrk`) with a Lua
   script for the POST body and headers, at several connection counts; the best req/s counts,
   with its p50 and p99. Without wrk, a Python closed loop (threads, http.client) stands in.
2. Latency at half our maximum, open loop: requests leave at a fixed rate whatever the answers
   do (asyncio, one connection each: gunicorn's sync workers close every connection anyway),
   and each latency runs from when its request was due, so a stall is not hidden by the load
   generator waiting for it (coordinated omission). The bare app gets the same rate.

Every request verifies the same member, so the service's change detection reads (and decrypts)
a full window of that member's earlier verifications each time (`_record_changes` in
verifier/service.py): a member with a long history, which is the steady state here. The load
generator shares the machine's CPUs with the server; the load average and the server workers'
CPU time per request (from /proc) are printed, so CPU can be told from waiting: were both
servers CPU-bound, the throughput ratio would be about the CPU ratio bare/ours, a figure other
work on the machine disturbs much less.
Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Row, add_database_option, database, format_rows, machine, note, verdict

ROOT = Path(__file__).resolve().parents[1]
PATH = "/v1/verifications"
BODY = json.dumps(
    {
        "payer_id": "MOCK",
        "subscriber": {
            "member_id": "MOCK-IOP-DUAL",
            "first_name": "Jane",
            "last_name": "Doe",
            "date_of_birth": "1985-03-15",
        },
    }
)
# What `verifier serve` passes to gunicorn besides the bind address and workers (verifier/cli.py).
GUNICORN_LOGGING = [
    "--access-logfile",
    "-",
    "--access-logformat",
    '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
]
TARGET_RATIO = 0.3  # our max throughput / the bare endpoint's
TARGET_P99_MS = 25.0  # p99 at half our max throughput, open loop
START_TIMEOUT = 30.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

LUA = """wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass
class Load:
    """One load run's outcome."""

    connections: int  # closed loop: connections; open loop: 0
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # transport errors and timeouts
    bad_status: int  # answers other than 2xx/3xx
    cpu_ms: float | None = None  # server workers' CPU time per request
    offered: float | None = None  # open loop: the fixed rate asked for
    late_ms: float | None = None  # open loop: p99 of how late the generator sent requests

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    headers: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def admin_key(database_url: str) -> str:
    """Migrate the database and create an admin key in it, as an operator would."""
    from verifier.app import create_app
    from verifier.security.keys import new_key
    from verifier.store.migrate import upgrade

    upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url})
    try:
        fresh = new_key("bench", ["admin"], [], datetime.now(UTC))
        app.extensions["verifier"].keys.add(fresh)
    finally:
        app.extensions["verifier"].close()
    return str(fresh.token)


def get(port: int, path: str, timeout: float = 2.0) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@contextmanager
def serve(
    name: str, command: list[str], env: dict[str, str], cwd: Path, port: int, log: Path
) -> Iterator[Server]:
    """Start a server process, wait for /healthz, and stop it (SIGTERM, then SIGKILL)."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None:
                    tail = log.read_text("utf-8", "replace")[-800:]
                    raise RuntimeError(f"{name} exited with {process.returncode}: {tail}")
                try:
                    if get(port, "/healthz") == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer /healthz in {START_TIMEOUT:.0f} s")
                time.sleep(0.1)
            yield Server(name, process, port, log)
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the children of a gunicorn master."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == master:  # ppid
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


def lua_script(folder: Path, headers: dict[str, str]) -> Path:
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    path = folder / f"post-{len(headers)}.lua"
    path.write_text(LUA.format(body=BODY, headers=lines), "utf-8")
    return path


def run_wrk(wrk: str, server: Server, script: Path, connections: int, seconds: float) -> Load:
    url = f"http://127.0.0.1:{server.port}{PATH}"
    command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    command += ["-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.M)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}"[:600])
    requests, micros, p50, p99, slowest, errors, status = (int(x) for x in found.groups())
    ms = (p50 / 1e3, p99 / 1e3, slowest / 1e3)
    return Load(connections, requests, micros / 1e6, *ms, errors, status)


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def python_closed_loop(server: Server, connections: int, seconds: float) -> Load:
    """Without wrk: `connections` threads, each sending the next request when one returns."""
    latencies: list[float] = []
    counts = {"errors": 0, "status": 0}
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", **server.headers}
    deadline = time.perf_counter() + seconds

    def loop() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        mine: list[float] = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("POST", PATH, BODY, headers)
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status >= 400:
                    with lock:
                        counts["status"] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                with lock:
                    counts["errors"] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    spread = (percentile(ms, 50), percentile(ms, 99), max(ms, default=float("nan")))
    return Load(connections, len(ms), elapsed, *spread, counts["errors"], counts["status"])


async def _open_loop(port: int, headers: dict[str, str], rate: float, seconds: float) -> Load:
    lines = [f"POST {PATH} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += ["Content-Type: application/json", f"Content-Length: {len(BODY.encode())}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n" + BODY).encode()
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    late: list[float] = []
    counts = {"errors": 0, "status": 0}

    async def one(due: float) -> None:
        late.append(loop.time() - due)
        writer = None
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(-1), timeout=10)
            latencies.append(loop.time() - due)
            status = answer[9:12]
            if not status.startswith((b"2", b"3")):
                counts["status"] += 1
        except (TimeoutError, OSError):
            counts["errors"] += 1
        finally:
            if writer is not None:
                writer.close()

    total = max(1, round(rate * seconds))
    start = loop.time() + 0.05
    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    ms = [x * 1000 for x in latencies]
    spread = (percentile(ms, 50), percentile(ms, 99), max(ms, default=float("nan")))
    load = Load(0, len(ms), elapsed, *spread, counts["errors"], counts["status"])
    load.offered = rate
    load.late_ms = percentile([x * 1000 for x in late], 99)
    return load


def open_loop(server: Server, rate: float, seconds: float) -> Load:
    return asyncio.run(_open_loop(server.port, server.headers, rate, seconds))


class Driver:
    """Runs the closed-loop load with wrk or, without it, with Python threads."""

    def __init__(self, workdir: Path, use_wrk: bool) -> None:
        self.workdir = workdir
        self.wrk = shutil.which("wrk") if use_wrk else None

    @property
    def name(self) -> str:
        return "wrk" if self.wrk else "Python threads (http.client)"

    def closed(self, server: Server, connections: int, seconds: float) -> Load:
        before = workers_cpu(server.process.pid)
        if self.wrk:
            script = lua_script(self.workdir, server.headers)
            load = run_wrk(self.wrk, server, script, connections, seconds)
        else:
            load = python_closed_loop(server, connections, seconds)
        if load.requests:
            load.cpu_ms = 1000 * (workers_cpu(server.process.pid) - before) / load.requests
        return load

    def open(self, server: Server, rate: float, seconds: float) -> Load:
        before = workers_cpu(server.process.pid)
        load = open_loop(server, rate, seconds)
        if load.requests:
            load.cpu_ms = 1000 * (workers_cpu(server.process.pid) - before) / load.requests
        return load


def describe(label: str, load: Load) -> str:
    how = f"c={load.connections}" if load.connections else f"open loop {load.offered:g}/s"
    text = (
        f"  {label:5} {how:18} {load.rate:8.1f} req/s  p50 {load.p50_ms:7.1f} ms  "
        f"p99 {load.p99_ms:7.1f} ms  max {load.max_ms:7.1f} ms  n={load.requests}"
    )
    if load.cpu_ms is not None:
        text += f"  server CPU {load.cpu_ms:.1f} ms/req"
    if load.errors or load.bad_status:
        text += f"  errors {load.errors}, non-2xx {load.bad_status}"
    if load.late_ms is not None:
        text += f"  (sender late p99 {load.late_ms:.1f} ms)"
    return text


def sweep(
    driver: Driver, server: Server, levels: Sequence[int], seconds: float, warmup: float
) -> list[Load]:
    driver.closed(server, max(2, min(levels)), warmup)
    runs = []
    for connections in levels:
        load = driver.closed(server, connections, seconds)
        print(describe(server.name, load), flush=True)
        runs.append(load)
    return runs


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serving",
        description="Max throughput and latency of POST /v1/verifications under gunicorn, "
        "against a bare Flask endpoint under the same settings.",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--connections",
        default="2,4,8,16",
        help="closed-loop connection counts to try; the best throughput counts (2,4,8,16)",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per level (5)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds (2)")
    parser.add_argument(
        "--half-duration", type=float, default=20.0, help="seconds of the open-loop run (20)"
    )
    add_database_option(parser)
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    try:
        args.levels = [int(x) for x in args.connections.split(",") if x.strip()]
    except ValueError:
        parser.error("--connections takes comma-separated integers")
    if not args.levels or min(args.levels) < 1 or args.workers < 1:
        parser.error("need at least one connection count >= 1 and --workers >= 1")
    return args


def main(argv: list[str] | None = None) -> list[Row]:
    args = parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    driver = Driver(workdir, use_wrk=not args.no_wrk)
    if not args.no_wrk and driver.wrk is None:
        note("wrk not found (apt-get install -y wrk): using the Python load generator")
    note(f"machine: {machine()}; load generator: {driver.name}")
    # The service's local encryption keys live with the run, not in the working directory.
    previous_key_file = os.environ.get("VERIFIER_DATA_KEY_FILE")
    os.environ["VERIFIER_DATA_KEY_FILE"] = str(workdir / "data-keys")
    try:
        with database(args.database_url, workdir) as url:
            return measure(args, driver, workdir, url)
    finally:
        if previous_key_file is None:
            os.environ.pop("VERIFIER_DATA_KEY_FILE", None)
        else:
            os.environ["VERIFIER_DATA_KEY_FILE"] = previous_key_file
        if args.keep:
            note(f"kept {workdir} (server logs)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(args: argparse.Namespace, driver: Driver, workdir: Path, url: str) -> list[Row]:
    token = admin_key(url)
    env = {**os.environ, "VERIFIER_DATABASE_URL": url}
    where = "PostgreSQL (throwaway schema)" if args.database_url else "SQLite (fresh file)"
    workers = str(args.workers)
    verifier = Path(sys.executable).with_name("verifier")
    ours_port, bare_port = free_port(), free_port()
    ours_command = [str(verifier), "serve", "--host", "127.0.0.1", "--port", str(ours_port)]
    ours_command += ["--workers", workers, "--no-migrate"]
    bare_command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{bare_port}"]
    bare_command += ["--workers", workers, *GUNICORN_LOGGING, "bench.bare_app:app"]
    print(
        f"serving: gunicorn, {workers} sync workers each; ours on {where} with the mock payer; "
        f"POST {PATH} for MOCK-IOP-DUAL; closed loop with {driver.name} at c="
        f"{','.join(map(str, args.levels))}, {args.duration:g} s each"
    )

    with serve("ours", ours_command, env, workdir, ours_port, workdir / "ours.log") as ours:
        ours.headers = {"Authorization": f"Bearer {token}"}
        ours_runs = sweep(driver, ours, args.levels, args.duration, args.warmup)
        ours_best = max(ours_runs, key=lambda load: load.rate)
        half = ours_best.rate / 2
        ours_half = driver.open(ours, half, args.half_duration)
        print(describe("ours", ours_half), flush=True)
        check_log(ours.log)

    bare_env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with serve("bare", bare_command, bare_env, ROOT, bare_port, workdir / "bare.log") as bare:
        bare_runs = sweep(driver, bare, args.levels, args.duration, args.warmup)
        bare_best = max(bare_runs, key=lambda load: load.rate)
        bare_half = driver.open(bare, half, min(args.half_duration, 10.0))
        print(describe("bare", bare_half), flush=True)

    ratio = ours_best.rate / bare_best.rate if bare_best.rate else 0.0
    ok_ratio, ok_p99 = ratio >= TARGET_RATIO, ours_half.p99_ms <= TARGET_P99_MS
    failures = sum(x.errors + x.bad_status for x in [*ours_runs, ours_half])
    print(
        f"max throughput: ours {ours_best.rate:.1f} req/s (c={ours_best.connections}), bare "
        f"{bare_best.rate:.1f} req/s (c={bare_best.connections}): ratio {ratio:.3f}; "
        f"target >= {TARGET_RATIO}: {verdict(ok_ratio)}"
    )
    print(
        f"p99 at half our max ({half:.1f} req/s, open loop, {ours_half.requests} requests): "
        f"{ours_half.p99_ms:.1f} ms (p50 {ours_half.p50_ms:.1f} ms); target <= "
        f"{TARGET_P99_MS:g} ms: {verdict(ok_p99)}"
    )
    if ours_best.cpu_ms and bare_best.cpu_ms:
        print(
            f"server CPU per request: ours {ours_best.cpu_ms:.1f} ms, bare "
            f"{bare_best.cpu_ms:.1f} ms: were both CPU-bound on the same cores, the ratio "
            f"would be about {bare_best.cpu_ms / ours_best.cpu_ms:.3f}"
        )
    if failures:
        print(f"note: {failures} of our requests failed or answered non-2xx (see the log)")
    print(f"machine: {machine()}")
    if os.getloadavg()[0] > 0.75 * (os.cpu_count() or 1):
        print("note: the machine was busy; the load generator and other work share its CPUs")
    db = "PostgreSQL" if args.database_url else "SQLite"
    return [
        Row(
            "serving",
            f"ours max ({db}, c={ours_best.connections}): req/s, p50/p99",
            f"{ours_best.rate:,.1f}/s, {ours_best.p50_ms:.0f}/{ours_best.p99_ms:.0f} ms",
        ),
        Row(
            "serving",
            f"bare max (c={bare_best.connections}): req/s, p50/p99",
            f"{bare_best.rate:,.1f}/s, {bare_best.p50_ms:.0f}/{bare_best.p99_ms:.0f} ms",
        ),
        Row(
            "serving",
            f"server CPU per request, ours ({db}) | bare",
            f"{cpu(ours_best)} | {cpu(bare_best)}",
        ),
        Row(
            "serving",
            f"throughput ours ({db}) / bare",
            f"{ratio:.3f}",
            f">= {TARGET_RATIO}",
            verdict(ok_ratio),
        ),
        Row(
            "serving",
            f"ours p99 at half max ({db}, {half:.1f}/s open loop)",
            f"{ours_half.p99_ms:.1f} ms (p50 {ours_half.p50_ms:.1f})",
            f"<= {TARGET_P99_MS:g} ms",
            verdict(ok_p99),
        ),
    ]


def cpu(load: Load) -> str:
    return "-" if load.cpu_ms is None else f"{load.cpu_ms:.1f} ms"


def check_log(log: Path) -> None:
    """Say so when the server logged tracebacks: failed requests make fast benchmarks."""
    text = log.read_text("utf-8", "replace")
    tracebacks = text.count("Traceback (most recent call last)")
    if tracebacks:
        note(f"the server logged {tracebacks} traceback(s); see {log} (--keep keeps it)")


if __name__ == "__main__":
    rows = main()
    print(format_rows(rows))

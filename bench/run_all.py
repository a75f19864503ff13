"""Run every benchmark with its defaults and print one table of their headline figures.

    .venv/bin/python -m bench.run_all                     # reading, serving, batch, memory
    .venv/bin/python -m bench.run_all --only reading      # a subset
    .venv/bin/python -m bench.run_all --database-url postgresql+psycopg://root@/test

Each benchmark's own report goes to standard error as it runs; standard output gets only the
table. bench.reading and bench.serving are called in this process (`main(argv)` returns rows);
bench.batch (N=1,000 at R=50/s and L=200 ms; then 4 workers against 1, latency-bound) and
bench.memory (N=10,000, one worker) run as subprocesses and their `target:` and `throughput:`
lines are read back. With --database-url, serving runs on SQLite and then on that PostgreSQL,
and batch and memory on PostgreSQL. About 8 minutes in all (10 with PostgreSQL). Not a test:
nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.common import Row, format_rows, machine

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ("reading", "serving", "batch", "memory")
# Both batch targets at the size they are stated for: about 25 s and 70 s.
BATCH_ARGS = ["--n", "1000", "--rate", "50", "--latency-ms", "200", "--workers", "1"]
SCALING_ARGS = ["--compare-workers", "--n", "1000", "--latency-ms", "200"]
BATCH_TIMEOUT = 600
# The target is stated for 10,000 jobs, so the full run (~1.5 min: 20 s enqueueing, ~55 s work).
MEMORY_ARGS = ["--n", "10000"]
MEMORY_TIMEOUT = 900


def subprocess_rows(
    name: str, arguments: list[str], label: str, timeout: float, database_url: str | None
) -> list[Row]:
    """`python -m bench.NAME ARGUMENTS` as a subprocess; its `target:` and `throughput:` lines
    become rows (a target line reads `target: GOAL: MET|MISSED (MEASURED)`)."""
    command = [sys.executable, "-m", f"bench.{name}", *arguments]
    if database_url:
        command += ["--database-url", database_url]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return [Row(name, label, f"no result in {timeout:.0f} s", "", f"see bench/{name}.py")]
    sys.stderr.write(done.stdout + done.stderr)
    rows = []
    for line in done.stdout.splitlines():
        if line.startswith("target:"):
            found = re.match(r"target: (.*?): (MET|MISSED)\s*\((.*)\)\s*$", line)
            if found:
                goal, result, measured = found.groups()
                goal = re.sub(r"\s*\(stated for [^)]*\)", "", goal)
                rows.append(Row(name, label, measured, goal, result))
            else:
                rows.append(Row(name, label, line.removeprefix("target:").strip()))
        elif line.startswith("throughput:"):
            rows.append(Row(name, "throughput", line.removeprefix("throughput:").strip()))
    if not rows:
        why = f"exit {done.returncode}, no target line"
        rows.append(Row(name, label, why, "", f"see bench/{name}.py"))
    return rows


def batch_rows(database_url: str | None) -> list[Row]:
    """bench.batch as subprocesses, rate-bound and then latency-bound with 1 and 4 workers;
    their verdict lines become rows."""
    label = "N=1000, R=50/s, L=200 ms, 1 worker"
    rows = subprocess_rows("batch", BATCH_ARGS, label, BATCH_TIMEOUT, database_url)
    label = "N=1000, L=200 ms, 4 vs 1 worker"
    return rows + subprocess_rows("batch", SCALING_ARGS, label, BATCH_TIMEOUT, database_url)


def memory_rows(database_url: str | None) -> list[Row]:
    """bench.memory as a subprocess at its target's own size (N=10,000, one worker)."""
    label = "RSS, N=10000, 1 worker"
    return subprocess_rows("memory", MEMORY_ARGS, label, MEMORY_TIMEOUT, database_url)


def run(name: str, call: Callable[[], list[Row]]) -> list[Row]:
    print(f"\n===== bench.{name} =====", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            rows = call()
    except Exception as error:  # one benchmark failing must not hide the others' figures
        traceback.print_exc()
        rows = [Row(name, "failed", f"{type(error).__name__}: {error}"[:90])]
    print(f"bench.{name} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.add_argument(
        "--only", help=f"comma-separated subset of {','.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument(
        "--database-url", help="PostgreSQL for serving, batch and memory (default: SQLite files)"
    )
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    before = machine()
    rows: list[Row] = []
    if "reading" in chosen:
        from bench import reading

        rows += run("reading", lambda: reading.main([]))
    if "serving" in chosen:
        from bench import serving

        rows += run("serving", lambda: serving.main([]))
        if args.database_url:  # the issue asks for both databases
            rows += run("serving", lambda: serving.main(["--database-url", args.database_url]))
    if "batch" in chosen:
        rows += run("batch", lambda: batch_rows(args.database_url))
    if "memory" in chosen:
        rows += run("memory", lambda: memory_rows(args.database_url))
    print(f"machine: {before}")
    print(format_rows(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What every benchmark shares: the table's rows, progress notes, verdicts, the machine, and
the database a run uses. Imported by each benchmark and by run_all; imports none of them."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import make_url

from verifier.store.scratch import postgres_schema


class Row(NamedTuple):
    """One headline figure: which benchmark, what was measured, the value, target, verdict."""

    bench: str
    figure: str
    value: str
    target: str = ""
    verdict: str = ""  # MET, MISSED, or "" where no target is stated


def format_rows(rows: Sequence[Row]) -> str:
    header = Row("benchmark", "figure", "measured", "target", "verdict")
    cells = [list(header), *(list(row) for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def note(message: str) -> None:
    """A progress line on standard error, where each benchmark's own report goes."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def machine() -> str:
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average {load:.2f}"
    )


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """--database-url, as `database` below takes it."""
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL (postgresql+psycopg://user@host:port/db): a throwaway schema is "
        "created there and dropped. Default: a fresh SQLite file.",
    )


@contextmanager
def database(url: str | None, workdir: Path) -> Iterator[str]:
    """A fresh SQLite file, or a throwaway schema in the PostgreSQL database at `url`."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return

    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("bench: --database-url must be PostgreSQL (SQLite is the default)")
    # The same throwaway schema the PostgreSQL tests use, dropped afterwards.
    yield from postgres_schema(url)

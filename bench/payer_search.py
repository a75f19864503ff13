"""The intake form's and console's payer search (GET /v1/payers?q=) over an imported directory.

    .venv/bin/python -m bench.payer_search        # 5,800 listed, ~5,200 imported; 2,000 searches
    .venv/bin/python -m bench.payer_search --payers 10000 --requests 4000

A Stedi-shaped payer list of `--payers` synthetic payers (names, ids and aliases as Stedi's List
Payers JSON carries them) goes through `verifier payers import`'s code into a directory beside a
one-payer operator file; the app serves from it. `--requests` searches (exact ids, name
prefixes, words inside names, aliases, misses) go through Flask's test client with an admin key,
so each figure holds routing, authentication, the query schema, the search and serialisation,
but no network. Measured in the same run: the floor (the same searches against the one-payer
directory) and the search this replaced (an unranked substring scan over every key, answering
every match). Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.directory import PayerDirectory, PayerSettings
from adapters.payer_lists import Connection, plan_import, read_stedi, render
from bench.common import Row, machine, note, verdict

TARGET_MS = 20.0
OWN = '[[payers]]\nid = "MOCK"\nname = "Mock Health Plan"\nadapter = "mock"\n'
BRANDS = [
    "Aetna", "Ambetter", "Anthem", "AmeriHealth", "Blue Cross", "Blue Shield", "Blue Cross Blue "
    "Shield", "CareSource", "Centene", "Cigna", "Elevance", "Highmark", "Humana", "Kaiser",
    "Magellan", "Medica", "Molina", "Optum", "Oscar", "Premera", "Regence", "Sentara", "Tufts",
    "UnitedHealthcare", "WellCare", "Wellmark", "Beacon", "Carelon", "Priority", "Harvard Pilgrim",
]  # fmt: skip
PLACES = [
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas",
    "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota",
    "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey",
    "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon",
    "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
]  # fmt: skip
KINDS = ["Health Plan", "Medicaid", "Medicare Advantage", "Community Plan", "Behavioral Health",
         "PPO", "HMO", "Commercial"]  # fmt: skip


def stedi_list(count: int, rng: random.Random) -> dict[str, Any]:
    """`count` payers as Stedi's List Payers JSON: unique names, ids and a few aliases each."""
    names = [f"{b} {p} {k}" for b in BRANDS for p in PLACES for k in KINDS]
    rng.shuffle(names)
    if count > len(names):
        raise SystemExit(f"bench: at most {len(names)} payers")
    items = []
    for number, name in enumerate(names[:count]):
        stedi = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=5))
        primary = f"{10000 + number * 7:05d}"
        aliases = [primary, f"{name.split()[0].upper()[:4]}{number:04d}", f"X{number * 13:06d}"]
        support = rng.choices(["SUPPORTED", "ENROLLMENT_REQUIRED", "NOT_SUPPORTED"], [8, 1, 1])
        items.append(
            {
                "stediId": stedi,
                "displayName": name,
                "primaryPayerId": primary,
                "aliases": aliases,
                "names": [name.upper()],
                "transactionSupport": {"eligibilityCheck": support[0]},
            }
        )
    return {"items": items}


def queries(directory: PayerDirectory, count: int, rng: random.Random) -> list[str]:
    """What people type: ids, the start of a name, a word inside one, an alias, a miss."""
    payers = directory.payers[1:]
    kinds: list[Callable[[PayerSettings], str]] = [
        lambda p: p.id,
        lambda p: p.name[: rng.randint(3, 8)],
        lambda p: rng.choice(p.name.split()[1:] or [p.name]),
        lambda p: rng.choice(p.aliases) if p.aliases else p.id,
        lambda p: "zz" + p.id,
    ]
    weights = [25, 30, 20, 15, 10]
    return [rng.choices(kinds, weights)[0](rng.choice(payers)).strip() for _ in range(count)]


def unranked(directory: PayerDirectory) -> Callable[..., list[PayerSettings]]:
    """The search this replaced: every key folded per request, every match answered."""

    def search(text: str | None = None, limit: int | None = None) -> list[PayerSettings]:
        if not text:
            return list(directory.payers)
        needle = text.casefold()
        return [
            p
            for p in directory.payers
            if any(needle in k.casefold() for k in (p.id, p.name, *p.aliases))
        ]

    return search


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def timed(client: Any, texts: list[str]) -> tuple[list[float], int]:
    """Milliseconds per GET /v1/payers?q=..., and the payers answered in all."""
    spent, answered = [], 0
    for text in texts:
        started = time.perf_counter()
        response = client.get("/v1/payers", query_string={"q": text})
        spent.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"bench: GET /v1/payers?q={text} answered {response.status_code}")
        answered += len(response.get_json())
    return spent, answered


def client_for(database_url: str, payers_file: str) -> tuple[Any, Any]:
    from verifier.app import create_app
    from verifier.security.keys import new_key

    settings = {"DATABASE_URL": database_url, "PAYERS_FILE": payers_file, "LOG_LEVEL": "WARNING"}
    app = create_app(settings)
    fresh = new_key("bench", ["admin"], [], datetime.now(UTC))
    app.extensions["verifier"].keys.add(fresh)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {fresh.token}"
    return app, client


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.payer_search", description=__doc__)
    parser.add_argument(
        "--payers",
        type=int,
        default=5800,
        help="payers listed (5800: about 5,200 support eligibility)",
    )
    parser.add_argument("--requests", type=int, default=2000, help="searches per case (2000)")
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[Row]:
    from verifier.store.migrate import upgrade

    args = parse(argv)
    rng = random.Random(args.seed)
    note(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-payers-") as tmp:
        work = Path(tmp)
        own = work / "payers.toml"
        own.write_text(OWN, "utf-8")
        started = time.perf_counter()
        listed = read_stedi(json.dumps(stedi_list(args.payers, rng)))
        plan = plan_import(listed, [{"id": "MOCK", "name": "Mock Health Plan"}], Connection(
            "clearinghouse-json", "https://healthcare.us.stedi.com", None, "adaptive"
        ))  # fmt: skip
        (work / "payers.imported.toml").write_text(render(plan, "bench"), "utf-8")
        imported_ms = (time.perf_counter() - started) * 1000
        database_url = f"sqlite:///{work / 'bench.sqlite3'}"
        upgrade(database_url)
        started = time.perf_counter()
        app, client = client_for(database_url, str(own))
        load_ms = (time.perf_counter() - started) * 1000
        directory = app.extensions["verifier"].directory
        texts = queries(directory, args.requests, rng)
        print(
            f"directory: {len(directory.payers)} payers ({len(plan.no_eligibility)} listed "
            f"without eligibility skipped); import {imported_ms:.0f} ms, app start with it "
            f"{load_ms:.0f} ms; {len(texts)} searches"
        )
        timed(client, texts[:200])  # warm up
        ours, answered = timed(client, texts)
        directory.search = unranked(directory)  # the search this replaced, same app
        before, before_answered = timed(client, texts)
        app.extensions["verifier"].close()
        (work / "floor.toml").write_text(OWN, "utf-8")
        floor_app, floor_client = client_for(database_url, str(work / "floor.toml"))
        floor, _ = timed(floor_client, texts)
        floor_app.extensions["verifier"].close()
    rows = []
    for label, spent, count in (
        ("floor (1 payer)", floor, None),
        ("before (unranked, all matches)", before, before_answered),
        ("ours (ranked, limit 20)", ours, answered),
    ):
        p50, p95, p99 = (percentile(spent, p) for p in (50, 95, 99))
        said = f", {count / len(texts):.1f} payers a search" if count is not None else ""
        print(f"{label}: p50 {p50:.2f} ms, p95 {p95:.2f} ms, p99 {p99:.2f} ms{said}")
        rows.append(Row("payer_search", f"p95, {label}", f"{p95:.2f} ms"))
    p95 = percentile(ours, 95)
    met = verdict(p95 < TARGET_MS)
    print(f"target: p95 under {TARGET_MS:g} ms over {len(directory.payers)} payers: {met} "
          f"({p95:.2f} ms)")  # fmt: skip
    rows[-1] = Row("payer_search", rows[-1].figure, rows[-1].value, f"< {TARGET_MS:g} ms", met)
    return rows


if __name__ == "__main__":
    main()

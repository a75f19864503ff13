"""Paid payer calls per determination and time to answer: `fan_out = adaptive` against `all`.

    .venv/bin/python -m bench.payer_mix                       # 200 members, L = 100 ms
    .venv/bin/python -m bench.payer_mix --carry 0.5 --latency-ms 50

The x12-http adapter talks to an in-process fake clearinghouse (an httpx MockTransport that
sleeps L before each answer, so concurrent inquiries overlap as they would over the network).
The payer is configured as the README shows, `service_types = ["30", "MH", "AI", "CH", "CJ"]`.
Members are drawn from a mix of payer behaviours:

- carries (`--carry`, 0.8): the generic (30) answer already holds the MH and AI rows, and an
  inquiry by type repeats them;
- plan only (half the rest): the generic answer holds plan rows only (status, deductible);
  the behavioral rows come only when asked by type;
- MH only (the other half): the generic answer holds the MH rows but no substance-use ones.

Each member is verified once in each mode, one after another (time to answer is one
verification's wall time, from check() to its determination). `all` is the baseline, measured
in the same run. The determinations must be the same in both modes, evidence compared by the
segments it cites (the `[inquiry X]` label names which call brought a row, and adaptive makes
fewer calls); the run stops on the first difference. Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from adapters.directory import PayerSettings
from adapters.http.adapters import X12HttpAdapter
from adapters.http.client import PayerHttp
from bench.common import Row, machine, note, verdict
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json
from verifier.domain.request import Provider, Subscriber, VerificationRequest

SCENARIOS = Path(__file__).resolve().parents[1] / "adapters" / "mock" / "scenarios"
SERVICE_TYPES = ("30", "MH", "AI", "CH", "CJ")
CALLS_TARGET = 2.0
TIME_TARGET = 2.0  # × the payer's latency


def scenario(name: str, drop: tuple[str, ...] = (), replace: tuple[str, str] = ("", "")) -> str:
    text = (SCENARIOS / f"{name}.271").read_text("utf-8")
    kept = [s for s in text.split("~") if not s.strip().startswith(drop)]
    return "~".join(kept).replace(*replace) if replace[0] else "~".join(kept)


# What each kind of payer answers: to the generic inquiry, and to an inquiry by type.
FULL = scenario("MOCK-GENERAL-MH")
ANSWERS = {
    "carries": (FULL, FULL),
    "plan-only": (scenario("MOCK-GENERAL-MH", drop=("EB*1**MH^AI", "EB*B", "EB*A")), FULL),
    "mh-only": (scenario("MOCK-GENERAL-MH", replace=("MH^AI", "MH")), FULL),
}


class FakeClearinghouse:
    """Answers each 270 after `latency` seconds with the 271 its member's kind of payer sends;
    counts the calls per member."""

    def __init__(self, kinds: dict[str, str], latency: float) -> None:
        self.kinds, self.latency = kinds, latency
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        x12 = json.loads(request.content)["x12"]
        member = x12.split("NM1*IL*1*", 1)[1].split("~", 1)[0].rsplit("*", 1)[-1]
        asked = x12.split("EQ*", 1)[1].split("~", 1)[0]
        with self.lock:
            self.calls[member] += 1
        time.sleep(self.latency)
        generic, by_type = ANSWERS[self.kinds[member]]
        return httpx.Response(200, json={"x12": generic if asked == "30" else by_type})


def adapter(fan_out: str, transport: httpx.MockTransport) -> X12HttpAdapter:
    settings = PayerSettings(
        id="MIX",
        name="Payer Mix",
        adapter="x12-http",
        base_url="http://clearinghouse.invalid",
        service_types=SERVICE_TYPES,
        fan_out=fan_out,
    )
    http = PayerHttp(settings, httpx.Client(transport=transport), attempts=1)
    return X12HttpAdapter(settings, http, retry_pause=0.0)


def request(member: str) -> VerificationRequest:
    from datetime import date

    return VerificationRequest(
        payer_id="MIX",
        subscriber=Subscriber(member, "Jane", "Doe", date(1985, 3, 15), "GRP1001"),
        provider=Provider("1234567893", "Example Recovery"),
        service_date=date(2026, 11, 27),
    )


def cited(determination: dict[str, Any]) -> dict[str, Any]:
    """Evidence as the segments it cites, without the label naming the inquiry."""
    for level in determination["levels_of_care"].values():
        segments = [
            e.split("] ", 1)[1] if e.startswith("[inquiry ") else e for e in level["evidence"]
        ]
        level["evidence"] = list(dict.fromkeys(segments))
    return determination


def run(
    fan_out: str, members: list[str], fake: FakeClearinghouse
) -> tuple[dict[str, dict[str, Any]], list[float], Counter[str]]:
    """Each member's determination, each time to answer (s), and the calls per member."""
    fake.calls = Counter()
    payer = adapter(fan_out, httpx.MockTransport(fake))
    found, spent = {}, []
    for member in members:
        started = time.perf_counter()
        response = payer.check(request(member))
        determination = as_json(interpret(response.answers[0]))
        spent.append(time.perf_counter() - started)
        found[member] = cited(determination)
    payer.pool.shutdown()
    return found, spent, fake.calls


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.payer_mix", description=__doc__)
    parser.add_argument("--members", type=int, default=200, help="verifications per mode (200)")
    parser.add_argument("--latency-ms", type=float, default=100.0, help="the payer's L (100)")
    parser.add_argument(
        "--carry", type=float, default=0.8, help="share of generic answers with MH and AI (0.8)"
    )
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> list[Row]:
    args = parse(argv)
    note(f"machine: {machine()}")
    rng = random.Random(args.seed)
    rest = (1 - args.carry) / 2
    kinds = {
        f"MIX{n:05d}": rng.choices(list(ANSWERS), [args.carry, rest, rest])[0]
        for n in range(args.members)
    }
    members = list(kinds)
    latency = args.latency_ms / 1000
    fake = FakeClearinghouse(kinds, latency)
    run("all", members[:5], fake)  # warm up: imports, thread pool, the reader
    modes: dict[str, tuple[dict[str, dict[str, Any]], list[float], Counter[str]]] = {}
    for fan_out in ("all", "adaptive"):
        modes[fan_out] = run(fan_out, members, fake)
    differ = [m for m in members if modes["all"][0][m] != modes["adaptive"][0][m]]
    if differ:
        raise SystemExit(f"bench: adaptive and all disagree for {len(differ)} members, "
                         f"first {differ[0]} ({kinds[differ[0]]})")  # fmt: skip
    mix = Counter(kinds.values())
    print(
        f"mix: {args.members} members, "
        + ", ".join(f"{count} {kind}" for kind, count in sorted(mix.items()))
        + f"; L = {args.latency_ms:g} ms; service types {', '.join(SERVICE_TYPES)}; "
        "determinations identical in both modes"
    )
    rows = []
    figures: dict[str, tuple[float, float, float]] = {}
    for fan_out, (_, spent, calls) in modes.items():
        per = sum(calls.values()) / len(members)
        mean = sum(spent) / len(spent)
        figures[fan_out] = (per, mean, percentile(spent, 95))
        by_kind = ", ".join(
            f"{kind} {sum(calls[m] for m in members if kinds[m] == kind) / mix[kind]:.2f}"
            for kind in sorted(mix)
        )
        print(
            f"{fan_out}: {per:.2f} calls a determination ({by_kind}); time to answer mean "
            f"{mean * 1000:.0f} ms ({mean / latency:.2f} L), p95 {percentile(spent, 95) * 1000:.0f}"
            f" ms ({percentile(spent, 95) / latency:.2f} L)"
        )
    per, mean, p95 = figures["adaptive"]
    calls_ok, time_ok = per <= CALLS_TARGET, mean <= TIME_TARGET * latency
    print(f"target: calls a determination at most {CALLS_TARGET:g}: {verdict(calls_ok)} "
          f"({per:.2f}; all: {figures['all'][0]:.2f})")  # fmt: skip
    print(f"target: mean time to answer within {TIME_TARGET:g} L: {verdict(time_ok)} "
          f"({mean / latency:.2f} L; all: {figures['all'][1] / latency:.2f} L)")  # fmt: skip
    label = f"carry {args.carry:g}, L={args.latency_ms:g} ms"
    rows.append(Row("payer_mix", f"calls/determination, all ({label})", f"{figures['all'][0]:.2f}"))
    rows.append(Row("payer_mix", f"calls/determination, adaptive ({label})", f"{per:.2f}",
                    f"<= {CALLS_TARGET:g}", verdict(calls_ok)))  # fmt: skip
    rows.append(
        Row("payer_mix", "mean time to answer, all", f"{figures['all'][1] / latency:.2f} L")
    )
    rows.append(Row("payer_mix", "mean time to answer, adaptive", f"{mean / latency:.2f} L",
                    f"<= {TIME_TARGET:g} L", verdict(time_ok)))  # fmt: skip
    rows.append(Row("payer_mix", "p95 time to answer, adaptive", f"{p95 / latency:.2f} L"))
    return rows


if __name__ == "__main__":
    main()

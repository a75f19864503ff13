"""A corpus of X12 271 answers for the reading benchmark: real payer samples, the mock scenarios,
and generated answers of realistic size (deterministic: the same seed gives the same bytes).

    .venv/bin/python -m bench.corpus                 # what the corpus holds
    .venv/bin/python -m bench.corpus --write DIR     # write every 271 to DIR, one file each

Generated answers start from the mock scenarios: each patient (one to four per answer, some
with a dependent) gets one scenario's benefit loops (EB with its MSG, LS/LE 2120, ...), and
extra EB loops with varied service types, amounts, networks and messages are added until the
answer reaches its drawn size (60 to 120 segments, envelope included). Half of them are
`full`: every patient in one transaction set, with everything payers send. The other half are
`portable`: they keep to what the baseline parser (linuxforhealth-x12 0.57) accepts, so the
baseline can be timed on realistic sizes too: one transaction set per patient (it rejects a
second subscriber loop under one provider), no PER in loop 2100A (it miscounts SE01 then), no
service types A8/CJ and no EB09 quantity qualifier (it rejects both), no AAA 75 for a patient.

Nothing here reads X12 with the project's own reader: the corpus is neutral ground.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_DIR = ROOT / "adapters" / "mock" / "scenarios"
PAYER_SAMPLES = ROOT.parent / "shared" / "payer-samples"
V5010 = "005010X279A1"
DEFAULT_SEED = 271
DEFAULT_GENERATED = 60
SIZE_RANGE = (60, 120)

# Service types the generator draws from. The baseline's code list lacks A8, CI and CJ.
BEHAVIORAL = ("MH", "CH", "CF", "A4", "A6", "A7", "A8", "AI", "AJ", "AK", "CJ", "BB", "CG", "RT")
MEDICAL = ("1", "33", "35", "47", "48", "50", "86", "88", "98", "AL", "UC", "BC", "30")
NOT_PORTABLE_TYPES = frozenset({"A8", "CJ", "CI"})
# Scenario blocks a patient may be given (PAYER-DOWN is a payer-level answer, not a patient).
PATIENT_SCENARIOS = (
    "MOCK-IOP-DUAL",
    "MOCK-MH-ONLY",
    "MOCK-SUD-ONLY",
    "MOCK-HMO",
    "MOCK-DEDUCTIBLE-MET",
    "MOCK-CARVE-OUT",
    "MOCK-INACTIVE",
    "MOCK-NOT-FOUND",
)
FIRST = ("JANE", "JOHN", "MARIA", "WEI", "AISHA", "DIEGO", "PRIYA", "OWEN", "LENA", "SAM")
LAST = ("DOE", "SMITH", "NGUYEN", "GARCIA", "OKAFOR", "MULLER", "ROSSI", "KIM", "PATEL", "COHEN")
MESSAGES = (
    "PRIOR AUTHORIZATION REQUIRED",
    "NO PRIOR AUTHORIZATION REQUIRED FOR IN-NETWORK PROVIDERS",
    "COPAY WAIVED IF ADMITTED",
    "BENEFITS SUBJECT TO MEDICAL NECESSITY REVIEW",
    "TELEHEALTH VISITS COVERED AT THE SAME LEVEL",
    "COINSURANCE APPLIES AFTER DEDUCTIBLE",
    "SERVICES MUST BE RENDERED BY A PARTICIPATING PROVIDER",
)


@dataclass(frozen=True, slots=True)
class Sample:
    """One 271 file of the corpus."""

    name: str  # payer/<file>, mock/<scenario>, gen/<index>-<flavour>
    source: str  # "payer", "mock" or "generated"
    text: str  # the file as read (payer samples keep their byte-order marks and indentation)
    version: str  # GS08 (or ST03), e.g. 005010X279A1 or 004010X092A1
    segments: int  # segments in the file, envelope included
    flavour: str = ""  # generated only: "full" or "portable"

    @property
    def is_5010(self) -> bool:
        return self.version.startswith("005010")


@dataclass(frozen=True, slots=True)
class _Seps:
    element: str
    component: str
    repetition: str
    segment: str


def _separators(text: str) -> _Seps | None:
    if not text.startswith("ISA") or len(text) < 106:
        return None
    element = text[3]
    parts = text.split(element, 16)
    if len(parts) < 17 or len(parts[16]) < 2:
        return None
    return _Seps(element, parts[16][0], parts[11], parts[16][1])


def _segments(text: str, seps: _Seps) -> list[list[str]]:
    out = []
    for chunk in text.split(seps.segment):
        segment = chunk.strip(" \t\r\n\ufeff")
        if segment:
            out.append(segment.split(seps.element))
    return out


def _describe(name: str, source: str, text: str, flavour: str = "") -> Sample | None:
    """A Sample when the text is an X12 interchange holding a 271; None otherwise."""
    stripped = text.lstrip("\ufeff \t\r\n")
    seps = _separators(stripped)
    if seps is None:
        return None
    segments = _segments(stripped, seps)
    kinds = {s[1] for s in segments if s[0] == "ST" and len(s) > 1}
    if kinds != {"271"}:
        return None
    version = next((s[8] for s in segments if s[0] == "GS" and len(s) > 8), "")
    version = version or next((s[3] for s in segments if s[0] == "ST" and len(s) > 3), "")
    return Sample(name, source, text, version.strip(), len(segments), flavour)


def payer_samples(folder: Path = PAYER_SAMPLES) -> list[Sample]:
    """The real 271s in ../shared/payer-samples (270s, JSON and README skipped); [] if absent."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        sample = _describe(f"payer/{path.name}", "payer", text)
        if sample is not None:
            found.append(sample)
    return found


def scenario_text(name: str) -> str:
    return (SCENARIO_DIR / f"{name}.271").read_text("utf-8")


def mock_scenarios() -> list[Sample]:
    found = []
    for path in sorted(SCENARIO_DIR.glob("*.271")):
        sample = _describe(f"mock/{path.stem}", "mock", path.read_text("utf-8"))
        if sample is not None:
            found.append(sample)
    return found


# --- generated answers -------------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    """One scenario's patient part: rejections before the benefits, and the benefit loops."""

    aaa: list[list[str]]
    loops: list[list[list[str]]]  # each: EB then the segments it owns (MSG, LS, NM1, PER, LE...)
    inactive: bool


def _scenario_block(name: str) -> _Block:
    text = scenario_text(name)
    seps = _separators(text)
    assert seps is not None, name
    segments = _segments(text, seps)
    aaa: list[list[str]] = []
    loops: list[list[list[str]]] = []
    in_patient = False
    for elements in segments:
        tag = elements[0]
        if tag == "HL":
            in_patient = len(elements) > 3 and elements[3] in ("22", "23")
            continue
        if not in_patient or tag in ("SE", "GE", "IEA"):
            continue
        if tag == "AAA":
            aaa.append(elements)
        elif tag == "EB":
            eb = list(elements)
            if len(eb) > 3 and seps.repetition and seps.repetition != "^":
                eb[3] = eb[3].replace(seps.repetition, "^")  # generated files use ^
            loops.append([eb])
        elif loops and tag in ("MSG", "LS", "LE", "NM1", "PER", "HSD", "REF", "DTP", "III"):
            loops[-1].append(list(elements))
    inactive = any(loop[0][1] in ("6", "7", "8") for loop in loops)
    return _Block(aaa, loops, inactive)


def _portable_loop(loop: list[list[str]]) -> list[list[str]] | None:
    """The loop as the baseline can read it, or None when it cannot be made so."""
    eb = loop[0]
    if len(eb) > 9 and eb[9]:
        return None  # EB09 quantity qualifier: the baseline types it as a number
    types = eb[3].split("^") if len(eb) > 3 else []
    kept = [t for t in types if t not in NOT_PORTABLE_TYPES]
    if types and not kept:
        return None
    if len(eb) > 3:
        eb = [*eb[:3], "^".join(dict.fromkeys(kept)), *eb[4:]]
    return [eb, *loop[1:]]


def _money(rng: random.Random, low: int, high: int, step: int) -> str:
    return str(rng.randrange(low, high + 1, step))


def _extra_loop(rng: random.Random, portable: bool, insurance: str) -> list[list[str]]:
    """One more benefit loop, of a kind payers send for behavioral and medical services."""
    pool = [t for t in BEHAVIORAL + MEDICAL if not (portable and t in NOT_PORTABLE_TYPES)]
    types = "^".join(dict.fromkeys(rng.sample(pool, rng.choice((1, 1, 2, 3)))))
    network = rng.choice(("Y", "N", "W"))
    auth = rng.choice(("Y", "N", ""))
    kind = rng.choice(
        ("copay", "copay", "coins", "coins", "active", "deduct", "oop", "limit", "nc")
    )
    if kind == "copay":
        amount = _money(rng, 10, 75, 5)
        period = rng.choice(("27", "7"))
        eb = ["EB", "B", "IND", types, insurance, "", period, amount, "", "", "", auth, network]
    elif kind == "coins":
        percent = f".{rng.choice((1, 2, 3, 4, 5))}"
        eb = ["EB", "A", "IND", types, insurance, "", "27", "", percent, "", "", auth, network]
    elif kind == "active":
        eb = ["EB", "1", "", types, insurance]
    elif kind in ("deduct", "oop"):
        code = "C" if kind == "deduct" else "G"
        level = rng.choice(("IND", "FAM"))
        period = rng.choice(("23", "29"))
        amount = _money(rng, 250, 12000, 50)
        eb = ["EB", code, level, types, "", "", period, amount, "", "", "", "", network]
    elif kind == "limit" and not portable:
        count = str(rng.choice((10, 20, 30, 45, 60)))
        eb = ["EB", "F", "IND", types, "", "", "23", "", "", "VS", count]
    elif kind == "limit":
        eb = ["EB", "F", "IND", types, "", "", "23", _money(rng, 1000, 5000, 500)]
    else:
        eb = ["EB", "I", "", types]
    loop = [eb]
    roll = rng.random()
    if roll < 0.35:
        loop.append(["MSG", rng.choice(MESSAGES)])
    elif roll < 0.45:
        loop.append(["HSD", "VS", str(rng.choice((1, 3, 5))), "", "", "7", "1"])
    elif roll < 0.5:
        loop += [
            ["LS", "2120"],
            ["NM1", "X3", "2", "ACME BEHAVIORAL UM", "", "", "", "", "PI", "ACMEUM"],
            ["PER", "IC", "", "TE", "8005550101"],
            ["LE", "2120"],
        ]
    return loop


def _patient(
    rng: random.Random, hl: int, number: str, dependent: bool, block: _Block
) -> tuple[list[list[str]], int]:
    """The HL 22 (and HL 23) levels of one patient without benefits; returns the next HL id."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    dob = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    end = "20260930" if block.inactive else "20261231"
    out = [
        ["HL", str(hl), "2", "22", "1" if dependent else "0"],
        ["TRN", "2", f"TRACE{number}", "9EXAMPLERC"],
        ["NM1", "IL", "1", last, first, "", "", "", "MI", f"GEN{number}"],
        *block.aaa,
        ["REF", "6P", f"GRP{rng.randint(1000, 9999)}"],
        ["DMG", "D8", dob, rng.choice(("F", "M"))],
        ["DTP", "346", "D8", "20260101"],
        ["DTP", "347", "D8", end],
    ]
    if not dependent:
        return out, hl + 1
    child = f"{rng.randint(2008, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    out += [
        ["HL", str(hl + 1), str(hl), "23", "0"],
        ["TRN", "2", f"TRACE{number}D", "9EXAMPLERC"],
        ["NM1", "03", "1", last, rng.choice(FIRST)],
        ["DMG", "D8", child, rng.choice(("F", "M"))],
        ["INS", "N", "19"],
        ["DTP", "346", "D8", "20260101"],
    ]
    return out, hl + 2


def generate(index: int, seed: int = DEFAULT_SEED, *, portable: bool | None = None) -> Sample:
    """Generated answer number `index`: the same (index, seed) always gives the same text."""
    rng = random.Random(f"{seed}:{index}")
    portable = index % 2 == 1 if portable is None else portable
    target = rng.randint(*SIZE_RANGE)
    control = f"{index % 1_000_000_000:09d}"
    header = [
        ["BHT", "0022", "11", f"GEN{seed}{index:05d}", "20261127", "0930"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", "ACME HEALTH PLAN", "", "", "", "", "PI", "ACME1"],
    ]
    if not portable:
        header.append(["PER", "IC", "PROVIDER SERVICES", "TE", "8005550100"])
    header += [
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", "EXAMPLE RECOVERY", "", "", "", "", "XX", "1234567893"],
    ]
    # Full: every patient in one transaction set (several 2000C loops under one 2000B).
    # Portable: one transaction set per patient; the baseline rejects a second 2000C.
    envelope = 7  # ISA GS ST ... SE GE IEA
    per_patient = 2 + len(header) if portable else 0
    scenarios = [s for s in PATIENT_SCENARIOS if not (portable and s == "MOCK-NOT-FOUND")]
    patients: list[tuple[list[list[str]], list[list[list[str]]]]] = []
    size = envelope + len(header) - per_patient
    hl = 3
    wanted = rng.choice((1, 2, 2, 3, 3, 4))
    while len(patients) < wanted:
        block = _scenario_block(rng.choice(scenarios))
        loops = [p for p in (_portable_loop(x) if portable else x for x in block.loops) if p]
        dependent = rng.random() < 0.2 and not block.aaa
        number = f"{index:05d}{len(patients):02d}"
        head, next_hl = _patient(rng, 3 if portable else hl, number, dependent, block)
        cost = per_patient + len(head) + sum(len(loop) for loop in loops)
        if patients and size + cost > target:
            break
        patients.append((head, loops))
        size, hl = size + cost, next_hl
    # Pad with extra benefit loops, round-robin over the patients the payer found.
    found = [loops for _, loops in patients if loops]
    turn = 0
    while found and size < target:
        loop = _extra_loop(rng, portable, rng.choice(("PR", "HM", "C1", "")))
        found[turn % len(found)].append(loop)
        size += len(loop)
        turn += 1
    sets: list[list[list[str]]] = []
    for head, loops in patients:
        if portable or not sets:
            sets.append([["ST", "271", f"{len(sets) + 1:04d}", V5010], *header])
        sets[-1] += head
        for loop in loops:
            sets[-1] += loop
    for control_number, body in enumerate(sets, 1):
        body.append(["SE", str(len(body) + 1), f"{control_number:04d}"])
    isa = (
        "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*EXAMPLERECOV   *261127*0930*^*00501*"
        f"{control}*0*T*:"
    )
    lines = [
        isa,
        f"GS*HB*ACMEHEALTH*EXAMPLERECOV*20261127*0930*{index}*X*{V5010}",
        *("*".join(segment).rstrip("*") for body in sets for segment in body),
        f"GE*{len(sets)}*{index}",
        f"IEA*1*{control}",
    ]
    text = "~\n".join(lines) + "~\n"
    flavour = "portable" if portable else "full"
    sample = _describe(f"gen/{index:03d}-{flavour}", "generated", text, flavour)
    assert sample is not None
    return sample


def generated(count: int = DEFAULT_GENERATED, seed: int = DEFAULT_SEED) -> list[Sample]:
    return [generate(i, seed) for i in range(count)]


def typical(seed: int = DEFAULT_SEED) -> Sample:
    """A typical IOP answer: one patient, MOCK-IOP-DUAL's loops padded to about 80 segments."""
    rng = random.Random(f"{seed}:typical")
    text = scenario_text("MOCK-IOP-DUAL")
    seps = _separators(text)
    assert seps is not None
    segments = _segments(text, seps)
    before_se = [s for s in segments if s[0] not in ("SE", "GE", "IEA")]
    while len(before_se) + 3 < 80:
        before_se += _extra_loop(rng, False, "PR")
    body = before_se[2:]  # from ST
    lines = [
        "*".join(s).rstrip("*") for s in [*before_se[:2], *body, ["SE", str(len(body) + 1), "0001"]]
    ]
    lines += ["GE*1*101", "IEA*1*000000101"]
    sample = _describe("gen/typical-IOP-DUAL", "generated", "~\n".join(lines) + "~\n", "full")
    assert sample is not None
    return sample


def corpus(
    *,
    samples: Path | None = PAYER_SAMPLES,
    count: int = DEFAULT_GENERATED,
    seed: int = DEFAULT_SEED,
) -> list[Sample]:
    """Payer samples (when the folder exists), the mock scenarios, then `count` generated."""
    real = payer_samples(samples) if samples is not None else []
    return [*real, *mock_scenarios(), *generated(count, seed)]


def describe(samples: list[Sample]) -> str:
    by_source = Counter(s.source for s in samples)
    sizes = [s.segments for s in samples if s.source == "generated"]
    lines = [
        f"{len(samples)} files: "
        + ", ".join(f"{n} {source}" for source, n in sorted(by_source.items())),
        f"5010: {sum(s.is_5010 for s in samples)}, other versions: "
        + (", ".join(sorted({s.version for s in samples if not s.is_5010})) or "none"),
    ]
    if sizes:
        lines.append(
            f"generated sizes: {min(sizes)}-{max(sizes)} segments "
            f"(median {statistics.median(sizes):g})"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("--generated", type=int, default=DEFAULT_GENERATED)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--samples", type=Path, default=PAYER_SAMPLES)
    parser.add_argument("--write", type=Path, help="write each 271 to this folder")
    args = parser.parse_args(argv)
    samples = [*corpus(samples=args.samples, count=args.generated, seed=args.seed), typical()]
    print(describe(samples))
    for sample in samples:
        flavour = f" {sample.flavour}" if sample.flavour else ""
        print(f"  {sample.name:70} {sample.version:14} {sample.segments:4} segments{flavour}")
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for sample in samples:
            (args.write / (sample.name.replace("/", "__") + ".271")).write_text(sample.text)
        print(f"wrote {len(samples)} files to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

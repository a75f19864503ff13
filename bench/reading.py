"""Benchmark reading payer answers: determinations per second of our path, `read_271` ->
`interpret` -> `as_json`, on one core, against a baseline X12 parser on the same files.

    .venv/bin/python -m bench.reading                  # ours and the baseline (about 30 s)
    .venv/bin/python -m bench.reading --no-baseline    # ours only
    .venv/bin/python -m bench.reading --profile        # and where our time goes (cProfile)
    .venv/bin/python -m bench.reading --instructions   # and instruction counts (callgrind)

The corpus is bench/corpus.py's: the real payer samples in ../shared/payer-samples (when that
folder exists), the mock scenarios and generated answers of realistic size. The baseline is
linuxforhealth-x12 0.57.0 (`X12ModelReader(text).models()`: parsing and pydantic validation,
no interpretation); it needs pydantic 1, so it runs in its own virtualenv, bench/.venv-baseline,
made here from bench/requirements-baseline.txt on first use. It is timed on the 5010 files it
accepts (the rest are counted and named), and ours on exactly those files, for the ratio. Both
get the text with leading byte-order mark and whitespace removed, as `read_answers` does.

Each repetition is one pass over the files (after a warm-up pass), timed with
time.perf_counter; the best and the median of the repetitions are reported. The comparison runs
in rounds that alternate the baseline and ours (3 rounds: 3 baseline passes and 7 of ours each),
so that both meet the same load when the machine is shared; other work slows both sides all the
same, so the load average is printed, and the rate by CPU time (time.process_time) too.
Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.x12.reader import read_271
from bench.common import Row, format_rows, machine, note, verdict
from bench.corpus import DEFAULT_GENERATED, DEFAULT_SEED, PAYER_SAMPLES, Sample, corpus, typical
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json

ROOT = Path(__file__).resolve().parents[1]
BASELINE_VENV = ROOT / "bench" / ".venv-baseline"
REQUIREMENTS = ROOT / "bench" / "requirements-baseline.txt"
BASELINE_NAME = "linuxforhealth-x12 0.57.0"
TARGET_RATIO = 30.0  # our rate / the baseline's, on the files both read
TARGET_TYPICAL = 10_000.0  # determinations per second of a typical 271, one core
REP_SECONDS = 0.25  # a repetition of one file loops at least this long

# Runs in the baseline's virtualenv: argv[1] is a JSON job {"files": [[name, text]], "repeat"}.
BASELINE_WORKER = r"""
import gc, json, sys, time
from linuxforhealth.x12.io import X12ModelReader

def parse(text):
    models = 0
    with X12ModelReader(text) as reader:
        for _ in reader.models():
            models += 1
    return models

with open(sys.argv[1], encoding="utf-8") as handle:
    job = json.load(handle)
accepted, rejected, models = [], {}, 0
for name, text in job["files"]:  # also the warm-up pass
    try:
        models += parse(text)
        accepted.append((name, text))
    except Exception as error:
        first = (str(error).strip().splitlines() or [""])[0]
        rejected[name] = f"{type(error).__name__}: {first[:150]}"
wall, cpu = [], []
for _ in range(job["repeat"] if accepted else 0):
    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    for _, text in accepted:
        parse(text)
    wall.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
json.dump({"accepted": [n for n, _ in accepted], "rejected": rejected, "models": models,
           "wall": wall, "cpu": cpu}, sys.stdout)
"""


# For --instructions: the same work under valgrind's callgrind, which counts instructions
# whatever else the machine runs. argv: passes, then the files. One warm-up call first.
OURS_COUNTED = r"""
import sys
from adapters.x12.reader import read_271
from verifier.domain.coverage import interpret
from verifier.domain.determination import as_json

def determine(text):
    for answer in read_271(text):
        as_json(interpret(answer))

texts = [open(path, encoding="utf-8").read() for path in sys.argv[2:]]
determine(texts[0])
for _ in range(int(sys.argv[1])):
    for text in texts:
        determine(text)
"""
BASELINE_COUNTED = r"""
import sys
from linuxforhealth.x12.io import X12ModelReader

def parse(text):
    with X12ModelReader(text) as reader:
        for _ in reader.models():
            pass

texts = [open(path, encoding="utf-8").read() for path in sys.argv[2:]]
parse(texts[0])
for _ in range(int(sys.argv[1])):
    for text in texts:
        parse(text)
"""


@dataclass
class Timing:
    """Repetitions of one measured unit (a pass over files, or `inner` reads of one file)."""

    wall: list[float]
    cpu: list[float]
    units: int  # determinations (or files) per repetition

    @property
    def best(self) -> float:
        return self.units / min(self.wall)

    @property
    def median(self) -> float:
        return self.units / statistics.median(self.wall)

    @property
    def best_cpu(self) -> float:
        return self.units / min(self.cpu)


@dataclass
class Baseline:
    accepted: list[str]
    rejected: dict[str, str]
    timing: Timing | None
    error: str | None = None


def determine(texts: Sequence[str]) -> int:
    """Our whole path for each text; returns the number of determinations."""
    count = 0
    for text in texts:
        for answer in read_271(text):
            as_json(interpret(answer))
            count += 1
    return count


def measure(work: Callable[[], int], repeat: int, inner: int = 1) -> Timing:
    work()  # warm-up
    wall, cpu, units = [], [], 0
    for _ in range(repeat):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        units = sum(work() for _ in range(inner))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing(wall, cpu, units)


def measure_file(text: str, repeat: int) -> Timing:
    started = time.perf_counter()
    determine([text])
    inner = max(1, int(REP_SECONDS / max(time.perf_counter() - started, 1e-6)))
    return measure(lambda: determine([text]), repeat, inner)


def stages(texts: Sequence[str], repeat: int) -> dict[str, float]:
    """Best seconds per pass of each stage alone: read_271, interpret, as_json."""
    answers = [a for text in texts for a in read_271(text)]
    determinations = [interpret(a) for a in answers]

    def read() -> int:
        return sum(len(read_271(text)) for text in texts)

    def decide() -> int:
        return len([interpret(a) for a in answers])

    def serialize() -> int:
        return len([as_json(d) for d in determinations])

    return {
        name: min(measure(work, repeat).wall)
        for name, work in (("read_271", read), ("interpret", decide), ("as_json", serialize))
    }


def baseline_python(install: bool) -> Path:
    """The baseline virtualenv's interpreter, made and filled on first use."""
    python = BASELINE_VENV / "bin" / "python"
    if python.exists():
        check = subprocess.run(
            [str(python), "-c", "import linuxforhealth.x12.io"], capture_output=True, check=False
        )
        if check.returncode == 0:
            return python
    if not install:
        raise RuntimeError(f"{BASELINE_VENV} is missing (run without --no-install)")
    creator = shutil.which("python3") or sys.executable
    note(f"making {BASELINE_VENV.relative_to(ROOT)} for the baseline ({BASELINE_NAME})")
    subprocess.run([creator, "-m", "venv", str(BASELINE_VENV)], check=True)
    pip = BASELINE_VENV / "bin" / "pip"
    done = subprocess.run(
        [str(pip), "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"pip install -r {REQUIREMENTS.name} failed: {tail}")
    return python


def run_baseline(samples: Sequence[Sample], repeat: int, install: bool) -> Baseline:
    try:
        python = baseline_python(install)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        return Baseline([], {}, None, str(error))
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as folder:
        job, worker = Path(folder) / "job.json", Path(folder) / "worker.py"
        files = [[s.name, s.text.lstrip("\ufeff \t\r\n")] for s in samples]
        job.write_text(json.dumps({"files": files, "repeat": repeat}), "utf-8")
        worker.write_text(BASELINE_WORKER, "utf-8")
        done = subprocess.run(
            [str(python), str(worker), str(job)], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return Baseline([], {}, None, f"the baseline worker failed: {tail}")
    result = json.loads(done.stdout)
    accepted = list(result["accepted"])
    timing = Timing(result["wall"], result["cpu"], len(accepted)) if result["wall"] else None
    return Baseline(accepted, dict(result["rejected"]), timing)


def instructions(common: Sequence[Sample], passes: int = 2) -> tuple[float, float] | None:
    """Instructions per pass over `common` (ours, the baseline), counted by callgrind: each side
    runs with 0 and with `passes` passes, and the difference is divided. None without valgrind."""
    valgrind = shutil.which("valgrind")
    python = BASELINE_VENV / "bin" / "python"
    if valgrind is None or not python.exists() or not common:
        return None
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="bench-counted-") as folder:
        files = []
        for index, sample in enumerate(common):
            path = Path(folder) / f"{index:03d}.271"
            path.write_text(sample.text.lstrip("\ufeff \t\r\n"), "utf-8")
            files.append(str(path))
        scripts = {"ours": Path(folder) / "ours.py", "baseline": Path(folder) / "baseline.py"}
        scripts["ours"].write_text(OURS_COUNTED, "utf-8")
        scripts["baseline"].write_text(BASELINE_COUNTED, "utf-8")
        interpreters = {"ours": sys.executable, "baseline": str(python)}
        callgrind = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        runs = {
            (side, n): subprocess.Popen(
                [*callgrind, interpreters[side], str(scripts[side]), str(n), *files],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for side in ("ours", "baseline")
            for n in (0, passes)
        }
        counts: dict[tuple[str, int], int] = {}
        for key, process in runs.items():
            _, err = process.communicate()
            found = [line for line in err.splitlines() if "Collected :" in line]
            if process.returncode != 0 or not found:
                return None
            counts[key] = int(found[-1].rsplit(":", 1)[1])
    per_pass = {
        side: (counts[(side, passes)] - counts[(side, 0)]) / passes for side in ("ours", "baseline")
    }
    return per_pass["ours"], per_pass["baseline"]


def profile(texts: Sequence[str], passes: int, top: int) -> list[str]:
    """Where our time goes: cProfile over `passes` passes, top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(passes):
        determine(texts)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = sorted(stats.stats.items(), key=lambda item: -item[1][2])  # type: ignore[attr-defined]
    lines = [f"cProfile, {passes} passes over {len(texts)} files ({total:.2f} s profiled):"]
    lines.append(f"  {'own s':>7} {'own %':>6} {'cum s':>7} {'calls':>9}  where")
    for (path, line, function), (_, calls, own, cumulative, _) in entries[:top]:
        where = path
        for prefix in (str(ROOT) + os.sep, os.path.dirname(os.__file__) + os.sep):
            where = where.removeprefix(prefix)
        lines.append(
            f"  {own:7.3f} {100 * own / total:5.1f}% {cumulative:7.3f} {calls:9d}  "
            f"{where}:{line}({function})"
        )
    return lines


def rate(value: float) -> str:
    return f"{value:,.0f}/s"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reading",
        description="Determinations per second of read_271 -> interpret -> as_json, "
        f"and the baseline ({BASELINE_NAME}) on the same 5010 files.",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed passes of ours (7)")
    parser.add_argument(
        "--baseline-repeat",
        type=int,
        default=3,
        help="timed passes of the baseline in each round (3)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the comparison, alternating the baseline and ours (3)",
    )
    parser.add_argument(
        "--generated", type=int, default=DEFAULT_GENERATED, help="generated answers (60)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus seed")
    parser.add_argument(
        "--samples", type=Path, default=PAYER_SAMPLES, help="folder of real payer answers"
    )
    parser.add_argument("--no-baseline", action="store_true", help="time ours only")
    parser.add_argument("--no-install", action="store_true", help="never make bench/.venv-baseline")
    parser.add_argument("--profile", action="store_true", help="cProfile our path afterwards")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions of both on the common files with valgrind's callgrind, "
        "a ratio the machine's load does not disturb (about a minute more)",
    )
    parser.add_argument("--top", type=int, default=20, help="profile lines to print (20)")
    parser.add_argument("--cpu", type=int, help="pin this process (and the baseline) to a CPU")
    args = parser.parse_args(argv)
    if min(args.repeat, args.baseline_repeat, args.rounds) < 1:
        parser.error("--repeat, --baseline-repeat and --rounds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> list[Row]:
    args = parse(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})  # children (the baseline) inherit it
    note(f"machine: {machine()}")
    samples = corpus(samples=args.samples, count=args.generated, seed=args.seed)
    readable: list[Sample] = []
    unreadable: dict[str, str] = {}
    for sample in samples:
        try:
            read_271(sample.text)
            readable.append(sample)
        except ValueError as error:
            unreadable[sample.name] = str(error)
    texts = [s.text for s in readable]
    payer = sum(s.source == "payer" for s in readable)
    print(
        f"corpus: {len(samples)} files ({payer} payer samples"
        f"{'' if args.samples and args.samples.is_dir() else ': folder absent'}, "
        f"{sum(s.source == 'mock' for s in readable)} mock scenarios, "
        f"{sum(s.source == 'generated' for s in readable)} generated); our reader reads "
        f"{len(readable)}"
    )
    for name, reason in unreadable.items():
        print(f"  not read by ours: {name}: {reason}")

    whole = measure(lambda: determine(texts), args.repeat)
    segments = sum(s.segments for s in readable)
    print(
        f"ours, whole corpus: {whole.units} determinations from {len(texts)} files "
        f"({segments} segments) a pass; best {rate(whole.best)}, median {rate(whole.median)} "
        f"(best by CPU time {rate(whole.best_cpu)}; "
        f"{len(texts) * whole.best / whole.units:,.0f} files/s, "
        f"{segments * whole.best / whole.units:,.0f} segments/s)"
    )
    split = stages(texts, max(3, args.repeat // 2))
    total = sum(split.values())
    print(
        "  stages alone (best pass): "
        + ", ".join(f"{k} {v * 1000:.1f} ms ({100 * v / total:.0f}%)" for k, v in split.items())
    )

    typical_sample = typical(args.seed)
    mock = next(s for s in readable if s.name == "mock/MOCK-IOP-DUAL")
    typical_timing = measure_file(typical_sample.text, args.repeat)
    mock_timing = measure_file(mock.text, args.repeat)
    for label, sample, timing in (
        ("typical 271", typical_sample, typical_timing),
        ("MOCK-IOP-DUAL", mock, mock_timing),
    ):
        print(
            f"ours, {label} ({sample.segments} segments, 1 patient): best {rate(timing.best)}, "
            f"median {rate(timing.median)} ({1e6 / timing.best:,.0f} µs each; best by CPU "
            f"time {rate(timing.best_cpu)})"
        )

    rows = [
        Row(
            "reading",
            "ours, whole corpus (det./s, best | median)",
            f"{rate(whole.best)} | {rate(whole.median)}",
            "",
            "",
        ),
        Row(
            "reading",
            f"ours, typical 271 ({typical_sample.segments} seg.), det./s",
            f"{rate(typical_timing.best)} | {rate(typical_timing.median)}",
            f">= {TARGET_TYPICAL:,.0f}/s",
            verdict(typical_timing.best >= TARGET_TYPICAL),
        ),
        Row(
            "reading",
            f"ours, MOCK-IOP-DUAL ({mock.segments} seg.), det./s",
            f"{rate(mock_timing.best)} | {rate(mock_timing.median)}",
            f">= {TARGET_TYPICAL:,.0f}/s",
            verdict(mock_timing.best >= TARGET_TYPICAL),
        ),
    ]

    if args.no_baseline:
        print("baseline: skipped (--no-baseline)")
        rows.append(Row("reading", "ours / baseline", "skipped", f">= {TARGET_RATIO:g}x", "-"))
    else:
        rows += compare(readable, args)[0]
    print(f"machine: {machine()}")
    if os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print("note: the machine was busy; other work slows every figure here")

    if args.profile:
        passes = max(1, int(2.0 / min(whole.wall)))
        print("\n".join(profile(texts, passes, args.top)))
    return rows


def compare(readable: Sequence[Sample], args: argparse.Namespace) -> tuple[list[Row], list[Sample]]:
    in_5010 = [s for s in readable if s.is_5010]
    note(f"timing the baseline ({BASELINE_NAME}) on {len(in_5010)} 5010 files")
    base = run_baseline(in_5010, args.baseline_repeat, install=not args.no_install)
    target = f">= {TARGET_RATIO:g}x"
    if base.timing is None:
        reason = base.error or "it read none of the files"
        print(f"baseline: unavailable ({reason})")
        return [Row("reading", "ours / baseline", "no baseline", target, "-")], []
    common = [s for s in in_5010 if s.name in set(base.accepted)]
    texts = [s.text for s in common]
    # Rounds alternate ours and the baseline, so that both meet the same load on a shared machine.
    ours = measure(lambda: determine(texts), args.repeat)
    for _ in range(args.rounds - 1):
        again = run_baseline(common, args.baseline_repeat, install=False).timing
        if again is not None:
            base.timing.wall += again.wall
            base.timing.cpu += again.cpu
        extra = measure(lambda: determine(texts), args.repeat)
        ours.wall += extra.wall
        ours.cpu += extra.cpu
    ours_files = Timing(ours.wall, ours.cpu, len(common))
    ratio = ours_files.best / base.timing.best
    median_ratio = ours_files.median / base.timing.median
    kinds = ", ".join(
        f"{sum(s.source == k for s in common)} {k}" for k in ("payer", "mock", "generated")
    )
    print(
        f"baseline ({BASELINE_NAME}): reads {len(common)} of {len(in_5010)} 5010 files "
        f"({kinds}); rejected {len(base.rejected)}"
    )
    reasons: dict[str, list[str]] = {}
    for name, reason in base.rejected.items():
        reasons.setdefault(reason[:90], []).append(name)
    for reason, names in sorted(reasons.items(), key=lambda item: -len(item[1])):
        shown = ", ".join(n.split("/", 1)[-1] for n in names[:3])
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        print(f"  {len(names):3d} x {reason}  ({shown}{more})")
    print(
        f"  on the {len(common)} common files: baseline best {rate(base.timing.best)} files, "
        f"median {rate(base.timing.median)}; ours best {rate(ours_files.best)} files "
        f"({rate(ours.best)} determinations), median {rate(ours_files.median)}"
    )
    print(
        f"  ratio ours/baseline: {ratio:.1f}x best to best, {median_ratio:.1f}x median to median "
        f"(CPU time: {ours_files.best_cpu / base.timing.best_cpu:.1f}x); target {target}: "
        f"{verdict(ratio >= TARGET_RATIO)}"
    )
    rows = [
        Row(
            "reading",
            f"baseline on {len(common)} common files (files/s)",
            f"{rate(base.timing.best)} | {rate(base.timing.median)}",
            "",
            "",
        ),
        Row(
            "reading",
            "ours on the same files (files/s)",
            f"{rate(ours_files.best)} | {rate(ours_files.median)}",
            "",
            "",
        ),
        Row(
            "reading",
            "ours / baseline (best | median)",
            f"{ratio:.1f}x | {median_ratio:.1f}x",
            target,
            verdict(ratio >= TARGET_RATIO),
        ),
    ]
    if args.instructions:
        note("counting instructions with callgrind (about a minute)")
        counted = instructions(common)
        if counted is None:
            print("instructions: not counted (valgrind or the baseline missing, or a run failed)")
        else:
            ours_i, base_i = counted
            print(
                f"  instructions per pass over the {len(common)} common files (callgrind, "
                f"whatever the load): ours {ours_i / 1e6:,.0f} M "
                f"({ours_i / len(common) / 1e6:.2f} M a file), baseline {base_i / 1e6:,.0f} M: "
                f"{base_i / ours_i:.1f}x as many as ours"
            )
            rows.append(
                Row(
                    "reading",
                    "ours / baseline by instructions (callgrind)",
                    f"{base_i / ours_i:.1f}x",
                    target,
                    verdict(base_i / ours_i >= TARGET_RATIO),
                )
            )
    return rows, common


if __name__ == "__main__":
    print(format_rows(main()))

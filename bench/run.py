"""Benchmark tf2lint on real TensorFlow code from PyPI, next to what its hosts already pay.

    python bench/run.py [--cache-dir DIR] [--pylint-files N] [--repeat N] [--pairs N] [--flake8-repeat N] [--no-hosts]
                        [--report-only]

Downloads (once) the sources of the packages below into the cache directory, then measures in one run:
the floor (`ast.parse` of every file in one process), `tf2lint check -j1` and `tf2lint report -j1` (JSON; the
HTML and Markdown rendering of its document timed apart), run in alternation, `report` and `check` on all cores,
a cached re-run, a re-run after touching one helper, one file of a generated 50,000-module tree, flake8 with and
without the tf2lint plugin, pylint with and without it on a fixed subset, and peak memory. Each timing
is given as wall-clock and CPU seconds (the machine may be shared: single-process targets use CPU time).
Prints a table of times and ratios, the findings per code, and every TFS1xx finding (none of these
packages uses the shim, so each one needs an explanation).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple

PACKAGES = (
    "tensor2tensor==1.15.7",
    "tf-slim==1.1.0",
    "magenta==2.1.4",
    "mesh-tensorflow==0.1.21",
    "tf-models-official==2.20.0",
)
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
sys.path.insert(0, str(HERE.parent / "tests"))
from scale_tree import make_tree  # noqa: E402 - the tree the scale test uses

FLOOR = """
import ast, sys
for path in open(sys.argv[1]).read().splitlines():
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        pass
"""
RENDER = """
import json, sys, time
from tf2lint.hosts import report_render
with open(sys.argv[1], encoding="utf-8") as handle:
    document = json.load(handle)
for fmt in ("html", "markdown"):
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        getattr(report_render, fmt)(document)
        best = min(best, time.process_time() - start)
    print(fmt, best)
"""
PEAK_MEMORY = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def fetch(cache: Path) -> Path:
    """The unpacked corpus, downloaded with pip the first time."""
    source = cache / "src"
    done = cache / "src.done"
    if done.exists():
        return source
    dist = cache / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dist), *PACKAGES], check=True)
    shutil.rmtree(source, ignore_errors=True)
    for archive in sorted(dist.iterdir()):
        target = source / archive.name.split("-")[0]
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(target)
        elif archive.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(archive) as sdist:
                sdist.extractall(target, filter="data")
    done.write_text("\n".join(PACKAGES))
    return source


class Timing(NamedTuple):
    """Best of the runs: wall-clock seconds, and CPU seconds (user + system) of the command's processes.
    On a machine shared with other jobs the wall clock of one process mostly measures the others; its CPU
    time does not, so the single-process targets are judged on CPU time."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], repeat: int = 1, **kwargs) -> Timing:
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kwargs)
        wall, cpu = min(wall, time.perf_counter() - start), min(cpu, _children_cpu() - start_cpu)
    return Timing(wall, cpu)


def paired(first: list[str], second: list[str], repeat: int, **kwargs) -> tuple[Timing, Timing, float]:
    """Both commands, alternately, ``repeat`` times: the best of each, and the median of the per-pair CPU
    ratios (second / first). This VM's speed drifts by tens of percent over minutes; measured back to back,
    a pair shares the drift, and the ratio keeps only what the commands cost."""
    (first_best, second_best), rounds = alternating([first, second], repeat, **kwargs)
    return first_best, second_best, statistics.median(b.cpu / a.cpu for a, b in rounds)


def alternating(commands: list[list[str]], repeat: int, **kwargs) -> tuple[list[Timing], list[list[Timing]]]:
    """The commands one after the other, ``repeat`` rounds, the order reversed every other round (so that
    no command always follows the same one): the best of each, and every round's timings in command order."""
    rounds = []
    for index in range(repeat):
        order = list(range(len(commands)))[:: 1 if index % 2 == 0 else -1]
        measured = {i: timed(commands[i], **kwargs) for i in order}
        rounds.append([measured[i] for i in range(len(commands))])
    best = [Timing(min(r[i].wall for r in rounds), min(r[i].cpu for r in rounds)) for i in range(len(commands))]
    return best, rounds


def rendering(tf2lint: list[str], corpus: Path, work: Path) -> dict[str, float]:
    """CPU seconds to render the corpus' report document as HTML and as Markdown (best of 3), apart from
    the analysis: `report` costs its analysis (measured against `check`) plus one of these."""
    document = work / "report.json"
    subprocess.run([*tf2lint, "--format", "json", "--output", str(document), str(corpus)], check=True)
    done = subprocess.run([PYTHON, "-c", RENDER, str(document)], capture_output=True, text=True, check=True)
    return {fmt: float(seconds) for fmt, seconds in (line.split() for line in done.stdout.splitlines())}


def flake8_command(plugin: bool, files: Path) -> list[str]:
    # Same settings both ways; without the plugin, flake8 is started with tf2lint's entry point hidden.
    runner = [PYTHON, "-m", "flake8"] if plugin else [PYTHON, str(HERE / "flake8_without_tf2lint.py")]
    return [*runner, "-j1", "--extend-select", "TFS", "--exit-zero", f"--append-config={files}", "."]


def touch_one_helper(tf2lint: list[str], cache: Path, corpus: Path) -> tuple[str, int, int, Timing]:
    """Append a comment to the module most cached results depend on, re-run with the cache, and count the
    files re-analysed (cache entries written by that run); the module is restored afterwards."""
    readers: Counter = Counter()
    for entry in cache.rglob("*.json"):
        try:
            readers.update(list(json.loads(entry.read_text()).get("dependencies", {})))
        except (ValueError, OSError, AttributeError):
            continue
    if not readers:
        return "(none: no result read another module)", 0, 0, Timing(0.0, 0.0)
    helper, count = readers.most_common(1)[0]
    original = Path(helper).read_bytes()
    start = time.time()
    try:
        Path(helper).write_bytes(original + b"\n# touched by bench/run.py\n")
        seconds = timed([*tf2lint, "--cache-dir", str(cache), str(corpus)])
    finally:
        Path(helper).write_bytes(original)
    redone = sum(1 for entry in cache.rglob("*.json") if entry.stat().st_mtime >= start)
    return os.path.relpath(helper, corpus), count, redone, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", default=os.path.expanduser("~/.cache/tf2lint-bench"))
    parser.add_argument("--pylint-files", type=int, default=40, help="size of the fixed pylint subset")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (the best is kept)")
    parser.add_argument("--pairs", type=int, default=5, help="floor / -j1 pairs (the median ratio is kept)")
    parser.add_argument("--no-hosts", action="store_true", help="skip flake8 and pylint (a quicker run)")
    parser.add_argument("--flake8-repeat", type=int, default=2, help="flake8 pairs (about 4 CPU-minutes each)")
    parser.add_argument("--report-only", action="store_true",
                        help="only the floor / check -j1 / report rounds and the rendering (a few minutes)")
    args = parser.parse_args()

    corpus = fetch(Path(args.cache_dir))
    files = sorted(str(p) for p in corpus.rglob("*.py"))
    lines = sum(Path(f).read_bytes().count(b"\n") for f in files)
    work = Path(tempfile.mkdtemp(prefix="tf2lint-bench-"))
    listing = work / "files.txt"
    listing.write_text("\n".join(files))
    empty_config = work / "flake8.cfg"
    empty_config.write_text("[flake8]\n")
    cores = os.cpu_count() or 1
    print(f"corpus: {len(files)} files, {lines} lines, {', '.join(PACKAGES)}")
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}\n", flush=True)

    # Measure the command as installed: with its modules compiled (pip compiles them; an editable install
    # under PYTHONDONTWRITEBYTECODE would compile them again in every run).
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(HERE.parent / "tf2lint"), str(HERE.parent / "checkers")],
                   stdout=subprocess.DEVNULL, check=False)
    tf2lint = [PYTHON, "-m", "tf2lint", "check", "--exit-zero", "--format", "json"]
    report = [PYTHON, "-m", "tf2lint", "report"]
    results: dict[str, Timing] = {}
    # `report` reads the same files and builds the analysis `check` does, plus its construct counts; JSON is
    # what `check` writes too, so the two differ by the report's own facts (rendering is timed apart).
    (floor, j1, whole), rounds = alternating([
        [PYTHON, "-c", FLOOR, str(listing)], [*tf2lint, "--no-cache", "-j1", str(corpus)],
        [*report, "-j1", "--format", "json", "--output", os.devnull, str(corpus)],
    ], args.pairs)
    j1_ratio = statistics.median(r[1].cpu / r[0].cpu for r in rounds)
    report_ratio = statistics.median(r[2].cpu / r[1].cpu for r in rounds)
    results["floor: ast.parse, one process"], results["tf2lint check -j1"] = floor, j1
    results["tf2lint report -j1 --format json"] = whole
    results[f"tf2lint report --format json (all {cores} cores)"] = report_jn = timed(
        [*report, "--format", "json", "--output", os.devnull, str(corpus)], args.repeat
    )
    rendered = rendering(report, corpus, work)
    checks = [
        ("tf2lint -j1 / floor (CPU, paired)", j1_ratio, 1.3),
        ("report -j1 / check -j1 (CPU, paired)", report_ratio, 1.0),  # the issue: no more than check plus rendering
        ("report on all cores / check -j1 (wall)", report_jn.wall / j1.wall, 1.0),
    ]
    print("rounds (CPU s: floor, check -j1, report -j1):", "; ".join(", ".join(f"{t.cpu:.2f}" for t in r) for r in rounds))
    print(f"report / floor (CPU, paired): {statistics.median(r[2].cpu / r[0].cpu for r in rounds):.2f}")
    print(f"rendering the report (CPU s): html {rendered['html']:.3f}, markdown {rendered['markdown']:.3f}\n")
    if args.report_only:
        return _summary(results, checks, work)
    results[f"tf2lint check (all {cores} cores)"] = jn = timed([*tf2lint, "--no-cache", str(corpus)], args.repeat)
    cache = work / "cache"
    results["tf2lint check, cold cache"] = cold = timed([*tf2lint, "--cache-dir", str(cache), str(corpus)])
    results["tf2lint check, cached re-run"] = warm = timed([*tf2lint, "--cache-dir", str(cache), str(corpus)], args.repeat)
    results["tf2lint check -j1 --no-project (one module at a time)"] = timed(
        [*tf2lint, "--no-cache", "--no-project", "-j1", str(corpus)], args.repeat
    )
    helper, readers, redone, touched = touch_one_helper(tf2lint, cache, corpus)
    results["tf2lint check, re-run after touching one helper"] = touched
    model = make_tree(work / "scale")
    results["tf2lint check of one file in a 50,000-module tree"] = timed([*tf2lint, "--no-cache", str(model)], args.repeat)
    checks += [
        ("tf2lint -j1 / floor (wall)", j1.wall / floor.wall, 1.3),
        ("tf2lint all cores / floor (wall)", jn.wall / floor.wall, 1.0),
        ("cached re-run / cold run (wall)", warm.wall / cold.wall, 0.1),
    ]
    if not args.no_hosts:
        f0, f1, flake8_ratio = paired(flake8_command(False, empty_config), flake8_command(True, empty_config),
                                      args.flake8_repeat, cwd=corpus)
        results["flake8 -j1 without tf2lint"], results["flake8 -j1 with tf2lint"] = f0, f1
        subset = files[:: max(1, len(files) // args.pylint_files)][: args.pylint_files]
        pylint = [PYTHON, "-m", "pylint", "-j1", "--persistent=n", "--exit-zero", "--score=n"]
        results[f"pylint, {len(subset)} files, without"] = p0 = timed([*pylint, *subset])
        results[f"pylint, {len(subset)} files, with"] = p1 = timed([*pylint, "--load-plugins=pylint_tf2lint", *subset])
        checks += [("flake8 with / without (CPU, paired)", flake8_ratio, 1.05),
                   ("pylint with / without (CPU)", p1.cpu / p0.cpu, 1.05)]
    peak = subprocess.run(
        [PYTHON, "-c", PEAK_MEMORY, *tf2lint, "--no-cache", "-j1", str(corpus)], capture_output=True, text=True
    )
    checks.append(("peak memory of tf2lint -j1 (MB)", int(peak.stdout.strip() or 0) / 1024, 200))

    print(f"touched helper: {helper} (read by {readers} cached results); files re-analysed: {redone}\n")
    met = _summary(results, checks, work) == 0

    done = subprocess.run([*tf2lint, "--no-cache", str(corpus)], capture_output=True, text=True)
    findings = json.loads(done.stdout or "[]")
    print("\nfindings per code:", dict(sorted(Counter(f["code"] for f in findings).items())) or "none")
    shim_findings = [f for f in findings if f["code"].startswith("TFS1")]
    for finding in shim_findings:
        print(f"  {finding['path']}:{finding['line']}:{finding['column']}: {finding['code']} {finding['message']}")
    for finding in (f for f in findings if f["code"] == "TFS000"):
        print(f"  {finding['path']}:{finding['line']}: TFS000 {finding['message']}")
    return 0 if met and not shim_findings else 1


def _summary(results: dict[str, Timing], checks: list[tuple[str, float, float]], work: Path) -> int:
    """Print the timings and the targets (and drop the work directory); 0 when every target is met."""
    width = max(len(name) for name in results)
    print(f"{'measurement':<{width}}  {'wall s':>7}  {'CPU s':>7}")
    for name, timing in results.items():
        print(f"{name:<{width}}  {timing.wall:7.2f}  {timing.cpu:7.2f}")
    print()
    print(f"{'target':<34} {'measured':>9} {'limit':>7}")
    for name, value, limit in checks:
        print(f"{name:<34} {value:9.2f} {limit:7.2f}  {'ok' if value <= limit else 'MISSED'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if all(value <= limit for _, value, limit in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

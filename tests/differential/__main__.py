"""The long run: `python -m tests.differential --count 3000 --seed 7 [--out DIR]` (from the repository root).

Prints the confusion matrix and the summary line, then `runtime.check` against the independent
label over the same programs in this process (runtime_suite.py, its `runtime: ...` line), and writes
REPORT.md, labelled.json and every mismatching program (mismatches/<id>.py, with the runtime label and
the linter's codes on top) to DIR.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before anything imports TensorFlow


def main(argv: list[str] | None = None) -> int:
    from .runtime_suite import check_programs
    from .suite import CI_COUNT, CI_SEED, label_programs, run, write_outputs

    parser = argparse.ArgumentParser(prog="python -m tests.differential", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=CI_COUNT)
    parser.add_argument("--seed", type=int, default=CI_SEED)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "tf2lint-differential",
                        help="where REPORT.md, labelled.json and mismatches/ go (default: %(default)s)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    def progress(index: int) -> None:
        if index and index % 250 == 0:
            print(f"labelled {index}/{args.count} ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)

    records = label_programs(args.count, args.seed, progress)
    labelled = time.perf_counter()
    summary = run(records)
    write_outputs(summary, records, args.out,
                  f"Differential run: {args.count} programs, seed {args.seed}")
    print(summary.report())
    linted = time.perf_counter()
    checked = check_programs(records)
    print(checked.report())
    print(f"(labelled in {labelled - start:.1f} s, linted in {linted - labelled:.1f} s, checked in "
          f"{time.perf_counter() - linted:.1f} s; {len(summary.mismatches)} mismatches written to "
          f"{args.out / 'mismatches'})", file=sys.stderr)
    failed = checked.raised or checked.false or len(checked.hits) < len(checked.buggy)
    return 1 if summary.mismatches or summary.invalid or failed else 0


if __name__ == "__main__":
    sys.exit(main())

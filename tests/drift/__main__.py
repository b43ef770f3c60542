"""`python -m tests.drift --count 1000 --seed 7`: the drift suite on more pairs, with its mismatches."""

from __future__ import annotations

import argparse

from .suite import run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.drift")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    summary = run(args.count, args.seed)
    for title, items in (("false positive", summary.false_positives), ("miss", summary.misses),
                         ("broken fix", summary.fixes_broken)):
        for item in items:
            print(f"--- {title}: {item}")
    print(summary.by_op)
    print(summary.line())


if __name__ == "__main__":
    main()

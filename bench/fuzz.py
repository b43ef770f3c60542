"""The long fuzz run: the properties of tests/test_fuzz.py with N fresh examples per strategy.

    python bench/fuzz.py                 # 2,000 programs and 2,000 mutations (about 20 minutes)
    python bench/fuzz.py --examples 500

CI runs the same tests on a fixed sample of 30 programs and 200 mutations.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    env = {**os.environ, "TF2LINT_FUZZ_EXAMPLES": str(args.examples)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py", "-k", "generated or mutated"]
    return subprocess.call(command, cwd=REPO, env=env)


if __name__ == "__main__":
    sys.exit(main())

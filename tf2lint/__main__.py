"""`python -m tf2lint`. `-m` puts the working directory first on sys.path: a `json.py` or `argparse.py`
in the linted tree would then be imported, and linted code would run. Drop it before importing
anything else, as pylint does (pylint.modify_sys_path)."""

import os
import sys


def _drop_working_directory() -> None:
    cwd = os.getcwd()
    if sys.path and sys.path[0] in ("", ".", cwd):
        sys.path.pop(0)
    pythonpath = os.environ.get("PYTHONPATH", "")
    # An empty entry at either end of PYTHONPATH also means the working directory.
    if pythonpath.startswith(":") and pythonpath not in (f":{cwd}", ":."):
        sys.path.pop(0)
    elif pythonpath.endswith(":") and pythonpath not in (f"{cwd}:", ".:"):
        sys.path.pop(1)


_drop_working_directory()

from tf2lint.hosts.cli import entry  # noqa: E402 - only once sys.path is safe

entry()

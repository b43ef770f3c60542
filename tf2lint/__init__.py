"""tf2lint: static checks for TF1.x models run in TF2 through `track_tf1_style_variables`."""

__version__ = "0.1.0"

import os as _os
from pathlib import Path as _Path


def _docs() -> str:
    """The docs directory that exists where tf2lint runs: shipped in the package (`tf2lint/pages`, from a
    wheel), else the checkout's `docs/` (an editable install). tf2lint has no published site; every link
    it prints (rule pages in SARIF, JSON, the editor) points at these files."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    shipped = _os.path.join(here, "pages")
    return shipped if _os.path.isdir(shipped) else _os.path.join(_os.path.dirname(here), "docs")


DOCS_DIR = _docs()
DOCS_URL = _Path(DOCS_DIR).as_uri()

"""Writes keras2_listing.json: what Keras 2 wheels export from the modules tf2lint's spellings name.

Keras 2 cannot be installed next to TensorFlow 2.21, so tests/test_knowledge.py checks the Keras 2 spellings
against this listing instead. Made once with:

    pip download --no-deps keras==2.15.0 keras==2.12.0 -d DIR && python tests/data/make_keras2_listing.py DIR/*.whl
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_knowledge import API_FILES, public_imports  # noqa: E402


def listing(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
        read = lambda path: archive.read(path).decode("utf-8")  # noqa: E731
        return {
            "source": f"{wheel.name} from PyPI, sha256 {hashlib.sha256(wheel.read_bytes()).hexdigest()}",
            "modules": sorted(f[:-3].replace("/", ".").removesuffix(".__init__") for f in files if f.endswith(".py")
                              and ("legacy_tf_layers" in f or "/engine/" in f)),
            "api": {
                namespace: [pair for pair in pairs if "legacy_tf_layers" in pair[0] or ".engine." in pair[0]]
                for namespace, pairs in public_imports(read, "keras", set(files)).items()
            },
        }


if __name__ == "__main__":
    out = {Path(w).name.split("-")[1]: listing(Path(w)) for w in sys.argv[1:]}
    (Path(__file__).parent / "keras2_listing.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")

"""Scale: one file of a 50,000-module tree with import cycles and star-import loops is analysed by reading
only the modules its imports name (how long it takes is measured by bench/run.py, not here)."""

from __future__ import annotations

from pathlib import Path

from scale_tree import MODEL_FINDING_LINE, PACKAGES, MODULES_PER_PACKAGE, make_tree, modules_it_may_read

from tf2lint.engine import lint_source


def test_one_file_of_a_50000_module_tree_reads_only_what_its_imports_name(tmp_path: Path) -> None:
    model = make_tree(tmp_path)
    assert sum(1 for _ in (tmp_path / "big").glob("*/*.py")) >= PACKAGES * MODULES_PER_PACKAGE
    read: set[str] = set()
    found = lint_source(model.read_bytes(), str(model), dependencies=read)
    # The walk went through the import cycle and the star-import loop into the other package...
    assert [(f.line, f.code) for f in found] == [(MODEL_FINDING_LINE, "TFS101")]
    assert "p1/m1.py" in found[0].message
    # ...and read nothing but what the imports name (no listing or parsing of the rest of the tree).
    read = {str(Path(path).resolve()) for path in read}
    assert read <= modules_it_may_read(tmp_path), sorted(read - modules_it_may_read(tmp_path))
    assert str((tmp_path / "big/p1/m1.py").resolve()) in read

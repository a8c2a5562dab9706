"""The packages stand in layers (../shared/architecture.md, the README's layout): no cycle among
packages, and no more imports that run back up a layer than are left today, so that the number
can only fall. The rules (LAYERS, DOMAIN_ORDER) and the scanner are bench/imports.py's, loaded
from there: one copy of them; bench/imports.py prints the figures, this holds the code to them."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MOST_UPWARD = 0


def _scanner():
    spec = importlib.util.spec_from_file_location("bench_imports", ROOT / "bench" / "imports.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


scanner = _scanner()


@functools.cache
def _every_import() -> tuple:
    return tuple(scanner.all_imports(ROOT))


def _imports():
    return list(_every_import())


def _named(imports) -> str:
    return "\n".join(f"{found.source}:{found.line}  {found.importer} -> {found.module}" for found in imports)


def test_every_package_is_on_a_layer():
    packages = {p for found in _every_import() for p in (found.importer, found.imported)}
    placed = {package for layer in scanner.LAYERS for package in layer}
    assert packages <= placed, f"add to LAYERS in bench/imports.py: {sorted(packages - placed)}"


def test_no_cycle_among_packages():
    assert scanner.cycles(_imports()) == []


def test_no_more_imports_run_back_up_a_layer():
    upward = [found for found in _imports() if scanner.runs_back_up(found)]
    assert len(upward) <= MOST_UPWARD, (
        "these run back up a layer (a domain announces through core.events and others listen; "
        "a page that shows several domains belongs in cafpedia/composed):\n" + _named(upward)
    )


def test_the_scanner_sees_imports_inside_functions_and_relative_ones(tmp_path):
    package = tmp_path / "cafpedia"
    (package / "tips").mkdir(parents=True)
    (package / "legal").mkdir()
    (package / "__init__.py").write_text("")
    (package / "legal" / "__init__.py").write_text("")
    (package / "tips" / "__init__.py").write_text("")
    (package / "tips" / "pages.py").write_text("def page():\n    from ..legal import citing\n")
    (package / "legal" / "citing.py").write_text("from cafpedia.tips import models\n")
    found = scanner.all_imports(tmp_path)
    assert {(f.importer, f.imported) for f in found} == {("tips", "legal"), ("legal", "tips")}
    assert [f.source for f in found if scanner.runs_back_up(f)] == ["cafpedia/tips/pages.py"]
    assert scanner.cycles(found) == [["legal", "tips"]]

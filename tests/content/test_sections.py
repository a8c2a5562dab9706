"""The content format's sections: registered by create_app from an explicit list, so that a
load or an export with one missing refuses to start; and the framework imports no domain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cafpedia.config import DEFAULT_CONTENT_DIR
from cafpedia.content import loader
from cafpedia.content.fields import Field, Schema, text

DOMAINS = {"accounts", "areas", "standards", "legal", "tips", "digest", "experts", "notifications", "offline", "ops"}


def test_create_app_registers_every_section_in_the_order_a_load_applies_them(app):
    names = [s.name for s in loader.sections()]
    assert names == ["standards", "users", "areas", "tips", "digest", "legal", "experts", "audit"]


@pytest.mark.parametrize("missing", ["areas", "users", "tips"])
def test_a_load_or_an_export_with_a_section_missing_refuses_to_start(app, tmp_path, missing):
    registered = app.extensions[loader.KEY]
    app.extensions[loader.KEY] = [s for s in registered if s.name != missing]
    try:
        with pytest.raises(loader.SectionMissing, match=f"refers to {missing}, which is not registered"):
            loader.load_folder(DEFAULT_CONTENT_DIR)
        with pytest.raises(loader.SectionMissing, match=f"refers to {missing}, which is not registered"):
            loader.export_folder(tmp_path / "out")
    finally:
        app.extensions[loader.KEY] = registered
    assert not (tmp_path / "out").exists()


def test_with_no_sections_nothing_is_loaded_or_exported(app, tmp_path):
    registered = app.extensions.pop(loader.KEY)
    try:
        with pytest.raises(loader.SectionMissing, match="no content sections are registered"):
            loader.load_folder(DEFAULT_CONTENT_DIR)
        with pytest.raises(loader.SectionMissing, match="no content sections are registered"):
            loader.export_folder(tmp_path / "out")
    finally:
        app.extensions[loader.KEY] = registered


def test_the_content_framework_imports_no_domain():
    folder = Path(loader.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                assert not (parts[0] == "cafpedia" and len(parts) > 1 and parts[1] in DOMAINS), (path.name, node.module)


def test_a_schema_writes_its_fields_in_order_leaving_out_the_empty_ones_it_says():
    schema = Schema(Field("title", text(10)), Field("note", text(10), omit=True), Field("by", text(10), attr="author"))

    class Row:
        title, note, author = "A title", "", "jo"

    assert schema.write(Row()) == {"title": "A title", "by": "jo"}
    assert schema.write(Row(), note="kept") == {"title": "A title", "note": "kept", "by": "jo"}
    assert schema.keys == ("title", "note", "by")

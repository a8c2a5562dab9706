"""What every app a test run builds would compile in the same way, compiled once per process.

Each test gets an app of its own (`create_app`), and each new app used to compile its ~120
URL rules (Werkzeug writes and compiles a small Python function per rule: ~60 ms an app) and,
on its first request, every template it renders (~80 ms for a page and its base). Both are
pure functions of their source, so the test run keeps them:

- templates: one Jinja bytecode cache shared by every Flask app in the process, keyed by the
  template's name and file, a checksum of its source and the environment's syntax settings,
  so an edited template or a differently configured environment compiles afresh;
- URL builders: Werkzeug's `Rule._compile_builder`, remembered by everything it reads (the
  rule, its parsed parts, its defaults, the map's converters and settings). The function it
  returns takes the rule as its first argument, so a remembered one serves any rule alike.

What a test proves is unchanged: the same templates render, the same rules match and build.
"""

from __future__ import annotations

import flask
from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule


class SharedTemplateCode(BytecodeCache):
    """The compiled code of each template, kept in memory for every app in this process."""

    def __init__(self) -> None:
        self._code: dict[tuple, object] = {}

    @staticmethod
    def _key(bucket) -> tuple:
        env = bucket.environment
        syntax = (
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            env.optimized,
            env.is_async,
            tuple(sorted(env.extensions)),
            getattr(env.autoescape, "__qualname__", env.autoescape),
        )
        return (bucket.key, bucket.checksum, syntax)

    def load_bytecode(self, bucket) -> None:
        bucket.code = self._code.get(self._key(bucket))

    def dump_bytecode(self, bucket) -> None:
        self._code[self._key(bucket)] = bucket.code


def _remembering(compile_builder):
    builders: dict[tuple, object] = {}

    def remembered(self, append_unknown: bool = True):
        url_map = self.map
        key = (
            self.rule,
            self.subdomain,
            self.host,
            self.merge_slashes,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            tuple(sorted(url_map.converters.items())),
            url_map.host_matching,
            append_unknown,
        )
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = compile_builder(self, append_unknown)
        return builder

    remembered.compiled_once = True
    return remembered


def install() -> None:
    """Every Flask app built after this shares the templates' code and the URL builders."""
    flask.Flask.jinja_options = {**flask.Flask.jinja_options, "bytecode_cache": SharedTemplateCode()}
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is not None and not getattr(compile_builder, "compiled_once", False):
        Rule._compile_builder = _remembering(compile_builder)

"""How big the content loaders are, in measures formatting cannot change: statements and
tokens (docstrings, comments and blank lines not counted), plus lines, over
cafpedia/content/*.py and every domain's content*.py (issue 17 asked them to shrink).

    python3 bench/loaders.py [--root PATH]

--root measures another checkout (a git worktree of an older commit, for a before figure).
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
import io
import tokenize
from pathlib import Path

SKIPPED = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def loader_files(root: Path) -> list[Path]:
    files = set((root / "cafpedia" / "content").glob("*.py"))
    files |= {f for f in (root / "cafpedia").glob("*/content*.py") if f.parent.name != "cli"}
    return sorted(files)


def measure(path: Path) -> tuple[int, int, int]:
    source = path.read_text(encoding="utf-8")
    statements = sum(isinstance(node, ast.stmt) for node in ast.walk(ast.parse(source)))
    tokens = sum(
        1
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in SKIPPED and not (token.type == tokenize.STRING and token.line.strip() == token.string)
    )
    return statements, tokens, len(source.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    root = parser.parse_args().root
    totals = [0, 0, 0]
    for path in loader_files(root):
        figures = measure(path)
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        print(
            f"{str(path.relative_to(root)):42} {figures[0]:6,} statements {figures[1]:7,} tokens {figures[2]:6,} lines"
        )
    print(f"{'total':42} {totals[0]:6,} statements {totals[1]:7,} tokens {totals[2]:6,} lines")


if __name__ == "__main__":
    main()

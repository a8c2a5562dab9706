"""How the packages stand in layers: every import in cafpedia/ (at the top of a module or
inside a function alike), by package, held against the layers that ../shared/architecture.md
and the README describe.

    python3 bench/imports.py [--root PATH] [--list]

It prints the imports that run back up a layer (a package importing one on a higher layer, or a
domain importing a domain it is not allowed to), and the cycles among packages (each set of
packages that reach each other through some path). --list names every import that runs back up.
--root measures another checkout (a git worktree of an older commit, for a before figure).
tests/test_layers.py holds the code to the same rules; this prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# From the ground up. A package may import its own layer's packages only where DOMAIN_ORDER
# allows it (domains), and any package on a lower layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("config", "extensions"),
    ("core",),
    ("search", "mail", "content"),
    ("areas", "accounts", "standards", "tips", "legal", "digest", "experts", "gaps", "notifications", "offline", "ops"),
    ("composed", "home", "admin"),
    ("app", "models", "worker", "server", "cli", "__main__"),
)
# Inside the domain layer, each domain may import those before it in this order: areas are
# the unit of everything else (an area names its moderators only through its model's
# relationships); people work in and moderate areas; tips cite standards, legal updates send
# the tips that cite their law for review, the digest and the register link tips,
# notifications tell people about all of them, and a phone keeps the tips of a person's areas
# for reading offline.
DOMAIN_ORDER = (
    "areas",
    "accounts",
    "standards",
    "tips",
    "legal",
    "digest",
    "experts",
    "gaps",
    "notifications",
    "offline",
    "ops",
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module's file, relative to the root
    line: int
    importer: str  # package
    imported: str  # package
    module: str  # the module imported


def package_of(module: str) -> str | None:
    """cafpedia.tips.reading -> tips; cafpedia (its __init__) -> app; cafpedia.models -> models."""
    parts = module.split(".")
    if parts[0] != "cafpedia":
        return None
    if len(parts) == 1:
        return "app"
    return parts[1]


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(root: Path, name: str) -> bool:
    return (root / "cafpedia" / f"{name}.py").exists() or (root / "cafpedia" / name).is_dir()


def imports_of(root: Path, path: Path) -> list[Import]:
    name = module_name(root, path)
    is_package = path.name == "__init__.py"
    importer = package_of(name)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from cafpedia import models" imports cafpedia.models; "import create_app", cafpedia.
            modules = [
                f"{base}.{alias.name}" if base == "cafpedia" and is_module(root, alias.name) else base
                for alias in node.names
            ]
        else:
            continue
        for module in dict.fromkeys(modules):
            imported = package_of(module)
            if imported and imported != importer:
                found.append(Import(str(path.relative_to(root)), node.lineno, importer, imported, module))
    return found


def all_imports(root: Path) -> list[Import]:
    return [found for path in sorted((root / "cafpedia").rglob("*.py")) for found in imports_of(root, path)]


def layer_of(package: str) -> int:
    for number, packages in enumerate(LAYERS):
        if package in packages:
            return number
    raise SystemExit(f"bench/imports.py: the package {package!r} is on no layer: add it to LAYERS")


def runs_back_up(found: Import) -> bool:
    low, high = layer_of(found.importer), layer_of(found.imported)
    if high != low:
        return high > low
    if found.importer in DOMAIN_ORDER and found.imported in DOMAIN_ORDER:
        return DOMAIN_ORDER.index(found.imported) > DOMAIN_ORDER.index(found.importer)
    return False


def cycles(imports: list[Import]) -> list[list[str]]:
    """The strongly connected sets of two or more packages (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for found in imports:
        graph[found.importer].add(found.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    knots: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            knot = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                knot.append(member)
                if member == node:
                    break
            if len(knot) > 1:
                knots.append(sorted(knot))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return knots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--list", action="store_true", help="name every import that runs back up")
    arguments = parser.parse_args()
    imports = all_imports(arguments.root)
    upward = [found for found in imports if runs_back_up(found)]
    print(f"imports between packages:       {len(imports):5}")
    print(f"imports that run back up:       {len(upward):5}")
    knots = cycles(imports)
    print(f"cycles among packages:          {len(knots):5}")
    for knot in knots:
        print("  " + ", ".join(knot))
    if arguments.list:
        for found in upward:
            print(f"  {found.source}:{found.line}  {found.importer} -> {found.module}")


if __name__ == "__main__":
    main()

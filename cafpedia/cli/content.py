"""Content: `cafpedia load` and `cafpedia export` (a content folder, all or nothing), and how a
command reports what it refused."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from cafpedia.extensions import db


def describe_load(ctx) -> str:
    from cafpedia.content.loader import describe_counts

    return describe_counts(ctx)


def refused(done: str, source: Path, problems) -> None:
    """An all-or-nothing command that wrote nothing: roll back, list every problem, exit 1."""
    db.session.rollback()
    click.echo(f"Nothing was {done}: {len(problems)} problem(s) in {source}:", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def load_or_exit(directory: Path):
    from cafpedia.content.loader import ContentError, load_folder

    try:
        ctx = load_folder(directory, actor=None)
        db.session.commit()
    except ContentError as exc:
        refused("loaded", directory, exc.problems)
    except BaseException:
        db.session.rollback()
        raise
    return ctx


@click.command("load")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def load_command(directory: Path) -> None:
    """Load a content folder: all or nothing, every problem reported."""
    ctx = load_or_exit(directory)
    click.echo(f"Loaded {directory}: {describe_load(ctx)}.")
    if ctx.warnings:
        click.echo(f"{len(ctx.warnings)} warning(s): loaded as written; worth a look:")
        for warning in ctx.warnings:
            click.echo(f"  {warning}")
    from cafpedia.search import service as search

    refreshed = search.follower().drain(timeout=10.0)
    left = search.follower().queue_length()
    click.echo(
        f"Search index: {refreshed} document(s) refreshed"
        + (f"; {left} still queued (run cafpedia reindex)." if left else ".")
    )


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_command(directory: Path) -> None:
    """Write the whole knowledge base to a content folder."""
    from cafpedia.content.loader import export_folder

    written = export_folder(directory)
    click.echo(f"Exported {len(written)} file(s) to {directory}: {', '.join(written) or 'nothing to export'}.")

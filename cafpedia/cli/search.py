"""Search: `cafpedia reindex`, and `reindex --check` comparing every document in the index with
the database; `cafpedia purge-searches`, forgetting the searches people made once they are old."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


def reindex_all(quiet: bool = False) -> int:
    from cafpedia.search.follower import follower

    index = follower()
    if quiet:
        count = index.rebuild()
    else:
        with click.progressbar(length=index.sources.count(), label="Indexing", show_pos=True) as bar:
            count = index.rebuild(progress=bar.update)
    if not quiet:
        click.echo(f"Search index rebuilt: {count} document(s).")
    return count


@click.command("reindex")
@click.option(
    "--check",
    is_flag=True,
    help="Only compare the index with the database: list what differs, exit 1 if anything does.",
)
@with_appcontext
def reindex_command(check: bool) -> None:
    """Rebuild the search index from the database (the database is the truth)."""
    if check:
        _check_index()
    else:
        reindex_all()


def _check_index() -> None:
    from cafpedia.search.backends import SearchUnavailable
    from cafpedia.search.documents import UnknownKind
    from cafpedia.search.follower import follower

    try:
        found = follower().check()
    except (SearchUnavailable, UnknownKind) as exc:
        raise click.ClickException(f"cannot check the search index: {exc}") from exc
    for label, keys in (
        ("missing from the index", found.missing),
        ("in the index, gone from the database", found.extra),
        ("different in the index", found.differ),
    ):
        for key in keys:
            click.echo(f"{key}: {label}")
    if found.changed_meanwhile:
        click.echo(
            f"{len(found.changed_meanwhile)} document(s) changed while the check ran; they are queued, not drift: "
            + ", ".join(found.changed_meanwhile[:10])
            + (" …" if len(found.changed_meanwhile) > 10 else "")
        )
    if found.drift:
        click.echo(
            f"The search index differs from the database in {len(found.drift)} of {found.documents} document(s). "
            "`cafpedia reindex` rebuilds it.",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"The search index agrees with the database: {found.documents} document(s).")


@click.command("purge-searches")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@with_appcontext
def purge_searches_command(dry_run: bool) -> None:
    """Delete the searches people made (and their daily salts) older than 90 days, and their
    counts by day, area and meaning older than two years. The worker does this once a day."""
    from cafpedia.core import clock
    from cafpedia.search.demand.upkeep import purge

    found = purge(clock.today(), dry_run=dry_run)
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"Searches: {found.events} {verb}.")
    click.echo(f"Daily salts: {found.salts} {verb}.")
    click.echo(f"Counts by day, area and meaning: {found.counts} {verb}.")

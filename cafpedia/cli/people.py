"""People: `cafpedia create-user`, `invite` and `import-people`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from cafpedia.cli.content import refused
from cafpedia.extensions import db


def _read_password() -> str:
    if sys.stdin is not None and not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="A role; repeat for several.")
@click.option("--area", "areas", multiple=True, help="An area of practice (slug); repeat for several.")
@click.option("--name", default=None, help="Full name (default: from the username).")
@click.option("--email", default="", help="Email address.")
@with_appcontext
def create_user_command(
    username: str, roles: tuple[str, ...], areas: tuple[str, ...], name: str | None, email: str
) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    from cafpedia.accounts import people as accounts_people
    from cafpedia.core.errors import ValidationError

    name = name or " ".join(
        part.capitalize() for part in username.replace("_", ".").replace("-", ".").split(".") if part
    )
    password = _read_password()
    try:
        user = accounts_people.create_user(
            None, username=username, name=name, email=email, roles=roles, areas=areas, password=password
        )
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        for field, message in exc.errors.items():
            click.echo(f"Error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.username} ({', '.join(sorted(user.roles))}).")


@click.command("invite")
@click.argument("username", required=False)
@click.option(
    "--all-without-password", is_flag=True, help="Invite every active person with an email address and no password."
)
@with_appcontext
def invite_command(username: str | None, all_without_password: bool) -> None:
    """Email a person (or everyone without a password) a one-time link to set their password."""
    from cafpedia.accounts import invitations
    from cafpedia.accounts.people import find_user
    from cafpedia.core.errors import ServiceError

    if bool(username) == all_without_password:
        raise click.UsageError("Give a USERNAME, or --all-without-password (not both).")
    try:
        if all_without_password:
            people = invitations.invite_all_without_password(None)
        else:
            person = find_user(username)
            if person is None:
                raise click.ClickException(f"There is no account called {username!r}.")
            invitations.invite(None, person)
            people = [person]
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.plainly()) from exc
    click.echo(
        f"Invited {len(people)} person(s): {', '.join(p.username for p in people) or 'nobody was without a password'}. "
        "The mail goes out with the next `cafpedia worker` round or `cafpedia send-mail`."
    )


@click.command("import-people")
@click.argument("csv_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def import_people_command(csv_file: Path) -> None:
    """Create or update people from an HR export in CSV (username,name,email,roles,areas): all or nothing."""
    from cafpedia.accounts.people_csv import PeopleImportError, import_people

    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file} is not UTF-8 text (save the export as CSV UTF-8): {exc}") from exc
    try:
        done = import_people(None, text)
        db.session.commit()
    except PeopleImportError as exc:
        refused("imported", csv_file, exc.problems)
    click.echo(
        f"Imported {csv_file}: {len(done.created)} new, {len(done.updated)} updated, {len(done.unchanged)} unchanged. "
        "New people have no password yet: `cafpedia invite --all-without-password` emails them a link."
    )

"""The `cafpedia` command (also `python -m cafpedia`; the server starts its worker this way):
the app that create_app builds, with the commands of cafpedia.cli on it.

It stands above both: create_app knows no command line, and the commands (`serve` runs the
server, which builds apps) never import the app factory back."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def create_app_with_commands() -> Flask:
    """The app, or a one-line error naming the setting that is wrong (no traceback)."""
    from cafpedia import cli, create_app
    from cafpedia.config import ConfigError

    try:
        app = create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    cli.init_app(app)
    return app


def main() -> None:
    group = FlaskGroup(create_app=create_app_with_commands, help="CAFpedia: the practice knowledge base for CAFCASS.")
    group.main(prog_name="cafpedia")


if __name__ == "__main__":
    main()

"""The commands of the `cafpedia` command (cafpedia/__main__.py puts them on the app).

init, serve, load, export and create-user: a contract that other tools rely on. The commands
are in modules by job: installation (init, serve), background (worker, send-mail,
notify-due), content (load, export), search (reindex, purge-searches), people (create-user, invite,
import-people), records (record, audit verify, reviews) and backups (backup, restore). Each
command imports what it uses inside itself, on purpose: `cafpedia --help`, and the commands
scripts run often, start without loading every part of the application.
"""

from __future__ import annotations

from flask import Flask

from cafpedia.cli.background import notify_due_command, send_mail_command, worker_command
from cafpedia.cli.backups import backup_command, restore_command
from cafpedia.cli.content import export_command, load_command
from cafpedia.cli.installation import init_command, init_migrations, serve_command
from cafpedia.cli.people import create_user_command, import_people_command, invite_command
from cafpedia.cli.records import audit_group, record_command, reviews_command
from cafpedia.cli.search import purge_searches_command, reindex_command


def init_app(app: Flask) -> None:
    for command in (
        init_command,
        serve_command,
        worker_command,
        send_mail_command,
        notify_due_command,
        load_command,
        export_command,
        create_user_command,
        invite_command,
        import_people_command,
        reviews_command,
        reindex_command,
        purge_searches_command,
        audit_group,
        record_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
    init_migrations(app)  # Flask-Migrate's `cafpedia db ...`

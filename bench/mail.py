"""Mail benchmark: publishing a digest issue to N active accounts, and the worker delivering
every message to a local SMTP server.

    .venv/bin/python bench/mail.py [--accounts 2000] [--database postgresql://postgres@127.0.0.1/test]

Sets up a throwaway database (SQLite by default; with --database, a PostgreSQL database
created beside the one named and dropped afterwards), loads the demo content, adds synthetic
active accounts with email addresses, then:
1. publishes the demo's draft digest issue through the real page (POST, as the research
   coordinator), timing the whole request: notifications and the mail outbox are written
   in its transaction;
2. starts a real SMTP server (aiosmtpd) and one `cafpedia worker` process, and times how
   long until the server has received every queued message.
It prints figures; it asserts nothing. Targets (issue 12): publishing under 1 s, and 2,000
messages delivered within 60 s.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument(
        "--database", default="", help="a PostgreSQL URL to create a throwaway database beside (default: SQLite)"
    )
    args = parser.parse_args()

    from sqlalchemy import create_engine, insert, select, text

    from cafpedia import create_app
    from cafpedia.accounts.models import User
    from cafpedia.cli.installation import upgrade_database
    from cafpedia.config import DEFAULT_CONTENT_DIR, normalise_database_url
    from cafpedia.content.loader import load_folder
    from cafpedia.extensions import db
    from cafpedia.mail.models import MailMessage
    from tests.notifications.conftest import SmtpServer

    folder = Path(tempfile.mkdtemp(prefix="cafpedia-mail-bench-"))
    admin_url, database_url = None, f"sqlite:///{folder / 'bench.sqlite3'}"
    if args.database:
        admin_url = normalise_database_url(args.database)
        name = f"cafpedia_mail_bench_{uuid.uuid4().hex[:8]}"
        with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = admin_url.rsplit("/", 1)[0] + "/" + name
    smtp = SmtpServer()
    config = {
        "SECRET_KEY": "bench",
        "INSTANCE_PATH": str(folder / "instance"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_DIR": str(folder / "search"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_URL": smtp.url,
    }
    app = create_app(config)
    worker = None
    try:
        with app.app_context():
            upgrade_database()
            load_folder(DEFAULT_CONTENT_DIR)
            db.session.commit()
            db.session.execute(
                insert(User),
                [
                    {
                        "username": f"bench.user{n}",
                        "name": f"Bench User {n}",
                        "email": f"bench.user{n}@example.org",
                        "active": True,
                        "demo": False,
                        "session_version": 1,
                    }
                    for n in range(args.accounts)
                ],
            )
            db.session.commit()
            active = db.session.scalar(select(db.func.count(User.id)).where(User.active.is_(True)))
            from cafpedia.search import service as search

            # A running installation has its index: the publish below is timed without building it.
            search.follower().rebuild()
        print(f"CAFpedia mail benchmark on {'PostgreSQL' if admin_url else 'SQLite'}: {active} active accounts")

        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post(
            "/sign-in", data={"username": "research.coordinator", "password": "cafpedia-demo", "csrf_token": token}
        )
        page = client.get("/digest/2007-q2").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        started = time.perf_counter()
        response = client.post(
            "/digest/2007-q2/publish", data={"csrf_token": token, "confirmed": "yes"}
        )  # the confirmation page's button
        publish_ms = (time.perf_counter() - started) * 1000
        with app.app_context():
            queued = db.session.scalar(select(db.func.count(MailMessage.id)).where(MailMessage.status == "queued"))
        print(
            f"  publish the digest issue (POST, whole request): {publish_ms:7.1f} ms  (status {response.status_code}; "
            f"{queued} messages queued)"
        )

        smtp.start()
        env = {
            **os.environ,
            "CAFPEDIA_DATABASE_URL": database_url,
            "CAFPEDIA_INSTANCE_DIR": str(folder / "instance"),
            "CAFPEDIA_SEARCH_DIR": str(folder / "search"),
            "CAFPEDIA_SECRET_KEY": "bench",
            "CAFPEDIA_MAIL_URL": smtp.url,
            "PYTHONPATH": str(ROOT),
        }
        started = time.perf_counter()
        worker = subprocess.Popen(
            [sys.executable, "-m", "cafpedia", "worker", "--interval", "0.2"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while len(smtp.inbox.messages) < queued and time.perf_counter() - started < 300:
            time.sleep(0.05)
        delivered_s = time.perf_counter() - started
        print(
            f"  deliver every message through `cafpedia worker` (from its start): {delivered_s:6.1f} s  "
            f"({len(smtp.inbox.messages)} of {queued} received, {len(smtp.inbox.messages) / delivered_s:.0f} "
            f"messages/s)"
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        smtp.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin_url:
            with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database_url.rsplit("/", 1)[1]}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

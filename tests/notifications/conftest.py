"""A real SMTP server (aiosmtpd on 127.0.0.1) that keeps what it receives, and people with addresses."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from cafpedia.extensions import db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What the server received; `refuse` makes it refuse recipients with that answer."""

    def __init__(self):
        self.messages = []
        self.refuse: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    """The test app, sending to the test SMTP server, with links to https://cafpedia.test."""
    app.config.update(
        MAIL_URL=smtp.url, BASE_URL="https://cafpedia.test", MAIL_FROM="CAFpedia <cafpedia@cafpedia.test>"
    )
    return app


@pytest.fixture
def addressed(people, make_user):
    """The tips people, each with an email address, and an administrator."""
    people = dict(people)
    people["ada"] = make_user("ada.admin", ["admin"], name="Ada Admin")
    for user in people.values():
        user.email = f"{user.username}@example.org"
    db.session.commit()
    return people

"""Ways to deliver a message: an SMTP server, or files in a folder (development)."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from cafpedia.mail.settings import SmtpSettings


class TransientMailError(Exception):
    """This message could not be sent now; try again later."""


class PermanentMailError(Exception):
    """The server refused this message for good (a 5xx answer)."""


class ServerUnavailable(TransientMailError):
    """No message can be sent now: the server is down, slow, or refuses us."""


def _answer(code: int, text) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


class SmtpTransport:
    """One SMTP connection, reused for a batch of messages."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        s = self.settings
        try:
            if s.ssl:
                self.connection = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                self.connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.starttls:
                    self.connection.starttls(context=ssl.create_default_context())
            if s.username:
                self.connection.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise ServerUnavailable(
                f"the mail server refused the user name or password ({_answer(exc.smtp_code, exc.smtp_error)})"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise ServerUnavailable(
                f"cannot reach the mail server at {s.describe()}: {exc or type(exc).__name__}"
            ) from exc
        return self

    def send(self, message: EmailMessage) -> None:
        assert self.connection is not None
        try:
            refused = self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{addr}: {_answer(code, text)}" for addr, (code, text) in exc.recipients.items())
            if codes and all(code >= 500 for code in codes):
                raise PermanentMailError(f"the mail server refused the recipient ({detail})") from exc
            raise TransientMailError(f"the mail server deferred the recipient ({detail})") from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            answer = _answer(exc.smtp_code, exc.smtp_error)
            if exc.smtp_code >= 500:
                raise PermanentMailError(f"the mail server refused the message ({answer})") from exc
            raise TransientMailError(f"the mail server deferred the message ({answer})") from exc
        except (smtplib.SMTPNotSupportedError, UnicodeError) as exc:  # this message only: the connection is fine
            raise PermanentMailError(
                f"the mail server cannot take this message (an address with non-ASCII characters?): {exc}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise ServerUnavailable(f"the mail server went away while sending: {exc or type(exc).__name__}") from exc
        if refused:
            detail = "; ".join(f"{addr}: {_answer(code, text)}" for addr, (code, text) in refused.items())
            raise PermanentMailError(f"the mail server refused the recipient ({detail})")

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def __exit__(self, *exc_info) -> None:
        self._close()


class FileTransport:
    """Development without a mail server: each message is a .eml file in a folder, named by
    its outbox id, so sending it twice writes the same file."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def __enter__(self) -> FileTransport:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ServerUnavailable(f"cannot create the mail folder {self.folder}: {exc}") from exc
        return self

    def send(self, message: EmailMessage) -> None:
        outbox_id = message["X-CAFpedia-Outbox-Id"]
        path = self.folder / f"{int(outbox_id):08d}.eml"
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        try:
            tmp.write_bytes(bytes(message))
            tmp.replace(path)
        except OSError as exc:
            raise ServerUnavailable(f"cannot write {path}: {exc}") from exc

    def __exit__(self, *exc_info) -> None:
        return None

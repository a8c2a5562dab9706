"""Mail settings: CAFPEDIA_MAIL_URL, CAFPEDIA_MAIL_FROM and CAFPEDIA_BASE_URL, checked."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from cafpedia.core.urls import base_url

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


class MailConfigError(ValueError):
    """A mail setting that cannot work; the message says which and why."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 10.0

    def describe(self) -> str:
        """For logs and pages: never the password."""
        user = f"{self.username}@" if self.username else ""
        tls = " (SSL)" if self.ssl else " (STARTTLS)" if self.starttls else ""
        return f"smtp://{user}{self.host}:{self.port}{tls}"


def parse_mail_url(url: str | None) -> SmtpSettings | None:
    """`smtp://[user[:password]@]host[:port][?starttls=true&timeout=10]` (or `smtps://` for
    TLS from the start). None or empty: no server, mail is written to files."""
    if url is None or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise MailConfigError(f"CAFPEDIA_MAIL_URL is not a valid address ({exc}).") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise MailConfigError(
            f"CAFPEDIA_MAIL_URL must start with smtp:// or smtps://, not {parts.scheme or 'nothing'}:// "
            "(for example smtp://mail.example.org:587?starttls=true)."
        )
    if not parts.hostname:
        raise MailConfigError("CAFPEDIA_MAIL_URL names no mail server host (for example smtp://mail.example.org:25).")
    if parts.path not in ("", "/"):
        raise MailConfigError(f"CAFPEDIA_MAIL_URL has a path ({parts.path}) that means nothing for SMTP; remove it.")
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"starttls", "timeout"}
    if unknown:
        raise MailConfigError(
            f"CAFPEDIA_MAIL_URL has an unknown option {', '.join(sorted(unknown))}: use starttls=true or "
            f"timeout=SECONDS."
        )
    starttls = False
    if "starttls" in query:
        flag = query["starttls"].strip().lower()
        if flag not in TRUE | FALSE:
            raise MailConfigError(f"CAFPEDIA_MAIL_URL: starttls must be true or false, not {query['starttls']!r}.")
        starttls = flag in TRUE
    if starttls and scheme == "smtps":
        raise MailConfigError("CAFPEDIA_MAIL_URL: smtps:// is TLS from the start; starttls=true goes with smtp://.")
    timeout = 10.0
    if "timeout" in query:
        try:
            timeout = float(query["timeout"])
        except ValueError:
            timeout = -1
        if not 0 < timeout <= 300:
            raise MailConfigError(
                f"CAFPEDIA_MAIL_URL: timeout must be a number of seconds from 1 to 300, not {query['timeout']!r}."
            )
    if parts.password and not parts.username:
        raise MailConfigError("CAFPEDIA_MAIL_URL has a password but no user name.")
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if scheme == "smtps" else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls,
        ssl=scheme == "smtps",
        timeout=timeout,
    )


def parse_sender(value: str | None) -> Address:
    """CAFPEDIA_MAIL_FROM: `cafpedia@example.org` or `CAFpedia <cafpedia@example.org>`."""
    name, addr = parseaddr(value or "")
    if not addr or "@" not in addr or addr.startswith("@") or addr.endswith("@"):
        raise MailConfigError(
            f"CAFPEDIA_MAIL_FROM must be an email address such as CAFpedia <cafpedia@example.org>, not {value!r}."
        )
    username, domain = addr.rsplit("@", 1)
    try:
        return Address(display_name=name or "CAFpedia", username=username, domain=domain)
    except (ValueError, IndexError) as exc:
        raise MailConfigError(f"CAFPEDIA_MAIL_FROM is not a usable address ({exc}).") from exc


def parse_base_url(value: str | None) -> str:
    """CAFPEDIA_BASE_URL: where CAFpedia is reached, for the links in messages."""
    try:
        return base_url(value)
    except ValueError as exc:
        raise MailConfigError(str(exc)) from exc


def check(config) -> list[str]:
    """Every problem with an app's mail settings (for `serve` and `worker`, which refuse to start)."""
    problems = []
    for check_one, key in ((parse_mail_url, "MAIL_URL"), (parse_sender, "MAIL_FROM"), (parse_base_url, "BASE_URL")):
        try:
            check_one(config.get(key))
        except MailConfigError as exc:
            problems.append(str(exc))
    return problems

"""Configuration: defaults, CAFPEDIA_* environment overrides, and a mapping passed by tests."""

from __future__ import annotations

import ipaddress
import os
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
DEFAULT_CONTENT_DIR = PROJECT_ROOT / "content"

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def parse_escalate_days(value) -> int:
    """CAFPEDIA_ESCALATE_DAYS: a whole number of working days from 1 to 60."""
    text = str(value if value is not None else "5").strip()
    if not text.isdecimal() or not 1 <= int(text) <= 60:
        raise ValueError(f"CAFPEDIA_ESCALATE_DAYS must be a whole number of working days from 1 to 60, not {value!r}.")
    return int(text)


def escalate_days_from(config) -> int:
    """The app's escalation limit; a bad setting counts as the default 5 here (and stops
    `serve` and `worker` from starting, with the reason)."""
    try:
        return parse_escalate_days(config.get("ESCALATE_DAYS"))
    except ValueError:
        return 5


def instance_path_from_env() -> str | None:
    value = os.environ.get("CAFPEDIA_INSTANCE_DIR")
    return str(Path(value).resolve()) if value else None


def secret_key_from_instance(instance_path: str) -> str:
    """Read the instance's secret key, creating it once if there is none.

    Several worker processes may start at once: the key is written to a temporary
    file and linked into place, so every process reads the same complete key.
    """
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        tmp = folder / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            tmp.unlink()
    for _ in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{key_file} is empty: delete it and start again")


class ConfigError(ValueError):
    """A setting CAFpedia cannot run with; the message names the variable and what to set."""


def check_sign_in_settings(config: Mapping[str, Any]) -> None:
    if config["PASSWORD_SIGN_IN"] not in ("everyone", "admins"):
        raise ConfigError(
            f"CAFPEDIA_PASSWORD_SIGN_IN must be 'everyone' or 'admins', not {config['PASSWORD_SIGN_IN']!r}."
        )
    issuer = config["OIDC_ISSUER"]
    if issuer:
        if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ConfigError(
                f"CAFPEDIA_OIDC_ISSUER must be an https:// address (plain http only on this machine), not {issuer!r}."
            )
        missing = [name for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config[name]]
        if missing:
            raise ConfigError(
                "CAFPEDIA_OIDC_ISSUER is set, so set " + " and ".join(f"CAFPEDIA_{m}" for m in missing) + " too."
            )
    elif config["PASSWORD_SIGN_IN"] == "admins":
        raise ConfigError(
            "CAFPEDIA_PASSWORD_SIGN_IN=admins needs an identity provider (CAFPEDIA_OIDC_ISSUER), "
            "or nobody but administrators could sign in."
        )


REDIS_TIMEOUT = 0.25  # seconds: a Redis that does not answer must not hold a request up


def parse_networks(value) -> tuple:
    """ "127.0.0.1, 10.0.0.0/8" -> the networks; ConfigError naming the entry that is not one."""
    if isinstance(value, tuple):
        return value
    networks = []
    for entry in str(value or "").split(","):
        if entry.strip():
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ConfigError(
                    f"CAFPEDIA_METRICS_ALLOW: {entry.strip()!r} is not an address or network (e.g. 10.0.0.0/8)"
                ) from None
    return tuple(networks)


def parse_image_sources(value) -> tuple[str, ...]:
    """ "https://intranet.example.org https://cdn.example.org/images/" (spaces or commas
    between) -> the places images in Markdown may come from besides CAFpedia itself;
    ConfigError naming an entry that is not an https address with a host."""
    if isinstance(value, tuple):
        return value
    sources = []
    for entry in str(value or "").replace(",", " ").split():
        parts = urlsplit(entry)
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment or parts.username:
            raise ConfigError(
                f"CAFPEDIA_IMAGE_SOURCES: {entry!r} is not an https address such as https://images.example.org"
            )
        sources.append(f"https://{parts.netloc.lower()}{parts.path}")
    return tuple(sources)


def build_config(instance_path: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings for one app: defaults, then the environment, then `overrides`."""
    overrides = dict(overrides or {})
    Path(instance_path).mkdir(parents=True, exist_ok=True)  # the SQLite file, mail files and the index live here
    database_url = os.environ.get("CAFPEDIA_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "cafpedia.sqlite3")
    )
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: a database error in a log never shows the values sent (a search text).
        # No pool_pre_ping: a connection idle for a while is checked before use (core.connections).
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        "SEARCH_DIR": os.environ.get("CAFPEDIA_SEARCH_DIR") or str(Path(instance_path) / "search"),
        "PUBLIC_READ": env_flag("CAFPEDIA_PUBLIC_READ"),
        "SEARCH_BACKEND": (os.environ.get("CAFPEDIA_SEARCH_BACKEND") or "whoosh").strip().lower(),
        "CONTENT_DIR": os.environ.get("CAFPEDIA_CONTENT_DIR") or str(DEFAULT_CONTENT_DIR),
        # Cookies: never readable from scripts, not sent on cross-site posts.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_flag("CAFPEDIA_SECURE_COOKIES"),
        "SESSION_COOKIE_NAME": "cafpedia_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env_flag("CAFPEDIA_SECURE_COOKIES"),
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # A form stays valid for the whole signed-in session: advisers get interrupted.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PASSWORD_HASH_METHOD": "scrypt",
        "PASSWORD_MIN_LENGTH": 10,
        "SIGNIN_MAX_FAILURES": 5,
        "SIGNIN_LOCK_MINUTES": 15,
        # Sign-in attempts from one client, whatever the account (Flask-Limiter's syntax).
        "SIGNIN_RATE_LIMIT": os.environ.get("CAFPEDIA_SIGNIN_RATE_LIMIT") or "10 per minute;60 per hour",
        "RATELIMIT_STORAGE_URI": os.environ.get("CAFPEDIA_RATELIMIT_STORAGE") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # State shared by every app machine (rate limits); unset: each process keeps its own.
        "REDIS_URL": os.environ.get("CAFPEDIA_REDIS_URL") or "",
        # Who may read /metrics: addresses or networks, separated by commas.
        "METRICS_ALLOW": os.environ.get("CAFPEDIA_METRICS_ALLOW") or "127.0.0.1",
        # Reverse proxies in front of CAFpedia whose X-Forwarded-For to trust (0: none).
        "TRUSTED_PROXIES": int(os.environ.get("CAFPEDIA_TRUSTED_PROXIES") or 0),
        "TIME_ZONE": "Europe/London",
        # Where images in Markdown may come from besides CAFpedia itself: https addresses,
        # separated by spaces or commas (the Content-Security-Policy names them too).
        "IMAGE_SOURCES": os.environ.get("CAFPEDIA_IMAGE_SOURCES") or "",
        # Mail: an SMTP server (none: messages are written to instance/mail/ as files),
        # the sender, and the address CAFpedia is reached at, for the links in messages.
        "MAIL_URL": os.environ.get("CAFPEDIA_MAIL_URL") or None,
        "MAIL_FROM": os.environ.get("CAFPEDIA_MAIL_FROM") or "CAFpedia <cafpedia@localhost>",
        "MAIL_DIR": str(Path(instance_path) / "mail"),
        "BASE_URL": os.environ.get("CAFPEDIA_BASE_URL") or "http://127.0.0.1:5000",
        # Working days a proposal or an overdue review waits before the deputies are told
        # (twice as many: the administrators).
        "ESCALATE_DAYS": os.environ.get("CAFPEDIA_ESCALATE_DAYS") or "5",
        # Signing in through the organisation's identity provider (OpenID Connect): its issuer
        # URL, and the client CAFpedia is registered as there. Unset: passwords only.
        "OIDC_ISSUER": os.environ.get("CAFPEDIA_OIDC_ISSUER") or "",
        "OIDC_CLIENT_ID": os.environ.get("CAFPEDIA_OIDC_CLIENT_ID") or "",
        "OIDC_CLIENT_SECRET": os.environ.get("CAFPEDIA_OIDC_CLIENT_SECRET") or "",
        # The words on the button, e.g. "Sign in with your CAFCASS account".
        "OIDC_BUTTON": os.environ.get("CAFPEDIA_OIDC_BUTTON") or "Sign in with your organisation account",
        # Who may sign in with a password: "everyone", or "admins" (break-glass administrators
        # only; everyone else through the identity provider).
        "PASSWORD_SIGN_IN": (os.environ.get("CAFPEDIA_PASSWORD_SIGN_IN") or "everyone").strip().lower(),
    }
    config.update(overrides)
    if (
        config["REDIS_URL"]
        and "RATELIMIT_STORAGE_URI" not in overrides
        and not os.environ.get("CAFPEDIA_RATELIMIT_STORAGE")
    ):
        # Limits counted in Redis, shared by every machine; in each process while Redis is down.
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
        config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
        config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    config["METRICS_ALLOW"] = parse_networks(config["METRICS_ALLOW"])
    config["IMAGE_SOURCES"] = parse_image_sources(config["IMAGE_SOURCES"])
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: let threads share the connection pool safely.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}, "hide_parameters": True}
    check_sign_in_settings(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = os.environ.get("CAFPEDIA_SECRET_KEY") or secret_key_from_instance(instance_path)
    return config

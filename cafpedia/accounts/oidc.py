"""Signing in through the organisation's identity provider: OpenID Connect, with Authlib.

CAFpedia is an OpenID Connect client ("relying party") using the authorisation-code flow:
the browser goes to the provider, comes back with a code, and CAFpedia exchanges the code
for an ID token whose signature, issuer, audience, expiry and nonce Authlib checks against
the provider's published keys. What the token says about the person is then matched to an
account by `accounts.identity`. Roles and areas always stay CAFpedia's own.

Anything that goes wrong with the provider (down, slow, a refused or forged token, a
mismatched issuer) becomes `SignInUnavailable`: the person sees a plain page, never a 500.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

log = logging.getLogger(__name__)

EXTENSION = "cafpedia_oidc"
SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10  # a provider that does not answer in this time is "unavailable"


class SignInUnavailable(Exception):
    """The identity provider could not sign this person in; the reason is for the log."""


def init_app(app: Flask) -> None:
    """Register the provider when CAFPEDIA_OIDC_ISSUER is set (one client per app)."""
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    if not issuer:
        return
    # Authlib (with requests, joserfc and cryptography: about 30 MB resident) is imported only
    # by an app that signs in through a provider.
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "provider",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "default_timeout": TIMEOUT_SECONDS},
    )
    app.extensions[EXTENSION] = oauth


def configured() -> bool:
    return EXTENSION in current_app.extensions


def _client():
    return current_app.extensions[EXTENSION].provider


def _guarded(action: str, call):
    """Run one exchange with the provider; every way it can fail becomes SignInUnavailable."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException

    try:
        return call()
    except (RequestException, AuthlibBaseError, JoseError, ValueError, KeyError, RuntimeError) as exc:
        log.warning("Identity provider: %s failed: %s: %s", action, type(exc).__name__, exc)
        raise SignInUnavailable(f"{action}: {type(exc).__name__}: {exc}") from exc


def _checked_metadata() -> dict:
    """The provider's published configuration, which must name the issuer we were given."""
    metadata = _client().load_server_metadata()
    expected = current_app.config["OIDC_ISSUER"].rstrip("/")
    if str(metadata.get("issuer", "")).rstrip("/") != expected:
        _client().server_metadata.clear()  # read it again next time: it may be put right
        raise ValueError(f"the provider says its issuer is {metadata.get('issuer')!r}, not {expected!r}")
    return metadata


def redirect_to_provider(return_url: str):
    """The response that sends the browser to the provider (state and nonce kept in the session).
    The provider's published configuration is read afresh each time: so a provider that is
    down gets the person a page that says so, not a browser error at a dead address."""

    def start():
        _client().server_metadata.pop("_loaded_at", None)  # Authlib keeps it for good otherwise
        _checked_metadata()
        return _client().authorize_redirect(return_url)

    return _guarded("starting sign-in", start)


def claims_from_return() -> dict:
    """On the way back: exchange the code for a checked ID token, and return its claims
    (`iss`, `sub`, and `email`, `email_verified`, `name` when the provider gives them)."""

    def finish() -> dict:
        metadata = _checked_metadata()
        # The token must be from this issuer and for this client: Authlib checks only the
        # issuer unless told (an `aud` naming another client, with our `azp`, would pass).
        token = _client().authorize_access_token(
            claims_options={
                "iss": {"essential": True, "values": [metadata["issuer"]]},
                "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]},
            }
        )
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub") or not claims.get("iss"):
            raise ValueError("the provider's answer held no ID token with a subject and an issuer")
        return claims

    return _guarded("finishing sign-in", finish)

"""A small, real OpenID Connect provider for the tests (Authlib's server side, with Flask).

    with LocalProvider("rp", "secret", ["http://rp.test/callback"]) as op:
        op.add_user("u1", "ada@example.org", "Ada Lovelace")
        op.sign_in_as = "ada@example.org"      # skip the sign-in page
        ...point the relying party at op.issuer...

Everything is in memory. Token logic is Authlib's own AuthorizationServer with
AuthorizationCodeGrant + OpenIDCode(require_nonce=True); we only supply storage.
Keys are joserfc objects (authlib.jose is deprecated in 1.9 and warns on import).
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants, scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

SCOPES = ["openid", "email", "profile"]
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


# --- in-memory models (the Mixins tell Authlib how to read them) -------------
@dataclass
class User:
    sub: str
    email: str
    name: str
    email_verified: bool = True


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list
    client_metadata: dict = field(default_factory=dict)  # read by UserInfoEndpoint

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def check_redirect_uri(self, uri):
        return uri in self.redirect_uris  # exact match

    def check_client_secret(self, s):
        return secrets.compare_digest(self.client_secret, s)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in AUTH_METHODS

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope_to_list(scope or "") if s in SCOPES)


@dataclass
class AuthCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: User
    nonce: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


@dataclass
class Token(TokenMixin):
    access_token: str
    scope: str
    client: Client
    user: User
    expires_in: int
    issued_at: int = field(default_factory=lambda: int(time.time()))

    def check_client(self, client):
        return client.client_id == self.client.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self):
        return False

    def get_user(self):
        return self.user

    def get_client(self):
        return self.client


def user_claims(user, scope):
    # UserInfo.filter() keeps only the claims the granted scopes allow.
    return UserInfo(sub=user.sub, email=user.email, name=user.name, email_verified=user.email_verified).filter(scope)


# --- Authlib glue: the grant, its OIDC extension, and /userinfo --------------
class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code, req):
        nonce = req.payload.data.get("nonce")  # None if scope lacks "openid"
        if nonce:
            self.server.op.nonces.add(nonce)
        self.server.op.codes[code] = AuthCode(
            code, req.client.client_id, req.payload.redirect_uri, req.scope, req.user, nonce
        )

    def query_authorization_code(self, code, client):
        item = self.server.op.codes.get(code)
        return item if item and item.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code):
        self.server.op.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class OIDCCode(OpenIDCode):
    def __init__(self, op):
        super().__init__(require_nonce=True)
        self.op = op

    def exists_nonce(self, nonce, req):  # a reused nonce -> "Replay attack"
        return nonce in self.op.nonces

    def resolve_client_private_key(self, client):
        # Returning a joserfc key (not a dict/PEM string) avoids Authlib's
        # "Please use OctKey, RSAKey, ..." AuthlibDeprecationWarning.
        return self.op._rogue_key if self.op.bad_token else self.op._key

    def get_client_claims(self, client):
        aud = "someone-else" if self.op.wrong_audience else client.client_id
        return {"iss": self.op.issuer, "aud": [aud]}

    def generate_user_info(self, user, scope):
        return user_claims(user, scope)


class UserInfoView(UserInfoEndpoint):
    def generate_user_info(self, user, scope):
        return user_claims(user, scope)


class TokenValidator(BearerTokenValidator):
    def __init__(self, op):
        super().__init__()
        self.op = op

    def authenticate_token(self, token_string):
        return self.op.tokens.get(token_string)


# --- the provider --------------------------------------------------------------
class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args):  # no per-request access log in test output
        pass


_KEY_PAIR: list[bytes] = []


def _key_pair() -> tuple[bytes, bytes]:
    """Two 2048-bit RSA private keys (PEM), made once per process: making one takes a tenth of
    a second, and each provider only needs its own kid, not keys no other provider had."""
    if not _KEY_PAIR:
        _KEY_PAIR.extend(RSAKey.generate_key(2048).as_pem(private=True) for _ in range(2))
    return _KEY_PAIR[0], _KEY_PAIR[1]


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""

SIGN_IN_FORM = """<form method="post">
<label for="email">Email address</label>
<input type="email" id="email" name="email" autocomplete="email" required>
<button type="submit">Sign in</button></form>"""


class LocalProvider:
    def __init__(self, client_id, client_secret, redirect_uris):
        self.client = Client(client_id, client_secret, list(redirect_uris))
        self.users: dict[str, User] = {}  # by email
        self.codes: dict[str, AuthCode] = {}
        self.nonces: set[str] = set()  # every nonce ever used (replay check)
        self.tokens: dict[str, Token] = {}
        # Test switches.
        self.sign_in_as: str | None = None  # email -> GET /authorize auto-approves
        self.bad_token = False  # id_token signed by an unpublished key
        self.wrong_audience = False  # id_token "aud" is not our client
        self.token_endpoint_fails = False  # /token answers 500
        self.advertised_issuer: str | None = None  # the discovery document names another issuer
        # The published key, and an impostor with the *same* kid (so the RP
        # finds a key and fails on the signature, not on key lookup).
        params = {"use": "sig", "alg": "RS256", "kid": secrets.token_hex(8)}
        published, rogue = _key_pair()
        self._key = RSAKey.import_key(published, parameters=params)
        self._rogue_key = RSAKey.import_key(rogue, parameters=params)
        self._server = self._thread = None
        self.issuer = None

    def add_user(self, subject, email, name, email_verified=True):
        self.users[email] = User(subject, email, name, email_verified)

    # -- lifecycle
    def start(self):
        if self._server is not None:
            raise RuntimeError("a LocalProvider can only be started once")
        self._server = make_server("127.0.0.1", 0, self._make_app(), threaded=True, request_handler=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll: shutdown() waits for serve_forever to look (half a second by default).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        # shutdown() ends serve_forever; server_close() frees the port, so later
        # requests to self.issuer get "connection refused".
        if self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- the Flask app
    def _make_app(self):
        app = Flask(__name__)
        server = AuthorizationServer(app, query_client=self._query_client, save_token=self._save_token)
        server.op = self  # lets grants reach our in-memory stores
        server.register_grant(CodeGrant, [OIDCCode(self)])
        protector = ResourceProtector()
        protector.register_token_validator(TokenValidator(self))
        server.register_endpoint(UserInfoView(resource_protector=protector))

        def page(title, body, status=200):
            return PAGE.format(title=html.escape(title), body=body), status

        @app.get("/.well-known/openid-configuration")
        def discovery():
            i = self.issuer
            return jsonify(
                issuer=self.advertised_issuer or i,
                authorization_endpoint=i + "/authorize",
                token_endpoint=i + "/token",
                jwks_uri=i + "/jwks",
                userinfo_endpoint=i + "/userinfo",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                scopes_supported=SCOPES,
                token_endpoint_auth_methods_supported=AUTH_METHODS,
                grant_types_supported=["authorization_code"],
            )

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self._key.as_dict(private=False)])

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            email = request.form.get("email") if request.method == "POST" else self.sign_in_as
            user = self.users.get(email.strip()) if email else None
            try:
                # Validates client_id, exact redirect_uri, scope, nonce, prompt.
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:  # redirects back if redirect_uri is trusted
                return server.handle_error_response(None, error)
            if email is None:  # a person must sign in: show the form
                return page("Sign in", SIGN_IN_FORM)
            if user is None:
                return page("Unknown user", f"<p>No account exists for {html.escape(email)}.</p>", 400)
            # Passing grant= avoids a 1.9 "grant parameter will become mandatory" warning.
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post("/token")
        def issue_token():
            if self.token_endpoint_fails:
                return jsonify(error="server_error"), 500
            return server.create_token_response()

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo():
            return server.create_endpoint_response("userinfo")

        return app

    def _query_client(self, client_id):
        return self.client if client_id == self.client.client_id else None

    def _save_token(self, token, req):
        self.tokens[token["access_token"]] = Token(
            token["access_token"], token["scope"], req.client, req.user, token["expires_in"]
        )

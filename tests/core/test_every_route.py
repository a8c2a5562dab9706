"""Every route, for every role: allowed or refused as its named rule (and the view's check on the
object) says, never a 500; a refused POST changes nothing; a POST without its CSRF token is a
400 that changes nothing. The routes come from the URL map and their sample values from
tests/support/routes.py, so a new route fails here until it has an entry there."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from cafpedia import create_app
from cafpedia.accounts.models import User
from cafpedia.core import clock as app_clock
from cafpedia.core.permissions import ADDRESS_RULES
from cafpedia.extensions import db
from tests.conftest import PINNED_AT, Client, base_config
from tests.support.routes import MORE_SAMPLES, ROLES, SAMPLES, Role, Sample, allowed, sample_url, seed, url_map

DEMO_PASSWORD = "cafpedia-demo"
# Bookkeeping a request writes whoever sends it: when a signed-in person was last seen.
NOT_CONTENT = {"user_sessions"}


ROUTES, RULE_OF = url_map()
CASES = [(endpoint, sample) for endpoint, sample in SAMPLES.items()] + MORE_SAMPLES
GET_CASES = [(e, s) for e, s in CASES if any(e == r[0] and "GET" in r[1] for r in ROUTES)]
POST_CASES = [(e, s) for e, s in CASES if any(e == r[0] and "POST" in r[1] for r in ROUTES)]

# Bugs being fixed by others in issue 28, and what the GET should then give (True: allowed; None:
# as the rules say). Strict: once fixed, the test passes and fails as XPASS until the entry goes.
KNOWN_BUGS = {}


def _case_id(endpoint: str, sample: Sample) -> str:
    values = ",".join(f"{v}" for v in sample.values.values())
    return (f"{endpoint}({values})" if values else endpoint) + (f"?{sample.query}" if sample.query else "")


def _params(cases):
    params = []
    for role in ROLES:
        for endpoint, sample in cases:
            marks = []
            bug = KNOWN_BUGS.get((role.name, endpoint)) if sample is SAMPLES.get(endpoint) else None
            if bug:
                marks.append(pytest.mark.xfail(strict=True, reason=bug[0]))
            params.append(
                pytest.param(role, endpoint, sample, marks=marks, id=f"{role.name}-{_case_id(endpoint, sample)}")
            )
    return params


@dataclass
class Site:
    apps: dict[bool, object]
    ids: dict[str, str]
    clients: dict[str, Client]
    tokens: dict[str, str]
    unchanged: dict[str, str] | None = None  # the fingerprint after the last refused POST

    def url(self, role: Role, endpoint: str, sample: Sample, *, query: bool = True) -> str:
        return sample_url(self.apps[role.public_read], endpoint, sample, self.ids, query=query)

    def allowed(self, role: Role, endpoint: str, sample: Sample) -> tuple[bool, bool]:
        return allowed(self.apps[role.public_read], role, endpoint, sample)

    def fingerprint(self) -> dict[str, str]:
        """A hash of every table's rows (but NOT_CONTENT), to see that nothing changed."""
        with self.apps[False].app_context():
            found = {}
            for table in db.metadata.sorted_tables:
                if table.name in NOT_CONTENT:
                    continue
                rows = db.session.execute(text(f'SELECT * FROM "{table.name}"')).all()
                found[table.name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            db.session.remove()
            return found


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request, demo_snapshots, tmp_path_factory):
    """The demo content (and seed's additions) once for the module, with a signed-in client per role."""
    folder = tmp_path_factory.mktemp("every-route")
    snapshot = demo_snapshots.sqlite if request.param == "sqlite" else demo_snapshots.postgres
    url = snapshot("whoosh", folder)
    config = base_config(folder, url)
    apps = {False: create_app(config), True: create_app(config | {"PUBLIC_READ": True})}
    clients, tokens = {}, {}
    with app_clock.frozen(PINNED_AT - timedelta(seconds=30)):
        with apps[False].app_context():
            ids = seed()
            db.session.remove()
        for role in ROLES:
            client = clients[role.name] = Client(apps[role.public_read].test_client())
            if role.username:
                response = client.sign_in(role.username, DEMO_PASSWORD)
                assert response.status_code == 302, f"{role.username} could not sign in"
            tokens[role.name] = client.csrf_token()
    yield Site(apps, ids, clients, tokens)
    for app in apps.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _describe(response) -> str:
    where = response.headers.get("Location", "")
    return f"{response.status_code}{' to ' + where if where else ''}"


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers.get("Location", "").startswith("/sign-in?next=")


def _check(role: Role, endpoint: str, sample: Sample, allowed: tuple[bool, bool], response, what: str) -> None:
    by_rule, by_object = allowed
    got = _describe(response)
    assert response.status_code != 500, f"{what} as {role.name}: a 500"
    if by_object:
        status = sample.signed_out_status if role.username is None else None
        status = status or sample.allowed_status
        if status is not None:
            assert response.status_code == status, f"{what} as {role.name}: {got}, not {status} ({sample.why})"
        else:
            assert response.status_code < 400 and not _sent_to_sign_in(response), (
                f"{what} as {role.name} should be allowed by rule {RULE_OF[endpoint]!r}"
                f"{' and its check on the object' if sample.also else ''}, got {got}"
            )
    elif not by_rule and role.username is None and RULE_OF[endpoint] not in ADDRESS_RULES:
        assert _sent_to_sign_in(response), f"{what} as {role.name} should be sent to sign in, got {got}"
    else:
        assert response.status_code == sample.refused, (
            f"{what} as {role.name} should be refused ({sample.refused}) by "
            f"{'rule ' + repr(RULE_OF[endpoint]) if not by_rule else 'the check on the object'}, got {got}"
        )


def test_every_endpoint_has_a_sample():
    served = {endpoint for endpoint, _methods, _rule in ROUTES}
    missing = sorted(served - SAMPLES.keys())
    gone = sorted(SAMPLES.keys() - served | {e for e, _ in MORE_SAMPLES} - served)
    assert not missing, (
        "These routes have no sample values: add each to SAMPLES in tests/support/routes.py, with the URL values "
        "from the demo content (and `also=` if the view checks the object after its named rule): "
        + ", ".join(f"{e} ({rule})" for e, _m, rule in sorted(ROUTES) if e in missing)
    )
    assert not gone, f"SAMPLES names endpoints the app no longer has: {gone}"


def test_the_roles_hold_every_role_permissions_knows(site):
    from cafpedia.core.permissions import ROLES as KNOWN

    with site.apps[False].app_context():
        held = set().union(
            *(u.roles for u in db.session.scalars(select(User).where(User.username.in_([r.username for r in ROLES]))))
        )
        db.session.remove()
    assert held == set(KNOWN), (
        f"nobody in ROLES (tests/support/routes.py) holds {set(KNOWN) - held}: add someone who does"
    )


@pytest.mark.parametrize("role, endpoint, sample", _params(GET_CASES))
def test_get(site, role, endpoint, sample):
    url = site.url(role, endpoint, sample)
    allowed = site.allowed(role, endpoint, sample)
    if sample is SAMPLES.get(endpoint) and KNOWN_BUGS.get((role.name, endpoint), ("", None))[1]:
        allowed = (True, True)
    site.unchanged = None  # a page may note that it was read
    with site.clients[role.name].get(url) as response:
        _check(role, endpoint, sample, allowed, response, f"GET {url}")


@pytest.mark.parametrize(
    "endpoint, sample",
    [pytest.param(e, s, id=_case_id(e, s)) for e, s in POST_CASES if RULE_OF[e] != "anyone"],
)
def test_refused_posts_change_nothing(site, endpoint, sample):
    """Each role the rules refuse, posting with its CSRF token: refused, and no table changed."""
    refused = [role for role in ROLES if not site.allowed(role, endpoint, sample)[1]]
    assert refused, f"nobody in ROLES is refused {endpoint}"
    for role in refused:
        url = site.url(role, endpoint, sample, query=False)
        before = site.unchanged or site.fingerprint()
        response = site.clients[role.name].raw.post(url, data={"csrf_token": site.tokens[role.name]})
        site.unchanged = after = site.fingerprint()
        _check(role, endpoint, sample, site.allowed(role, endpoint, sample), response, f"POST {url}")
        assert [t for t in before if before[t] != after[t]] == [], f"POST {url} as {role.name} changed these tables"


@pytest.mark.parametrize("endpoint, sample", [pytest.param(e, s, id=_case_id(e, s)) for e, s in POST_CASES])
@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_post_without_csrf_token_is_refused(site, who, endpoint, sample):
    """Signed in as an administrator (whom every rule lets in) or not signed in at all: a 400 that
    says why, and no table changed."""
    role = next(r for r in ROLES if r.name == who)
    url = site.url(role, endpoint, sample, query=False)
    before = site.unchanged or site.fingerprint()
    response = site.clients[who].raw.post(
        url, data={"name": "Changed", "title": "Changed", "password": "a-new-long-password", "active": "0"}
    )
    site.unchanged = after = site.fingerprint()
    assert response.status_code == 400, f"POST {url} as {who} without a CSRF token: {_describe(response)}"
    assert "security token" in response.get_data(as_text=True)
    assert [t for t in before if before[t] != after[t]] == [], f"POST {url} without a token changed these tables"

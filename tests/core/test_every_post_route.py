"""Every POST route, sent an empty form (with its CSRF token) by the first person in ROLES its
rules let in: answered (the form again with what is missing, a message, a redirect), never
refused, never a 404 (so its sample names a real object) and never a 500. Each on a fresh copy
of the demo content, as what it does may change it. Who is refused, and the CSRF token, are
checked in test_every_route.py."""

from __future__ import annotations

import pytest

from tests.support.routes import MORE_SAMPLES, ROLES, SAMPLES, allowed, sample_url, seed, url_map

DEMO_PASSWORD = "cafpedia-demo"


def _post_cases():
    posts = {endpoint for endpoint, methods, _rule in url_map()[0] if "POST" in methods}
    cases = [(e, s) for e, s in [*SAMPLES.items(), *MORE_SAMPLES] if e in posts]
    return [pytest.param(e, s, id=f"{e}({','.join(s.values.values())})") for e, s in cases]


@pytest.mark.parametrize("endpoint, sample", _post_cases())
def test_an_allowed_post_with_an_empty_form_is_answered(app, client, demo_content, endpoint, sample):
    ids = seed()
    role = next((r for r in ROLES if not r.public_read and allowed(app, r, endpoint, sample)[1]), None)
    assert role is not None, f"nobody in ROLES may post to {endpoint}: add someone who may"
    if role.username:
        assert client.sign_in(role.username, DEMO_PASSWORD).status_code == 302
    url = sample_url(app, endpoint, sample, ids, query=False)
    response = client.post_form(url, {})
    where = response.headers.get("Location", "")
    assert response.status_code not in (401, 403, 404, 500), (
        f"POST {url} with an empty form as {role.name}: {response.status_code}"
    )
    assert not where.startswith("/sign-in?next="), f"POST {url} as {role.name} was sent to sign in"

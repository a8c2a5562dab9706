"""After a filter, a page opens at its results (issue 15): each filter form's action ends in
#results, and that anchor is on the results (or on the problem, when there is one)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path, problem",
    [
        ("/legal", "/legal?date_from=2026-13-01"),
        ("/experts", "/experts?q=" + "x" * 300),
        ("/areas/private-law/changes", "/areas/private-law/changes?from=not-a-date"),
        ("/admin/audit", "/admin/audit?since=not-a-date"),
        ("/admin/people", None),
    ],
)
def test_a_filter_opens_at_its_results_or_its_problem(admin_client, make_area, path, problem):
    make_area("private-law", "Private law")
    page = admin_client.get(path).get_data(as_text=True)
    assert '#results" class="filter-form"' in page and page.count('id="results"') == 1
    if problem:
        refused = admin_client.get(problem)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400 and html.count('id="results"') == 1
        at = html.index('id="results"')
        assert "There is a problem" in html[at : at + 300], path  # the page opens at the problem

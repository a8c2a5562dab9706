"""Tables for the people who run things (issue 15): they fit a 1280 px screen, and on a phone
they scroll inside their own box while the page itself never scrolls sideways. With axe."""

from __future__ import annotations

import pytest

from tests.browser.test_foundation_pages import sign_in

pytestmark = pytest.mark.browser

PAGES = [
    "/advice-line/report",
    "/experts/rota",
    "/experts/register",
    "/moderation/health",
    "/admin/audit",
    "/tips/family-assistance-orders-when-and-how-to-recommend?as_at=2026-01-15",
    "/areas/private-law/changes?from=2025-01-01",
]
OVERFLOWS = """() => ({page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  tables: Array.from(document.querySelectorAll('table')).map(t => { const box = t.closest('.table-wrap');
    return box && getComputedStyle(box).overflowX === 'auto' ? box.scrollWidth - box.clientWidth : 9999; })})"""


@pytest.mark.parametrize("width", [1280, 360])
def test_tables_fit_the_screen_or_scroll_in_their_own_box(browser, live_server, axe_check, width):
    context = browser.new_context(
        viewport={"width": width, "height": 800}, is_mobile=width < 400, has_touch=width < 400
    )
    page = context.new_page()
    sign_in(page, live_server, "demo.admin")
    found = {}
    for path in PAGES:
        page.goto(live_server + path)
        found[path] = page.evaluate(OVERFLOWS)
        axe_check(page)
    context.close()
    for path, sizes in found.items():
        assert sizes["page"] <= 0, f"{path} scrolls sideways by {sizes['page']}px at {width}px"
        assert all(extra < 9999 for extra in sizes["tables"]), f"{path}: a table is not in a scrolling box"
        if width == 1280:
            assert all(extra <= 0 for extra in sizes["tables"]), (
                f"{path}: a table is cut off at 1280px ({sizes['tables']})"
            )

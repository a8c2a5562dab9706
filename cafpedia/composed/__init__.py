"""Pages that show several domains at once, on the layer above the domains: an area's page
and what changed in it, a tip's page with its related panels (research, legal updates, its
reviews after one) and the tip as at a day, the review dashboard, a new tip started from an
advice-line call, and a National Standards clause with the tips that apply it.

A domain never imports this package. Each page keeps its address and endpoint name: its view
is registered on the domain's own blueprint (imported downwards), so `url_for("areas.show")`
and `url_for("tips.show")` are unchanged, and its template stays with that domain. A domain's
own pages that show a tip (a refused form shown again) get the related panels through
`init_app`, which `create_app` calls: tips.pages asks for them, it does not import them.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from cafpedia.composed import tip_page

    tip_page.init_app(app)

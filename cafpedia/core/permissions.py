"""Who may do what: every permission rule, by name, in one place.

Each route declares the rule that guards it with `@requires("rule_name")`; a
before-request guard evaluates it, and the app refuses any route that declares
none (tests/core/test_permissions.py checks that every route declares one).
Rules that depend on a particular object (an area, a tip, a revision, an expert's entry)
are plain functions such as `can_moderate(user, area)`, which views and services call after
loading it. Rules read models, never services, and this module imports no domain package.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import abort, current_app, g, has_request_context, redirect, request, url_for
from flask_login import current_user

# Role names, as in the content contract.
PRACTITIONER = "practitioner"
LEAD_MANAGER = "lead_manager"
RESEARCH_COORDINATOR = "research_coordinator"
LEGAL_EDITOR = "legal_editor"
REGISTER_ADMIN = "register_admin"
EXPERT = "expert"
ADMIN = "admin"
ROLES: tuple[str, ...] = (
    PRACTITIONER,
    LEAD_MANAGER,
    RESEARCH_COORDINATOR,
    LEGAL_EDITOR,
    REGISTER_ADMIN,
    EXPERT,
    ADMIN,
)
ROLE_LABELS = {
    PRACTITIONER: "Practitioner",
    LEAD_MANAGER: "Lead manager",
    RESEARCH_COORDINATOR: "Research coordinator",
    LEGAL_EDITOR: "Legal editor",
    REGISTER_ADMIN: "Register administrator",
    EXPERT: "Expert",
    ADMIN: "Administrator",
}

Rule = Callable[[object], bool]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[name] = func
        return func

    return register


def is_signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_active_user(user) -> bool:
    """Signed in, with an account that has not been deactivated."""
    return is_signed_in(user) and bool(getattr(user, "is_active", False))


def has_role(user, role: str) -> bool:
    return is_signed_in(user) and role in user.roles


def public_read_enabled() -> bool:
    return bool(current_app.config.get("PUBLIC_READ"))


# --- Route rules ------------------------------------------------------------------


@rule("anyone")
def anyone(user) -> bool:
    """Sign-in page, health check, static files, error pages."""
    return True


@rule("monitoring_address")
def monitoring_address(_user) -> bool:
    """/metrics: only from the addresses in CAFPEDIA_METRICS_ALLOW (default 127.0.0.1),
    whoever is signed in. Behind a proxy, the client's address is the one the trusted proxy
    gives (CAFPEDIA_TRUSTED_PROXIES)."""
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.config["METRICS_ALLOW"])


# Rules about where a request comes from, not who sends it: refused outright, never sent to sign in.
ADDRESS_RULES = {"monitoring_address"}


@rule("signed_in")
def signed_in(user) -> bool:
    """The user's own account pages."""
    return is_signed_in(user)


@rule("read_published")
def can_read_published(user) -> bool:
    """Published content: signed-in staff, or anyone when CAFPEDIA_PUBLIC_READ=1."""
    return is_signed_in(user) or public_read_enabled()


@rule("manage_people")
def can_manage_people(user) -> bool:
    """Create accounts, change roles, deactivate, reset passwords."""
    return has_role(user, ADMIN)


@rule("manage_areas")
def can_manage_areas(user) -> bool:
    """Create and edit practice areas, name their lead managers and deputies."""
    return has_role(user, ADMIN)


@rule("propose_tips")
def can_propose(user) -> bool:
    """Anyone signed in may propose a new tip or an edit."""
    return is_active_user(user)


@rule("compose_digest")
def can_compose_digest(user) -> bool:
    """Draft, compose, correct and publish the research digest; answer research suggestions."""
    return is_active_user(user) and bool({RESEARCH_COORDINATOR, ADMIN} & user.roles)


@rule("post_legal_updates")
def can_post_legal_updates(user) -> bool:
    """Post, edit and withdraw legal updates, and send the tips they affect for review."""
    return is_active_user(user) and bool({LEGAL_EDITOR, ADMIN} & user.roles)


@rule("suggest_research")
def can_suggest_research(user) -> bool:
    """Anyone signed in may suggest a research topic or question."""
    return is_active_user(user)


@rule("moderate")
def moderates_any_area(user) -> bool:
    """The moderation queue and review dashboard: lead managers, deputies, administrators."""
    if not is_signed_in(user):
        return False
    if ADMIN in user.roles:
        return True
    # Asked by several rules on one page (the menu's links among them): once per request.
    known = g.setdefault("moderates_any_area", {}) if has_request_context() else {}
    if user.id not in known:
        known[user.id] = user.moderates_an_area()
    return known[user.id]


@rule("read_moderation_health")
def can_read_moderation_health(user) -> bool:
    """Moderation health (waiting times and decisions, area by area): lead managers and administrators."""
    return bool(getattr(user, "is_active", False)) and (has_role(user, LEAD_MANAGER) or moderates_any_area(user))


@rule("edit_synonyms")
def can_edit_synonyms(user) -> bool:
    """The search synonym list (the words practitioners use for the same thing): lead managers and administrators."""
    return can_read_moderation_health(user)


@rule("manage_register")
def can_manage_register(user) -> bool:
    """Add, edit and retire experts, set the rota, decide nominations, see the register's gaps."""
    return is_active_user(user) and bool({REGISTER_ADMIN, ADMIN} & user.roles)


@rule("read_rota")
def can_read_rota(user) -> bool:
    """The advice line's rota, read only (who is on the line, and when): everyone signed in, so
    a practitioner can see who takes calls this week. Setting it is manage_register's."""
    return is_active_user(user)


@rule("keep_expert_entry")
def can_keep_expert_entry(user) -> bool:
    """An expert keeps their own entry: being linked to it is what makes them its expert, so the
    entry itself is checked for each request (can_edit_expert)."""
    return is_active_user(user)


@rule("log_advice")
def can_log_advice(user) -> bool:
    """Record calls to the Practice Advice Line: an expert their own calls (checked against their
    entry, can_log_for), the register administrator anyone's."""
    return can_keep_expert_entry(user)


@rule("read_advice_log")
def can_read_advice_log(user) -> bool:
    """The advice log and its report: experts, the register administrator, lead managers, administrators."""
    if not can_keep_expert_entry(user):
        return False
    if {EXPERT, REGISTER_ADMIN, ADMIN} & user.roles or moderates_any_area(user):
        return True
    entry = user.expert_entry
    return entry is not None and entry.active


@rule("nominate_experts")
def can_nominate_experts(user) -> bool:
    """Lead managers and deputies nominate experts for their own areas."""
    return bool(getattr(user, "is_active", False)) and moderates_any_area(user)


@rule("read_mail_outbox")
def can_read_mail_outbox(user) -> bool:
    """The mail outbox: what failed, and sending it again."""
    return has_role(user, ADMIN)


@rule("read_audit_log")
def can_read_audit_log(user) -> bool:
    return has_role(user, ADMIN)


# --- Object rules -------------------------------------------------------------------


def can_moderate(user, area) -> bool:
    """Lead manager or deputy of this area, or an administrator (fallback moderation)."""
    if not is_signed_in(user) or not getattr(user, "is_active", False):
        return False
    if ADMIN in user.roles:
        return True
    return area.lead_id == user.id or any(d.id == user.id for d in area.deputies)


def can_decide(user, revision) -> bool:
    """A moderator of the tip's area, deciding on someone else's proposal."""
    return can_moderate(user, revision.tip.area) and revision.author_id != user.id


def can_see_unpublished_tip(user, tip) -> bool:
    """A tip never published: its authors and the moderators of its area only."""
    return is_signed_in(user) and (can_moderate(user, tip.area) or any(r.author_id == user.id for r in tip.revisions))


def can_link_research(user, tip) -> bool:
    """A published tip's research links: the moderators of its area."""
    return tip.status == "published" and can_moderate(user, tip.area)


def can_edit_expert(user, expert) -> bool:
    """The register administrator (or an administrator), or the expert themself while on the register."""
    if can_manage_register(user):
        return True
    return is_active_user(user) and expert.active and expert.user_id is not None and expert.user_id == user.id


def can_log_for(user, expert) -> bool:
    """An expert logs their own calls; the register administrator logs anyone's."""
    return can_manage_register(user) or (can_edit_expert(user, expert) and expert.active)


def sees_proposals(user, revision) -> bool:
    """Its author and the moderators of its area: who sees a revision as it was proposed (a
    proposal's text, the text a moderator corrected before publishing it, and what the
    confidentiality check found in it), not only as readers saw it."""
    return is_signed_in(user) and (revision.author_id == user.id or can_moderate(user, revision.tip.area))


def can_see_revision(user, revision, as_at: datetime | None = None) -> bool:
    """A revision that was published is for every reader; a proposal (waiting, sent back or
    rejected) only for its author and the moderators of its area. Looking back `as_at` a moment
    (the end of a day: the history in a page "as at" a date, and its record), a reader sees what
    readers could see then, a revision published by then; its author and the moderators see
    what they see today. `user` None is no one in particular (a record made on the command
    line): what every reader could see."""
    if sees_proposals(user, revision):
        return True
    if revision.status != "published" or (user is not None and not can_read_published(user)):
        return False
    return as_at is None or revision.published_by(as_at)


# --- Wiring -----------------------------------------------------------------------


def requires(rule_name: str):
    """Declare the rule that guards a view. The guard in `check_request` enforces it."""
    if rule_name not in RULES:
        raise KeyError(f"unknown permission rule {rule_name!r}")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.permission_rule = rule_name
        return wrapper

    return decorate


def allowed(rule_name: str, user=None) -> bool:
    return RULES[rule_name](current_user if user is None else user)


def rule_for_endpoint(endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return "anyone"
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "permission_rule", None)


def check_request():
    """before_request: apply the endpoint's rule; refuse routes that declare none."""
    if request.endpoint is None:
        return None  # no such route: the 404 handler answers
    rule_name = rule_for_endpoint(request.endpoint)
    if rule_name is None:
        current_app.logger.error("route %s declares no permission rule", request.endpoint)
        abort(403)
    if RULES[rule_name](current_user):
        return None
    if not is_signed_in(current_user) and rule_name not in ADDRESS_RULES:
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    abort(403)


def ensure(condition: bool) -> None:
    """Inside a view, after loading an object: refuse with 403 unless `condition` holds."""
    if not condition:
        abort(403)

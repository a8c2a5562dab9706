"""The audit log, for administrators to read and filter."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from cafpedia.core import audit, audit_chain
from cafpedia.core.days import DayError, read_day
from cafpedia.core.permissions import requires
from cafpedia.extensions import db

bp = Blueprint("admin", __name__, template_folder="templates")

PAGE_SIZE = 50
FILTER_ARGS = ("actor", "action", "object_type", "q", "since", "until")


def _date_arg(name: str, errors: dict[str, str]) -> date | None:
    try:
        return read_day(request.args.get(name, ""))
    except DayError as exc:
        errors[name] = str(exc)
        return None


@bp.get("/admin")
@requires("read_audit_log")
def home():
    return render_template("admin/home.html")


@bp.get("/admin/audit")
@requires("read_audit_log")
def audit_log():
    errors: dict[str, str] = {}
    filters = {
        "actor": request.args.get("actor", "")[:64],
        "action": request.args.get("action", "")[:64],
        "object_type": request.args.get("object_type", "")[:32],
        "text": request.args.get("q", "")[:100],
        "since": _date_arg("since", errors),
        "until": _date_arg("until", errors),
    }
    try:
        page = min(max(int(request.args.get("page", "1")), 1), 100000)
    except ValueError:
        page = 1
    pagination = db.paginate(audit.search_entries(**filters), page=page, per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "admin/audit.html",
        pagination=pagination,
        filters=filters,
        args={k: request.args[k] for k in FILTER_ARGS if request.args.get(k)},
        errors=errors,
        actors=audit.distinct_values(audit.AuditEntry.actor_name),
        actions=audit.distinct_values(audit.AuditEntry.action),
        object_types=audit.distinct_values(audit.AuditEntry.object_type),
        verification=audit_chain.last_verification(),
    ), 400 if errors else 200

"""Form pieces shared by every domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, flash
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from cafpedia.core.errors import ServiceError, ValidationError
from cafpedia.core.form_keys import once
from cafpedia.extensions import db

T = TypeVar("T")


def choices(pairs) -> list[SelectChoice]:
    """Form choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes, which work without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class Limit(Length):
    """A text's limit as the person is told it beside the field (`At most N characters`, the
    field's maxlength flag), for a service that checks it once runs of spaces are made one: the
    form lets twice as much through, so that the service's message, naming the limit, is shown."""

    def __init__(self, most: int, message: str | None = None):
        super().__init__(max=most * 2, message=message or f"Use at most {most:,} characters (this has %(length)d).")
        self.field_flags = {"maxlength": most}


def apply_service_errors(form, errors: dict[str, str], aliases: dict[str, str] | None = None) -> None:
    """Put a ValidationError's messages on the matching form fields (or the form)."""
    for field_name, message in errors.items():
        field_name = (aliases or {}).get(field_name, field_name)
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def commit_or_show_errors(
    form,
    call: Callable[[], T],
    *,
    aliases: dict[str, str] | None = None,
    raise_refusals: bool = False,
    shown_at: Callable[[T], str] | None = None,
) -> T | None:
    """Run a submitted form's service call as the request's one transaction.

    `shown_at` (where what the call made is to be seen) makes a creating form one-time by its
    key (core.form_keys): the same form sent again creates nothing and answers with that page.

    Commits and returns the call's result; if the service refuses the input, rolls
    back, puts its messages on the form's fields (`aliases`: the service's field names that
    the form names otherwise) and returns None. With `raise_refusals`, a refusal that is not
    about a field (a `ServiceError`, `NotAllowed` among them) is rolled back and raised, for
    the view to answer as it must (a message and a redirect, or 403).
    """
    if shown_at is not None:
        call = once(form, current_user, call, shown_at)
    try:
        result = call()
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        apply_service_errors(form, exc.errors, aliases)
        return None
    except IntegrityError:
        # Someone saved the same name or address between our check and our write.
        db.session.rollback()
        form.form_errors.append(
            "Someone else saved the same thing at the same moment. Nothing was saved: check and send again."
        )
        return None
    except ServiceError as exc:
        db.session.rollback()
        if raise_refusals:
            raise
        form.form_errors.append(str(exc))
        return None
    return result


def form_status(form) -> int:
    """400 for a form shown again with errors, 200 otherwise."""
    return 400 if form.errors else 200


def local_path(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback`: never a redirect elsewhere
    (no scheme or host, no "//" or "/\\" that browsers read as another host, no control characters)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and target.isprintable()
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return fallback


# What a confirmation page carries back: the fields as the person typed them, so that
# "Confirm" submits exactly what they checked, and "Change it" brings the form back filled.
CONFIRMATION_KEYS = ("csrf_token", "confirmed", "change")


def submitted_fields(formdata) -> list[tuple[str, str]]:
    """(name, value) of every submitted field but the token and the confirmation's own buttons."""
    return [(name, value) for name, values in formdata.lists() for value in values if name not in CONFIRMATION_KEYS]


def confirmed(formdata) -> bool:
    """The person pressed the confirmation page's "confirm" button (not "change")."""
    return formdata.get("confirmed") == "yes" and "change" not in formdata


def button_action(action: Callable[[], object], done: str) -> bool:
    """A one-button change (its form is only the CSRF token, else 400): `action` committed and
    `done` said, or the service's refusal said and nothing kept."""

    FlaskForm().validate_on_submit() or abort(400)
    try:
        action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.plainly(), "error")
        return False
    flash(done, "success")
    return True

"""The administrators' people pages: the list, requests for access, importing people, adding
and changing a person, deactivating, inviting, and resetting a password."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cafpedia.accounts import fields, identity, invitations, lockout, oidc, people_csv
from cafpedia.accounts import people as accounts_people
from cafpedia.accounts.forms import (
    ConfirmForm,
    GrantAccessForm,
    ImportPeopleForm,
    NewPersonForm,
    PersonForm,
    ResetPasswordForm,
)
from cafpedia.accounts.models import AccessRequest, User
from cafpedia.accounts.pages import bp, signed_in_here
from cafpedia.areas.services import area_choices, areas_led_by
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import ServiceError
from cafpedia.core.forms import button_action, commit_or_show_errors, form_status
from cafpedia.core.permissions import ROLES, requires
from cafpedia.extensions import db


def _get_person(username: str) -> User:
    user = accounts_people.find_user(username)
    if user is None:
        abort(404)
    return user


@bp.get("/admin/people")
@requires("manage_people")
def people():
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    text = request.args.get("q", "")[:100]
    if role and role not in ROLES:
        role = ""
    return render_template(
        "accounts/people.html",
        people=accounts_people.list_users(role=role, status=status, text=text),
        role=role,
        status=status,
        text=text,
        roles=ROLES,
        waiting_requests=identity.waiting_count(),
    )


@bp.get("/admin/people/requests")
@requires("manage_people")
def access_requests():
    return render_template(
        "accounts/access_requests.html", waiting=identity.waiting_requests(), decided=identity.decided_requests()
    )


def _get_request(request_id: int) -> AccessRequest:
    return db.get_or_404(AccessRequest, request_id)


def suggested_username(access: AccessRequest) -> str:
    local = (access.email.split("@", 1)[0] if access.email else "").lower()
    candidate = "".join(c for c in local if c.isalnum() or c in "._-").strip("._-")
    return (
        candidate[:64]
        if fields.username_problem(candidate) is None and accounts_people.find_user(candidate) is None
        else ""
    )


@bp.route("/admin/people/requests/<int:request_id>", methods=["GET", "POST"])
@requires("manage_people")
def access_request(request_id: int):
    access = _get_request(request_id)
    form = GrantAccessForm()
    form.areas.choices = area_choices()
    if request.method == "GET":
        form.username.data, form.name.data, form.roles.data = suggested_username(access), access.name, ["practitioner"]
    if access.status == AccessRequest.WAITING and form.validate_on_submit():
        user = commit_or_show_errors(
            form,
            lambda: identity.grant(
                current_user,
                access,
                username=form.username.data,
                name=form.name.data,
                roles=form.roles.data,
                areas=form.areas.data,
            ),
        )
        if user:
            flash(
                f"Access granted: {user.name} can sign in now as {user.username}, and has been told by email.",
                "success",
            )
            return redirect(url_for("accounts.access_requests"))
    return render_template(
        "accounts/access_request.html", access=access, form=form, confirm_form=ConfirmForm()
    ), form_status(form)


@bp.post("/admin/people/requests/<int:request_id>/decline")
@requires("manage_people")
def decline_access(request_id: int):
    access = _get_request(request_id)
    button_action(
        lambda: identity.decline(current_user, access), f"Declined: {access.name or access.email} has no access."
    )
    return redirect(url_for("accounts.access_requests"))


@bp.post("/admin/people/<username>/identity/forget")
@requires("manage_people")
def forget_identity(username: str):
    user = _get_person(username)
    button_action(
        lambda: identity.forget_link(current_user, user),
        f"{user.username} is no longer linked to the identity provider: their next sign-in there is matched by email "
        f"again.",
    )
    return redirect(url_for("accounts.person", username=user.username))


@bp.route("/admin/people/import", methods=["GET", "POST"])
@requires("manage_people")
def import_people():
    """People from an HR export in CSV: all or nothing, every problem named with its line. The
    result offers to invite those imported who have not signed in yet."""
    form, problems = ImportPeopleForm(), []
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8")
        except UnicodeDecodeError:
            problems = ["The file is not UTF-8 text: save the export as “CSV UTF-8” and try again."]
        else:
            try:
                done = people_csv.import_people(current_user, text)
                db.session.commit()
            except people_csv.PeopleImportError as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                imported = done.created + done.updated + done.unchanged
                return render_template(
                    "accounts/import_done.html",
                    done=done,
                    to_invite=invitations.not_signed_in_yet(imported),
                    invite_form=ConfirmForm(),
                )
    status = 400 if problems or form.errors else 200
    return render_template("accounts/import.html", form=form, problems=problems, columns=people_csv.COLUMNS), status


@bp.post("/admin/people/import/invite")
@requires("manage_people")
def invite_imported():
    """One button after an import: invite those imported who have not signed in yet."""
    ConfirmForm().validate_on_submit() or abort(400)
    try:
        invited = invitations.invite_imported(current_user, request.form.getlist("username"))
        db.session.commit()
    except ServiceError as exc:  # nothing is queued: the refusal says why
        db.session.rollback()
        flash(exc.plainly(), "error")
        return redirect(url_for("accounts.people"))
    flash(
        f"{len(invited)} invitation{'s' if len(invited) != 1 else ''} queued in the mail outbox"
        + (f": {', '.join(p.username for p in invited[:20])}{', …' if len(invited) > 20 else ''}." if invited else ".")
        + " Each link works once, for 72 hours; Administration → Mail shows any that cannot be sent.",
        "success",
    )
    return redirect(url_for("accounts.people"))


@bp.route("/admin/people/new", methods=["GET", "POST"])
@requires("manage_people")
def new_person():
    """A new account has no password: the person sets one from an emailed invitation (sent
    now unless unticked), or signs in through the identity provider."""
    form = NewPersonForm()
    form.areas.choices = area_choices()
    provider = oidc.configured()
    if request.method == "GET":
        form.roles.data = ["practitioner"]
        form.invite.data = not provider  # with a provider, people sign in there: no password needed
    if form.validate_on_submit():
        done = commit_or_show_errors(
            form,
            lambda: invitations.add_person(
                current_user,
                invite_now=bool(form.invite.data),
                username=form.username.data,
                name=form.name.data,
                email=form.email.data,
                roles=form.roles.data,
                areas=form.areas.data,
            ),
        )
        if done:
            user, invited = done
            flash(f"Account {user.username} created. {_how_they_sign_in(user, invited, provider)}", "success")
            return redirect(url_for("accounts.person", username=user.username))
    return render_template("accounts/person_new.html", form=form, provider=provider), form_status(form)


def _how_they_sign_in(user: User, invited: bool, provider: bool) -> str:
    if invited:
        return f"An invitation to set a password is on its way to {user.email}. The link works once, for 72 hours."
    if provider:
        return "They sign in with their organisation account, matched by this email address."
    return "They cannot sign in until they accept an invitation: send one from this page when you are ready."


@bp.route("/admin/people/<username>", methods=["GET", "POST"])
@requires("manage_people")
def person(username: str):
    user = _get_person(username)
    form = PersonForm(obj=None if request.method == "POST" else user)
    form.areas.choices = area_choices()
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.areas.data = [a.slug for a in user.areas]
    if form.validate_on_submit() and commit_or_show_errors(
        form,
        lambda: accounts_people.update_user(
            current_user,
            user,
            name=form.name.data,
            email=form.email.data,
            roles=form.roles.data,
            areas=form.areas.data,
        ),
    ):
        flash(f"Changes to {user.username} saved.", "success")
        return redirect(url_for("accounts.person", username=user.username))
    return _person_page(user, form, ResetPasswordForm(), form_status(form))


def _person_page(user: User, form, reset_form, status: int):
    return render_template(
        "accounts/person.html",
        person=user,
        form=form,
        reset_form=reset_form,
        confirm_form=ConfirmForm(),
        moderates=areas_led_by(user),
        provider=oidc.configured(),
        password_allowed=fields.may_use_password(user),
        locks=lockout.locks_of(user.username, utcnow()),
    ), status


@bp.post("/admin/people/<username>/active")
@requires("manage_people")
def set_active(username: str):
    user = _get_person(username)
    make_active = request.form.get("active") == "1"
    button_action(
        lambda: accounts_people.set_active(current_user, user, make_active),
        f"{user.username} {'reactivated' if make_active else 'deactivated'}.",
    )
    return redirect(url_for("accounts.person", username=user.username))


@bp.post("/admin/people/<username>/invite")
@requires("manage_people")
def invite(username: str):
    user = _get_person(username)
    button_action(
        lambda: invitations.invite(current_user, user),
        f"An invitation to set a password is on its way to {user.email}. The link works once, for 72 hours.",
    )
    return redirect(url_for("accounts.person", username=user.username))


@bp.post("/admin/people/<username>/password")
@requires("manage_people")
def reset_password(username: str):
    user = _get_person(username)
    form = ResetPasswordForm()
    if form.validate_on_submit() and commit_or_show_errors(
        form, lambda: accounts_people.reset_password(current_user, user, form.password.data)
    ):
        if user.id == current_user.id:
            signed_in_here(user)  # keep this device signed in; the others end
        flash(f"Password for {user.username} reset; the account is unlocked and signed out everywhere.", "success")
        return redirect(url_for("accounts.person", username=user.username))
    edit_form = PersonForm(obj=user)
    edit_form.areas.choices = area_choices()
    edit_form.roles.data = sorted(user.roles)
    edit_form.areas.data = [a.slug for a in user.areas]
    return _person_page(user, edit_form, form, 400)

"""Signing in and out, one's own account, and the administrators' people pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from wtforms.validators import Optional

from cafpedia.accounts import identity, invitations, oidc, people_csv, services
from cafpedia.accounts.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    ConfirmForm,
    GrantAccessForm,
    ImportPeopleForm,
    NewPersonForm,
    PersonForm,
    ResetPasswordForm,
    SignInForm,
)
from cafpedia.accounts.models import AccessRequest, User
from cafpedia.areas.services import area_choices, areas_led_by
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import ValidationError
from cafpedia.core.forms import apply_service_errors, button_action, commit_or_show_errors, form_status, local_path
from cafpedia.core.permissions import ROLES, requires
from cafpedia.core.urls import absolute_url
from cafpedia.extensions import db, limiter

bp = Blueprint("accounts", __name__, template_folder="templates")


def safe_next(target: str | None) -> str:
    """Only ever redirect to a path on this site."""
    return local_path(target, url_for("home.index"))


@bp.route("/sign-in", methods=["GET", "POST"])
@requires("anyone")
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])  # then 429: "Too many tries"
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.SignInError as exc:
            error = str(exc)
        else:
            _signed_in_here(user, remember=bool(form.remember.data), fresh=True, how="a password")
            return redirect(safe_next(request.args.get("next")))
    status = 200 if error is None and not form.errors else 401 if error else 400
    return render_template("accounts/sign_in.html", form=form, error=error, provider=oidc.configured()), status


# --- Through the organisation's identity provider (OpenID Connect) -----------------------------


@bp.get("/sign-in/organisation")
@requires("anyone")
def sign_in_with_provider():
    if not oidc.configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    session["sign_in_next"] = safe_next(request.args.get("next"))
    try:
        # The return address is built on CAFPEDIA_BASE_URL: it must be the one registered at the provider.
        return oidc.redirect_to_provider(absolute_url("accounts.provider_return"))
    except oidc.SignInUnavailable:
        return _provider_unavailable()


@bp.get("/sign-in/organisation/return")
@requires("anyone")
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"])
def provider_return():
    if not oidc.configured():
        abort(404)
    next_url = safe_next(session.get("sign_in_next"))
    try:
        claims = oidc.claims_from_return()
    except oidc.SignInUnavailable:
        return _provider_unavailable()
    try:
        found = identity.account_for(claims)
    except services.SignInError as exc:
        db.session.commit()  # keeps the audit entry that says why
        return render_template("accounts/sign_in_refused.html", problem=str(exc)), 403
    if isinstance(found, identity.Pending):
        db.session.commit()
        return render_template("accounts/access_pending.html", access=found.request), 403
    _signed_in_here(found, fresh=True, how="their organisation account")
    return redirect(next_url)


def _provider_unavailable():
    db.session.rollback()
    return render_template("accounts/sign_in_unavailable.html", at=utcnow()), 503


def _signed_in_here(user: User, *, remember: bool = False, fresh: bool = False, how: str = "") -> None:
    """A server-side session for this browser (committed), then Flask-Login's. `fresh`: a new
    sign-in (`how`), so nothing of the session before it (the CSRF secret included) carries over."""
    if fresh:
        session.clear()
        g.pop("csrf_token", None)
        services.note_sign_in(user, how, request.remote_addr or "")
    services.start_session(user, remember=remember, user_agent=request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)


@bp.post("/sign-out")
@requires("signed_in")
def sign_out():
    ConfirmForm().validate_on_submit() or abort(400)
    services.end_session(current_user._get_current_object())  # on the server: a copied cookie stops working
    db.session.commit()
    logout_user()
    session.clear()  # nothing of the signed-in session stays in the cookie
    flash("You have signed out.", "success")
    return _clearing_this_device(redirect(url_for("accounts.sign_in")))


def _clearing_this_device(response):
    """Signing out clears what this browser kept for reading offline (the service worker
    clears it too; this header covers a page it did not control)."""
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/account/sign-out-everywhere")
@requires("signed_in")
def sign_out_everywhere():
    ConfirmForm().validate_on_submit() or abort(400)
    services.end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out on every device, and every “keep me signed in” has ended.", "success")
    return _clearing_this_device(redirect(url_for("accounts.sign_in")))


@bp.get("/account")
@requires("signed_in")
def account():
    return _account_page(ChangePasswordForm())


def _account_page(form, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "accounts/account.html",
        form=form,
        moderates=areas_led_by(user),
        sessions=services.active_sessions(user),
        this_session=services.session_hash(user),
    ), status


@bp.post("/account/password")
@requires("signed_in")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = commit_or_show_errors(
            form,
            lambda: services.change_own_password(
                current_user._get_current_object(), form.current_password.data, form.new_password.data
            ),
        )
        if user:
            _signed_in_here(user)  # the session version changed: a new session here
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form, 400)


# --- Administrators: people ---------------------------------------------------------------


def _get_person(username: str) -> User:
    user = services.find_user(username)
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
        people=services.list_users(role=role, status=status, text=text),
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
        candidate[:64] if services.username_problem(candidate) is None and services.find_user(candidate) is None else ""
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
    """People from an HR export in CSV: all or nothing, every problem named with its line."""
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
                flash(
                    f"Imported: {len(done.created)} new, {len(done.updated)} updated, {len(done.unchanged)} unchanged. "
                    "New people have no password yet: invite them from their page, or with `cafpedia invite "
                    "--all-without-password`.",
                    "success",
                )
                return redirect(url_for("accounts.people"))
    status = 400 if problems or form.errors else 200
    return render_template("accounts/import.html", form=form, problems=problems, columns=people_csv.COLUMNS), status


@bp.route("/admin/people/new", methods=["GET", "POST"])
@requires("manage_people")
def new_person():
    form = NewPersonForm()
    form.areas.choices = area_choices()
    provider = oidc.configured()
    if provider:  # people sign in through the identity provider: a password is optional
        form.password.validators = [Optional()]
        form.password.flags.required = False
    if request.method == "GET":
        form.roles.data = ["practitioner"]
    if form.validate_on_submit():
        user = commit_or_show_errors(
            form,
            lambda: services.create_user(
                current_user,
                username=form.username.data,
                name=form.name.data,
                email=form.email.data,
                roles=form.roles.data,
                areas=form.areas.data,
                password=form.password.data or None,
            ),
        )
        if user:
            flash(
                f"Account {user.username} created. "
                + (
                    "Give them their first password in person or by phone."
                    if user.password_hash
                    else "They sign in with their organisation account, matched by this email address."
                ),
                "success",
            )
            return redirect(url_for("accounts.person", username=user.username))
    return render_template("accounts/person_new.html", form=form, provider=provider), form_status(form)


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
        lambda: services.update_user(
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
        password_allowed=services.may_use_password(user),
    ), status


@bp.post("/admin/people/<username>/active")
@requires("manage_people")
def set_active(username: str):
    user = _get_person(username)
    make_active = request.form.get("active") == "1"
    button_action(
        lambda: services.set_active(current_user, user, make_active),
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


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@requires("anyone")
def invitation(token: str):
    """The link from an invitation email: choose a password, then you are signed in."""
    try:
        found = invitations.open_invitation(token)
    except invitations.InvitationError as exc:
        return render_template("accounts/invitation.html", problem=str(exc), form=None, person=None), 410
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(token, form.password.data)
        except invitations.InvitationError as exc:
            db.session.rollback()
            return render_template("accounts/invitation.html", problem=str(exc), form=None, person=None), 410
        except ValidationError as exc:
            db.session.rollback()
            apply_service_errors(form, exc.errors)
        else:
            _signed_in_here(user, fresh=True, how="an invitation link")  # commits the password with the session
            flash("Your password is set, and you are signed in. Welcome to CAFpedia.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/invitation.html", problem=None, form=form, person=found.user), form_status(form)


@bp.post("/admin/people/<username>/password")
@requires("manage_people")
def reset_password(username: str):
    user = _get_person(username)
    form = ResetPasswordForm()
    if form.validate_on_submit() and commit_or_show_errors(
        form, lambda: services.reset_password(current_user, user, form.password.data)
    ):
        if user.id == current_user.id:
            _signed_in_here(user)  # keep this device signed in; the others end
        flash(f"Password for {user.username} reset; the account is unlocked and signed out everywhere.", "success")
        return redirect(url_for("accounts.person", username=user.username))
    edit_form = PersonForm(obj=user)
    edit_form.areas.choices = area_choices()
    edit_form.roles.data = sorted(user.roles)
    edit_form.areas.data = [a.slug for a in user.areas]
    return _person_page(user, edit_form, form, 400)

"""Signing in (with a password or through the organisation's identity provider) and out, one's
own account and password, and accepting an invitation."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from cafpedia.accounts import identity, invitations, oidc, people, signing_in
from cafpedia.accounts import sessions as accounts_sessions
from cafpedia.accounts.forms import (
    ChangePasswordForm,
    ChoosePasswordForm,
    ConfirmForm,
    SignInForm,
)
from cafpedia.accounts.pages import bp, safe_next, signed_in_here
from cafpedia.areas.services import areas_led_by
from cafpedia.core.clock import utcnow
from cafpedia.core.errors import ValidationError
from cafpedia.core.forms import apply_service_errors, commit_or_show_errors, form_status
from cafpedia.core.permissions import requires
from cafpedia.core.urls import absolute_url, holds_a_secret
from cafpedia.extensions import db, limiter


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
            user = signing_in.authenticate(form.username.data, form.password.data, request.remote_addr)
        except signing_in.SignInError as exc:
            error = str(exc)
        else:
            signed_in_here(user, remember=bool(form.remember.data), fresh=True, how="a password")
            return redirect(safe_next(request.args.get("next")))
    status = 200 if error is None and not form.errors else 401 if error else 400
    return render_template("accounts/sign_in.html", form=form, error=error, provider=oidc.configured()), status


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
@holds_a_secret  # ?code=&state=
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
    except signing_in.SignInError as exc:
        db.session.commit()  # keeps the audit entry that says why
        return render_template("accounts/sign_in_refused.html", problem=str(exc)), 403
    if isinstance(found, identity.Pending):
        db.session.commit()
        return render_template("accounts/access_pending.html", access=found.request), 403
    signed_in_here(found, fresh=True, how="their organisation account")
    return redirect(next_url)


def _provider_unavailable():
    db.session.rollback()
    return render_template("accounts/sign_in_unavailable.html", at=utcnow()), 503


@bp.post("/sign-out")
@requires("signed_in")
def sign_out():
    ConfirmForm().validate_on_submit() or abort(400)
    accounts_sessions.end_session(current_user._get_current_object())  # on the server: a copied cookie stops working
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
    accounts_sessions.end_all_sessions(current_user._get_current_object())
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
        sessions=accounts_sessions.active_sessions(user),
        this_session=accounts_sessions.session_hash(user),
    ), status


@bp.post("/account/password")
@requires("signed_in")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = commit_or_show_errors(
            form,
            lambda: people.change_own_password(
                current_user._get_current_object(), form.current_password.data, form.new_password.data
            ),
        )
        if user:
            signed_in_here(user)  # the session version changed: a new session here
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form, 400)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@requires("anyone")
@holds_a_secret
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
            signed_in_here(user, fresh=True, how="an invitation link")  # commits the password with the session
            flash("Your password is set, and you are signed in. Welcome to CAFpedia.", "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/invitation.html", problem=None, form=form, person=found.user), form_status(form)

"""Forms for signing in and managing accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from cafpedia.accounts.fields import EMAIL_MAX, NAME_MAX, PASSWORD_MAX
from cafpedia.core.forms import CheckboxListField, choices
from cafpedia.core.permissions import ROLE_LABELS, ROLES


class SignInForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired("Enter your username."),
            Length(max=64, message="Usernames are at most 64 characters."),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX)])
    remember = BooleanField("Keep me signed in on this device for 14 days")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password."), Length(max=PASSWORD_MAX)]
    )
    new_password = PasswordField("New password", validators=[DataRequired("Enter a new password.")])


class PersonForm(FlaskForm):
    name = StringField(
        "Full name",
        validators=[
            DataRequired("Enter the person's full name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
        ],
    )
    email = StringField(
        "Email address (optional)", validators=[Length(max=EMAIL_MAX, message=f"Use at most {EMAIL_MAX} characters.")]
    )
    roles = CheckboxListField("Roles", choices=choices((r, ROLE_LABELS[r]) for r in ROLES), validate_choice=True)
    areas = CheckboxListField("Areas of practice they work in", choices=[], validate_choice=True)


class NewPersonForm(PersonForm):
    """No password: the account has none until the person accepts an invitation (or signs in
    through the identity provider)."""

    username = StringField(
        "Username", validators=[DataRequired("Enter a username."), Length(max=64, message="Use at most 64 characters.")]
    )
    invite = BooleanField("Email them an invitation to set their password now", default=True)


class GrantAccessForm(PersonForm):
    """An access request becomes an account: the email is the one the provider verified."""

    username = StringField(
        "Username", validators=[DataRequired("Enter a username."), Length(max=64, message="Use at most 64 characters.")]
    )
    email = None


class ImportPeopleForm(FlaskForm):
    file = FileField("The HR export (CSV, UTF-8)", validators=[FileRequired("Choose the CSV file to import.")])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("Choose a password", validators=[DataRequired("Choose a password.")])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Enter a new password.")])


class ConfirmForm(FlaskForm):
    """A button that changes something: just the CSRF token."""

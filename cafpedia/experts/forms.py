"""Forms for finding experts, keeping entries, the rota, nominations and the advice log.

Required fields and the rules between them are checked by the services, so that every
problem is named in one go; the forms only bound lengths and read dates and numbers.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from cafpedia.core.case_details import CONFIRM_LABEL
from cafpedia.core.days import DayField
from cafpedia.core.form_keys import FormKeyField
from cafpedia.core.forms import CheckboxListField, Limit, choices
from cafpedia.experts import drafts
from cafpedia.experts.models import REGIONS


def region_choices(blank: str):
    return choices([("", blank), *((r, r) for r in REGIONS)])


class FindForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    q = StringField("Words", validators=[Length(max=200, message="Use at most 200 characters.")])
    area = SelectField("Area of practice", choices=[], validate_choice=True, default="")
    skill = SelectField("Skill", choices=[], validate_choice=True, default="")
    region = SelectField("Region", choices=region_choices("Any region"), validate_choice=True, default="")
    language = SelectField("Language", choices=[], validate_choice=True, default="")
    now = BooleanField("Only experts available now")


class ExpertForm(FlaskForm):
    form_key = FormKeyField()  # sent twice, made once
    name = StringField("Full name", validators=[Limit(drafts.NAME_MAX)])
    username = StringField(
        "CAFpedia username (optional)", validators=[Length(max=64, message="Use at most 64 characters.")]
    )
    job_title = StringField("Job title", validators=[Limit(drafts.JOB_TITLE_MAX)])
    region = SelectField("Region", choices=region_choices("Choose a region"), validate_choice=False)
    areas = CheckboxListField("Areas of practice they advise on", choices=[], validate_choice=False)
    skills = StringField(
        "Skills, separated by commas", validators=[Length(max=1000, message="Use at most 1,000 characters.")]
    )
    languages = StringField(
        "Languages they give advice in, separated by commas",
        validators=[Length(max=400, message="Use at most 400 characters.")],
    )
    phone = StringField("Phone", validators=[Limit(drafts.PHONE_MAX, message="Use at most 40 characters.")])
    email = StringField("Email", validators=[Length(max=254, message="Use at most 254 characters.")])
    availability = TextAreaField(
        "When they take calls: one slot a line, such as Mon 09:30-12:30",
        validators=[Length(max=2000, message="Use at most 2,000 characters.")],
    )
    about = TextAreaField("What they can advise on (Markdown)", validators=[Limit(drafts.ABOUT_MAX)])
    review_by = DayField("Entry to be confirmed by", validators=[Optional()])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class AwayForm(FlaskForm):
    away_from = DayField("First day away", validators=[Optional()])
    away_until = DayField("Last day away", validators=[Optional()])
    away_note = StringField("Note for callers (optional)", validators=[Limit(drafts.AWAY_NOTE_MAX)])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class ReasonForm(FlaskForm):
    reason = TextAreaField("Why the expert leaves the register", validators=[Limit(drafts.NOTE_MAX)])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class NominationForm(FlaskForm):
    form_key = FormKeyField()  # sent twice, made once
    area = SelectField("Area of practice", choices=[], validate_choice=False)
    name = StringField("Their full name", validators=[Limit(drafts.NAME_MAX)])
    username = StringField(
        "Their CAFpedia username (optional)", validators=[Length(max=64, message="Use at most 64 characters.")]
    )
    email = StringField(
        "Their email address (optional with a username)",
        validators=[Length(max=254, message="Use at most 254 characters.")],
    )
    job_title = StringField("Job title", validators=[Limit(drafts.JOB_TITLE_MAX)])
    region = SelectField("Region", choices=region_choices("Choose a region"), validate_choice=False)
    skills = StringField("Skills, separated by commas", validators=[Length(max=1000)])
    reason = TextAreaField("What they can advise on, and why you nominate them", validators=[Limit(drafts.ABOUT_MAX)])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class DecisionForm(FlaskForm):
    note = TextAreaField("Note to the lead manager (needed to decline)", validators=[Limit(drafts.NOTE_MAX)])


class CallForm(FlaskForm):
    form_key = FormKeyField()  # sent twice, made once
    expert = SelectField("Expert who gave the advice", choices=[], validate_choice=True)
    called_on = DayField("Date of the call", validators=[Optional()])
    area = SelectField("Area of practice", choices=[], validate_choice=False)
    question = TextAreaField("The question, in a sentence", validators=[Limit(drafts.QUESTION_MAX)])
    advice = TextAreaField("The advice, in a sentence or two", validators=[Limit(drafts.ADVICE_MAX)])
    minutes = IntegerField(
        "Minutes taken",
        validators=[
            Optional(),
            NumberRange(min=1, max=drafts.MINUTES_MAX, message=f"Give the minutes from 1 to {drafts.MINUTES_MAX}."),
        ],
    )
    tip = StringField(
        "A published tip that answers it (optional: the end of its web address)", validators=[Length(max=200)]
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class WeekForm(FlaskForm):
    class Meta:
        csrf = False

    week = DayField("Week starting", validators=[Optional()])

    def validate_week(self, field) -> None:
        if field.data and not 2000 <= field.data.year <= 2100:
            raise ValidationError("Give a date between 2000 and 2100.")

"""Forms for legal editors, and the feed's filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from cafpedia.core.case_details import CONFIRM_LABEL
from cafpedia.core.days import DayField
from cafpedia.core.form_keys import FormKeyField
from cafpedia.core.forms import CheckboxListField, Limit, choices
from cafpedia.legal.models import KINDS
from cafpedia.legal.posting import NOTE_MAX, SUMMARY_MAX, TEXT_MAX, TITLE_MAX, URL_MAX


class UpdateForm(FlaskForm):
    """Required fields are checked by the service, so every problem is named in one go."""

    form_key = FormKeyField()  # sent twice, made once

    kind = SelectField("Kind", choices=choices([("", "Choose a kind"), *KINDS.items()]), validate_choice=False)
    title = StringField("Title", validators=[Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters.")])
    citations = TextAreaField("Citations", validators=[Length(max=2000, message="At most 2,000 characters.")])
    made_on = DayField("Date made, in force or published", validators=[Optional()])
    in_force_on = DayField("Comes into force on (optional)", validators=[Optional()])
    areas = CheckboxListField("Areas of practice", choices=[], validate_choice=True)
    tags = StringField("Tags", validators=[Length(max=500)])
    summary = TextAreaField(
        "Summary", validators=[Limit(SUMMARY_MAX, message=f"Keep the summary to {SUMMARY_MAX} characters.")]
    )
    briefing = TextAreaField(
        "Briefing (Markdown)", validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")]
    )
    practice = TextAreaField(
        "What it means for practice (Markdown)",
        validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")],
    )
    source_url = StringField(
        "Source link (optional)", validators=[Length(max=URL_MAX, message=f"At most {URL_MAX} characters.")]
    )
    keep_unrecognised = BooleanField("Keep citations CAFpedia does not recognise as written")
    note = StringField(
        "What changed (optional)", validators=[Length(max=NOTE_MAX, message=f"Use at most {NOTE_MAX} characters.")]
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why it is withdrawn", validators=[Length(max=NOTE_MAX, message=f"Use at most {NOTE_MAX} characters.")]
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class FlagForm(FlaskForm):
    tips = CheckboxListField("Tips to send for review", choices=[], validate_choice=True)


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    kind = SelectField("Kind", choices=choices([("", "Every kind"), *KINDS.items()]), validate_choice=True, default="")
    area = SelectField("Area of practice", choices=[], validate_choice=True, default="")
    date_from = DayField("Made from", validators=[Optional()])
    date_to = DayField("Made up to", validators=[Optional()])

"""Forms for composing the digest, suggesting research and linking tips to it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cafpedia.core.case_details import CONFIRM_LABEL
from cafpedia.core.form_keys import FormKeyField
from cafpedia.core.forms import CheckboxListField, choices
from cafpedia.digest.drafts import REASON_MAX, SOURCE_MAX, TEXT_MAX, TITLE_MAX, TOPIC_MAX, URL_MAX
from cafpedia.digest.models import DECLINED, TAKEN_UP

WHOLE_NUMBER = "Enter a whole number, for example 12."


class IssueForm(FlaskForm):
    form_key = FormKeyField()  # sent twice, made once
    number = IntegerField(
        "Issue number",
        validators=[
            DataRequired(WHOLE_NUMBER),
            NumberRange(min=1, max=100_000, message="Use a number from 1 to 100,000."),
        ],
    )
    quarter = StringField(
        "Quarter",
        validators=[
            DataRequired("Give the quarter, for example 2007-Q1."),
            Length(max=7, message="Write the quarter as 2007-Q1."),
        ],
    )
    title = StringField(
        "Title",
        validators=[
            DataRequired("Give the issue a title."),
            Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters."),
        ],
    )
    introduction = TextAreaField(
        "Introduction (Markdown)", validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")]
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class ItemForm(FlaskForm):
    """Required fields are checked by the service, so every problem is named in one go."""

    form_key = FormKeyField()  # sent twice, made once

    title = StringField("Title", validators=[Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters.")])
    source = TextAreaField(
        "Source or full citation", validators=[Length(max=SOURCE_MAX, message=f"Use at most {SOURCE_MAX} characters.")]
    )
    authors = StringField("Authors (optional)", validators=[Length(max=2500)])
    year = IntegerField("Year (optional)", validators=[Optional()])
    url = StringField("Link (optional)", validators=[Length(max=URL_MAX, message=f"At most {URL_MAX} characters.")])
    areas = CheckboxListField("Areas of practice", choices=[], validate_choice=True)
    tags = StringField("Tags", validators=[Length(max=500)])
    summary = TextAreaField(
        "Summary (Markdown)", validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")]
    )
    implications = TextAreaField(
        "Implications for practice (Markdown)",
        validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")],
    )
    reason = StringField(
        "Reason for the correction",
        validators=[Length(max=REASON_MAX, message=f"Use at most {REASON_MAX} characters.")],
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class IntroductionForm(FlaskForm):
    """A published issue's introduction, corrected: the new text and why (both checked by the
    service, so every problem is named in one go)."""

    introduction = TextAreaField(
        "Introduction (Markdown)", validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")]
    )
    reason = StringField(
        "Reason for the correction",
        validators=[Length(max=REASON_MAX, message=f"Use at most {REASON_MAX} characters.")],
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class SuggestionForm(FlaskForm):
    topic = StringField(
        "Research topic or question",
        validators=[
            DataRequired("Say what the research topic or question is."),
            Length(max=TOPIC_MAX, message=f"Use at most {TOPIC_MAX} characters; put the rest in the details."),
        ],
    )
    details = TextAreaField(
        "Details (optional)", validators=[Length(max=TEXT_MAX, message=f"At most {TEXT_MAX:,} characters.")]
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class DecisionForm(FlaskForm):
    status = RadioField(
        "Decision",
        choices=choices([(TAKEN_UP, "Take it up"), (DECLINED, "Decline it")]),
        validate_choice=True,
        validators=[DataRequired("Choose whether to take it up or decline it.")],
    )
    reply = TextAreaField(
        "Reply to the person who suggested it", validators=[DataRequired("Write a reply."), Length(max=TEXT_MAX)]
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class LinkResearchForm(FlaskForm):
    item = StringField("Digest item", validators=[DataRequired("Choose a digest item.")])


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token."""

"""Forms for proposing tips and for moderators' decisions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cafpedia.core.case_details import CONFIRM_LABEL
from cafpedia.core.days import DayField
from cafpedia.core.form_keys import FormKeyField
from cafpedia.core.forms import CheckboxListField, choices
from cafpedia.tips.models import CHECKLIST, KIND_LABELS
from cafpedia.tips.proposals import BODY_MAX, CHANGE_NOTE_MAX, COMMENT_MAX, SLUG_MAX, TITLE_MAX


class TipForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter a title."),
            Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters."),
        ],
    )
    kind = SelectField("Kind", choices=choices(KIND_LABELS.items()), validate_choice=True)
    body = TextAreaField(
        "Text (Markdown)",
        validators=[
            DataRequired("Write the tip itself."),
            Length(max=BODY_MAX, message=f"The text is too long: at most {BODY_MAX:,} characters."),
        ],
    )
    tags = StringField("Tags", validators=[Length(max=500)])
    standards = StringField("National Standards clauses", validators=[Length(max=200)])
    legal_refs = TextAreaField("Legal references", validators=[Length(max=2500)])
    change_note = TextAreaField(
        "What changed and why",
        validators=[Length(max=CHANGE_NOTE_MAX, message=f"Keep the change note to {CHANGE_NOTE_MAX} characters.")],
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)
    based_on = HiddenField()
    revises = HiddenField()
    form_key = FormKeyField()  # a proposal sent twice is made once
    preview = SubmitField("Preview")
    submit = SubmitField("Send for approval")


class NewTipForm(TipForm):
    area = SelectField("Area of practice", choices=[], validate_choice=True)
    slug = StringField(
        "Web address (optional)",
        validators=[Optional(), Length(max=SLUG_MAX, message=f"Use at most {SLUG_MAX} characters.")],
    )
    call = HiddenField()  # the advice-line call this proposal starts from, if any
    gap = HiddenField()  # the line of an area's "What people need" it answers: AREA/SOURCE/KEY


class ApproveForm(FlaskForm):
    checklist = CheckboxListField("Compliance checklist", choices=choices(CHECKLIST.items()), validate_choice=True)
    confidentiality_confirmed = BooleanField("I have checked the flagged text: it identifies no child or family")
    review_by = DayField("Next review by (optional)", validators=[Optional()])
    note = TextAreaField("Note to the author (optional)", validators=[Length(max=COMMENT_MAX)])
    # A small correction before approving: the proposal's title and text, as the moderator
    # leaves them (the services check them as they check any proposal).
    corrected_title = StringField("Title", validators=[Optional()])
    corrected_body = TextAreaField("Text (Markdown)", validators=[Optional()])
    confirm_safe = BooleanField(CONFIRM_LABEL)  # the note to the author holds no case details


class CommentForm(FlaskForm):
    comment = TextAreaField(
        "What the author should know",
        validators=[DataRequired("Say why, so the author knows what to do next."), Length(max=COMMENT_MAX)],
    )
    confirm_reject = BooleanField("To reject: I understand a rejected proposal is closed for good")
    confirm_safe = BooleanField(CONFIRM_LABEL)  # the comment holds no case details


class ProblemForm(FlaskForm):
    form_key = FormKeyField()  # sent twice, made once
    problem = TextAreaField("What is wrong, or out of date?", validators=[Length(max=2000)])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class ReviewedForm(FlaskForm):
    review_by = DayField("Next review by (optional; 12 months if empty)", validators=[Optional()])
    note = TextAreaField("Note (optional)", validators=[Length(max=COMMENT_MAX)])
    confirm_safe = BooleanField(CONFIRM_LABEL)


class ArchiveForm(FlaskForm):
    superseded_by = StringField(
        "Superseded by (the address of the tip that replaces it, optional)",
        validators=[Optional(), Length(max=SLUG_MAX)],
    )
    reason = TextAreaField("Reason (optional)", validators=[Length(max=COMMENT_MAX)])
    confirm = BooleanField(
        "I understand an archived tip cannot be published again",
        validators=[DataRequired("Tick the box to confirm archiving.")],
    )
    confirm_safe = BooleanField(CONFIRM_LABEL)


class ConfirmForm(FlaskForm):
    """A button that changes something: just the CSRF token."""

"""Forms for practice areas."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from cafpedia.areas.services import SLUG_MAX, SUMMARY_MAX, TITLE_MAX
from cafpedia.core.forms import CheckboxListField


class AreaForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired("Enter a title."),
            Length(max=TITLE_MAX, message=f"Use at most {TITLE_MAX} characters."),
        ],
    )
    summary = TextAreaField(
        "Summary (Markdown)", validators=[Length(max=SUMMARY_MAX, message=f"Use at most {SUMMARY_MAX} characters.")]
    )
    lead = SelectField("Lead manager", choices=[], validate_choice=True)
    deputies = CheckboxListField("Deputies", choices=[], validate_choice=True)


class NewAreaForm(AreaForm):
    slug = StringField(
        "Web address name",
        validators=[
            DataRequired("Enter a short name for the web address."),
            Length(max=SLUG_MAX, message=f"Use at most {SLUG_MAX} characters."),
        ],
    )

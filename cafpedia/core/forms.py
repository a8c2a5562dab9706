"""Form pieces shared by every domain."""
from __future__ import annotations

from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """Form choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes, which work without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def apply_service_errors(form, errors: dict[str, str]) -> None:
    """Put a ValidationError's messages on the matching form fields (or the form)."""
    for field_name, message in errors.items():
        field = getattr(form, field_name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)

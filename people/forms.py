"""Form fields the floors above share: choices of rows by id, and of people by name."""

from django import forms

from .names import display_name

# The widest id any backend's integer column holds (64 bits, signed).
MAX_ID = 2**63 - 1


class IdInRangeMixin:
    """For a choice of rows by id: an id no integer column can hold is an invalid choice, not
    a 500 (SQLite refuses to compare a column with it: OverflowError)."""

    def to_python(self, value):
        if isinstance(value, str) and self.to_field_name is None:
            try:
                out_of_range = abs(int(value)) > MAX_ID
            except ValueError:
                out_of_range = False  # not a number: Django's own check answers
            if out_of_range:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
        return super().to_python(value)


class ByNameMixin:
    """Users shown by full name (username without one)."""

    def label_from_instance(self, obj):
        return display_name(obj)


class ModelChoiceField(IdInRangeMixin, forms.ModelChoiceField):
    pass


class PersonChoiceField(ByNameMixin, ModelChoiceField):
    pass

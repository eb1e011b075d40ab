"""Filter types the floors' FilterSets share (django-filter), with the checks of
people/forms.py: an id beyond 64 bits is an invalid choice, people are shown by name."""

import django_filters
from django_filters import fields

from .forms import ByNameMixin, IdInRangeMixin


class _ModelChoiceField(IdInRangeMixin, fields.ModelChoiceField):
    pass


class _PersonChoiceField(ByNameMixin, _ModelChoiceField):
    pass


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ModelChoiceField


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _PersonChoiceField

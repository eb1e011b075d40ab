"""The object-level predicates of ``mentors.permissions`` as template filters, for the rows
of a list: ``{% if user|may_delete_activity:activity %}``. Each reads the user's roles
(cached per request) and the row's own fields: no query per row."""

from django import template

from .. import permissions

register = template.Library()


@register.filter
def may_delete_activity(user, activity) -> bool:
    return permissions.may_delete_activity(user, activity)


@register.filter
def may_end_mentorship(user, mentorship) -> bool:
    return permissions.may_end_mentorship(user, mentorship)


@register.filter
def statement_duty_conflict(user, statement) -> str | None:
    return permissions.statement_duty_conflict(user, statement)

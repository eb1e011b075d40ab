from django import template

from .. import access, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_grading_count(context):
    """The number of attempts the current user may grade, or None if they grade nothing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.may_grade(user):
        return None
    return selectors.awaiting_grading_count(user=user)

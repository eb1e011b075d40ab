from django import template
from django.utils.http import urlencode

from courses.blocks import Responsible

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ states|get_item:item_id }}``: a dictionary lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def for_subject(context, url):
    """The page's address, keeping whose progress is shown when it is not the viewer's own."""
    enrollment = context.get("enrollment")
    request = context.get("request")
    if not url or enrollment is None or request is None:
        return url or ""
    if enrollment.trainee_id == request.user.pk:
        return url
    return f"{url}?{urlencode({'enrollment': enrollment.pk})}"


@register.filter
def responsible_label(key):

    return Responsible.LABELS.get(key, key)

from django import template
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.selectors import current_enrollment
from people.permissions import is_grader, is_trainee

from .. import permissions, recordings, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_grading_count(context):
    """The number of attempts the current user may grade, or None if they grade nothing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_grader(user):
        return None
    return selectors.awaiting_grading_count(user=user)


@register.filter
def get_item(mapping, key):
    value = mapping.get(key) if mapping else None
    return value.normalize() if hasattr(value, "normalize") else value


@register.simple_tag(takes_context=True)
def quiz_block_context(context, value):
    """What the quiz block shows: the quiz, the trainee's standing, a results link for staff.

    The enrollment comes from the page context when the stage page provides one, otherwise
    it is the user's current enrollment.
    """

    quiz = value.get("quiz") if value else None
    if quiz is None:
        return None
    request = context.get("request")
    user = getattr(request, "user", None)
    state = None
    if user is not None and user.is_authenticated and is_trainee(user):
        enrollment = context.get("enrollment")
        if enrollment is None or enrollment.trainee_id != user.pk:
            enrollment = current_enrollment(user)
        if enrollment is not None:
            state = selectors.page_quiz_state(enrollment, quiz)
    staff = bool(user is not None and permissions.may_see_quiz_results(user))
    return {"quiz": quiz, "state": state, "staff": staff}


@register.filter
def recording_clock(seconds):
    """m:ss of a number of seconds, as the players show it."""
    try:
        return recordings.clock(int(seconds))
    except (TypeError, ValueError):
        return ""


@register.filter
def moment_percent(at_seconds, duration_seconds) -> str:
    """Where a moment sits on a recording's progress line, in percent with three decimals and
    a dot whatever the language (a CSS value): widthratio's whole percent put a comment up to
    a second (more on a long call) off its moment. The player moves the markers again once it
    knows the media's exact length."""
    try:
        at, total = float(at_seconds), float(duration_seconds)
    except (TypeError, ValueError):
        return "0"
    if total <= 0:
        return "0"
    return f"{min(100.0, max(0.0, 100.0 * at / total)):.3f}"


@register.simple_tag
def recording_notice(kind="answer"):
    """The notice every recorder shows: what is recorded, who hears it, when it is deleted."""
    days = int(getattr(settings, "RECORDING_RETENTION_DAYS", 0) or 0)
    if kind == "call":
        who = _(
            "This call is recorded for coaching: you, your mentor, HR and directors can hear "
            "it; the head of sales and other trainees cannot."
        )
    elif kind == "live":
        who = _(
            "This role-play is recorded for coaching and for comparing attempts: the trainee, "
            "their mentor, HR and directors can hear it. Tell the trainee before you start."
        )
    else:
        who = _(
            "Your answer is recorded for coaching: you, your mentor, HR and directors can hear "
            "it; nobody else."
        )
    if days <= 0:
        return who
    kept = ngettext(
        "Recordings are deleted %(days)s day after they are made.",
        "Recordings are deleted %(days)s days after they are made.",
        days,
    ) % {"days": days}
    return f"{who} {kept}"

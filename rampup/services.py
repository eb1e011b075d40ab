"""Writes of the ramp-up reporting: the monthly digest."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import selectors as course_selectors
from people.formatting import number
from people.languages import language_of
from people.roles import Role
from people.services import notify
from quizzes.selectors import overdue_grading_count

from . import criteria as effectiveness
from .dashboard import build_rows, with_dashboard_relations


def ramp_digest_send(*, today) -> dict:
    """The monthly ramp-up digest: every director gets who is behind the curve, who ramped last
    month and how much grading is overdue; each mentor hears about their mentees behind the
    curve. Notifications are keyed by month, so running it twice sends nothing more."""
    month_key = today.strftime("%Y-%m")
    first_of_month = today.replace(day=1)
    previous_month_start = (first_of_month - timedelta(days=1)).replace(day=1)
    open_enrollments = with_dashboard_relations(course_selectors.enrollments_open())
    rows = build_rows(list(open_enrollments), today=today)
    behind = [r for r in rows if r.behind]
    ramped = [
        r
        for r in rows
        if r.ramped_month
        and previous_month_start < r.ramp.months[r.ramped_month - 1].end <= first_of_month
    ]
    overdue = overdue_grading_count(today=today)
    # The same seven criteria as the drill-down and the API (rampup/criteria.py).
    by_enrollment = effectiveness.evaluate({r.enrollment: r.ramp for r in rows}, today=today)
    off_norm = [
        (r, [c for c in by_enrollment[r.enrollment.pk] if c.light == effectiveness.RED])
        for r in rows
    ]
    off_norm = [(r, red) for r, red in off_norm if red]

    def line(r) -> str:
        values = {
            "name": r.trainee_name,
            "program": r.enrollment.program.title,
            "n": r.months_since_hire,
            "mentor": r.mentor_name,
        }
        if r.mentor:
            return _("- %(name)s (%(program)s, month %(n)s, mentor %(mentor)s)") % values
        return _("- %(name)s (%(program)s, month %(n)s)") % values

    def names(items):
        return "\n".join(line(r) for r in items) or _("nobody")

    def red_lines():
        return "\n".join(
            _("- %(name)s: %(criteria)s")
            % {
                "name": r.trainee_name,
                "criteria": "; ".join(f"{c.number}. {c.name} ({c.display})" for c in red),
            }
            for r, red in off_norm
        ) or _("nobody")

    sent = {"directors": 0, "mentors": 0}
    for director in get_user_model().objects.filter(groups__name=Role.DIRECTOR, is_active=True):
        # Written in each director's language (people/languages.py).
        with language_of(director):
            body = "\n\n".join(
                [
                    _("Behind the curve (last two complete months behind the plan):\n%(names)s")
                    % {"names": names(behind)},
                    _("Ramped last month (reached the full monthly targets):\n%(names)s")
                    % {"names": names(ramped)},
                    _("Effectiveness criteria off the norm (red on the drill-down):\n%(lines)s")
                    % {"lines": red_lines()},
                    _("Attempts with grading overdue: %(n)s") % {"n": number(overdue)},
                ]
            )
            notify(
                recipient=director,
                title=_("Ramp-up digest, %(month)s")
                % {"month": date_format(today, "YEAR_MONTH_FORMAT")},
                body=body,
                url=reverse("dashboard"),
                dedupe_key=f"ramp-digest:{month_key}",
            )
        sent["directors"] += 1
    for row in behind:
        if row.mentor is None:
            continue
        with language_of(row.mentor):
            notify(
                recipient=row.mentor,
                title=_("%(name)s is behind the curve") % {"name": row.trainee_name},
                body=_(
                    "%(name)s's last two complete months were both behind the ramp-up plan. "
                    "Look at the month-by-month figures together and agree on next steps."
                )
                % {"name": row.trainee_name},
                url=reverse("ramp_drilldown", args=[row.enrollment.pk]),
                dedupe_key=f"behind-the-curve:{row.enrollment.pk}:{month_key}",
            )
        sent["mentors"] += 1
    return sent

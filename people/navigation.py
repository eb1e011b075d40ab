"""Where each person starts and what the top navigation lists, from their roles.

Every link is shown by asking the predicate the page itself asks (``people.permissions``), so
the navigation lists exactly the pages a person may open.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions
from .roles import Role, primary_role

START_PAGES = {
    Role.DIRECTOR: "dashboard",
    Role.HEAD_OF_SALES: "mentors:bonuses",
    Role.HR: "courses:enrollments",
    Role.MENTOR: "mentors:mentees",
    Role.HEAD_OF_DEPARTMENT: "courses:my_tasks",
    Role.SYSTEM_ADMINISTRATOR: "courses:my_tasks",
    Role.TRAINEE: "courses:my_onboarding",
}


def start_url(user) -> str:
    role = primary_role(user)
    if role is None:
        if user.is_superuser:
            return reverse("wagtailadmin_home")
        return reverse("no_role")
    return reverse(START_PAGES[role])


def navigation(user) -> list[tuple[str, str]]:
    """(label, url) pairs for the site's top navigation, in order, for every role held."""
    if not user.is_authenticated:
        return []
    items: list[tuple[str, str]] = []
    if permissions.is_trainee(user):
        items.append((_("My onboarding"), "courses:my_onboarding"))
        items.append((_("My activity"), "mentors:activity"))
        items.append((_("My quizzes"), "quizzes:my_quizzes"))
        items.append((_("My ramp-up"), "my_ramp"))
    if permissions.is_trainee(user) or permissions.is_mentor(user):
        # Account managers at any level, the mentors and the head of sales among them.
        items.append((_("My career"), "careers:my_career"))
    if permissions.is_mentor(user):
        items.append((_("My mentees"), "mentors:mentees"))
    if permissions.ticks_checklist_items_of_others(user) or permissions.may_manage_enrollments(
        user
    ):
        items.append((_("My tasks"), "courses:my_tasks"))
    if permissions.is_grader(user):
        items.append((_("Grading"), "quizzes:grading_queue"))
    if permissions.grades_all_attempts(user):
        items.append((_("Overdue grading"), "quizzes:overdue_grading"))
    if permissions.sees_all_trainees(user):
        items.append((_("Ramp-up"), "dashboard"))
        items.append((_("Enrollments"), "courses:enrollments"))
    if permissions.may_approve_bonuses(user):
        items.append((_("Mentor bonuses"), "mentors:bonuses"))
    if permissions.may_assign_mentors(user):
        items.append((_("Mentorships"), "mentors:mentorships"))
        items.append((_("Import activities"), "mentors:import"))
        items.append((_("Confirm activity"), "mentors:confirm"))
    if permissions.sees_all_trainees(user):
        items.append((_("Career ladder"), "careers:team"))
        items.append((_("Audit history"), "audit"))
    return [(label, reverse(name)) for label, name in items]

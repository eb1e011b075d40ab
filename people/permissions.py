"""Who may do what, by role: the predicates every floor builds on.

Each app has its own ``permissions.py`` for the decisions about its objects (``may_sign_off``
in courses, ``may_grade`` in quizzes, ``may_delete_activity`` in mentors...); they build on
these. Services raise ``PermissionDenied`` by asking the same predicate that views, the API
and templates ask, so a page never offers what its service refuses, nor hides what it allows.

Every predicate here reads only the user's roles (``roles.user_roles``, read once per request
object), so asking one costs no query after the first.
"""

from __future__ import annotations

from .roles import ROLE_PERMISSIONS, Role, has_role, user_roles


def sees_all_trainees(user) -> bool:
    """Directors, HR and the head of sales oversee every trainee (and superusers)."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.DIRECTOR, Role.HR, Role.HEAD_OF_SALES)
    )


def is_trainee(user) -> bool:
    return has_role(user, Role.TRAINEE)


def is_mentor(user) -> bool:
    """Mentors, and the head of sales, who mentors too."""
    return has_role(user, Role.MENTOR, Role.HEAD_OF_SALES)


def is_integration(user) -> bool:
    """A CRM or telephony account: holds mentors.add_activity (via a group such as
    "Integration" or directly) without being one of the people roles."""
    return user.is_authenticated and user.is_active and user.has_perm("mentors.add_activity")


def ticks_checklist_items_of_others(user) -> bool:
    """The system administrators and heads of department, who tick the checklist items that
    name them (their start page lists the items waiting for them)."""
    return has_role(user, Role.SYSTEM_ADMINISTRATOR, Role.HEAD_OF_DEPARTMENT)


def may_manage_enrollments(user) -> bool:
    """HR enrolls, drops and reactivates trainees and grants extra quiz attempts."""
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.HR))


def may_approve_bonuses(user) -> bool:
    """Directors and the head of sales approve, export and mark paid mentor bonuses."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.DIRECTOR, Role.HEAD_OF_SALES)
    )


def may_approve_promotions(user) -> bool:
    """Directors and the head of sales approve or decline level changes and their pay
    (careers.permissions adds: never their own)."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.DIRECTOR, Role.HEAD_OF_SALES)
    )


def may_keep_career_documents(user) -> bool:
    """HR, the head of sales and directors put documents (a diploma...) on file for a level's
    requirement."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.HR, Role.DIRECTOR, Role.HEAD_OF_SALES)
    )


def may_assign_mentors(user) -> bool:
    """HR and the head of sales assign and end mentorships and import activity."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.HR, Role.HEAD_OF_SALES)
    )


def grades_all_attempts(user) -> bool:
    """HR and directors grade and override any attempt (director control)."""
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.HR, Role.DIRECTOR))


def is_grader(user) -> bool:
    """Who grades quiz attempts at all: HR and directors any, mentors their mentees'."""
    return grades_all_attempts(user) or is_mentor(user)


def shows_admin_link(user) -> bool:
    """Whether the header links to the Wagtail admin: staff, or a role given admin access.
    Read from the roles (cached per request) rather than ``perms``, which costs two queries
    on every page; the admin itself still checks the permission."""
    if not user.is_authenticated:
        return False
    return user.is_staff or any(
        "wagtailadmin.access_admin" in ROLE_PERMISSIONS.get(role, []) for role in user_roles(user)
    )

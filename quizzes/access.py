"""Who may do what with quizzes, built on people.roles (the one place that knows the roles)."""

from __future__ import annotations

from people import roles
from people.roles import Role


def grades_all_attempts(user) -> bool:
    """HR and directors grade and override any attempt (director control)."""
    return user.is_authenticated and (
        user.is_superuser or roles.has_role(user, Role.HR, Role.DIRECTOR)
    )


def may_grade(user) -> bool:
    return grades_all_attempts(user) or roles.is_mentor(user)


def may_override(user) -> bool:
    return grades_all_attempts(user)


def may_grant_extra_attempt(user) -> bool:
    return roles.can_manage_enrollments(user)


def sees_overdue_list(user) -> bool:
    return grades_all_attempts(user)

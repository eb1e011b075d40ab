"""Reads of quizzes, attempts and grading, scoped to who is asking."""

from __future__ import annotations

from .models import Attempt


def awaiting_grading_count(*, user) -> int:
    """Attempts awaiting grading that this user may grade (a mentor's active mentees; all
    for HR and directors)."""
    return Attempt.objects.awaiting_grading().for_grader(user).count()

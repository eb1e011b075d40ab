"""Two graders racing for the same attempt on PostgreSQL get exactly one lease."""

import threading

import pytest
from django.db import close_old_connections, connection

from people.roles import Role
from quizzes import services
from quizzes.models import Attempt
from tests.conftest import make_user
from tests.quizzes.factories import QuizFactory, enroll, make_program, written

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_racing_graders_get_exactly_one_lease():
    quiz = QuizFactory()
    written(quiz)
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    graders = [make_user(Role.HR) for _ in range(2)] + [make_user(Role.DIRECTOR) for _ in range(2)]

    for _round in range(5):
        Attempt.objects.filter(pk=attempt.pk).update(leased_to=None, lease_expires_at=None)
        barrier = threading.Barrier(len(graders))
        results = {}

        def race(user, barrier, results):
            try:
                barrier.wait(timeout=10)
                results[user.pk] = services.attempt_lease_acquire(
                    attempt=Attempt.objects.get(pk=attempt.pk), user=user
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=race, args=(u, barrier, results)) for u in graders]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        close_old_connections()
        winners = [pk for pk, won in results.items() if won]
        assert len(results) == len(graders)
        assert len(winners) == 1
        attempt.refresh_from_db()
        assert attempt.leased_to_id == winners[0]

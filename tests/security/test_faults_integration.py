"""Faults against the real services (PostgreSQL, Redis, real Celery worker processes): a worker
killed with SIGKILL in the middle of bonus finalization, Redis stopped while a trainee submits,
the same task delivered twice, two graders saving at once, two imports of one CSV at once."""

from __future__ import annotations

import contextlib
import io
import os
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment
from mentors import services as mentor_services
from mentors.importing import import_csv
from mentors.models import Activity, BonusStatement, Mentorship
from mentors.tasks import statement_recompute, statements_finalize_due
from people import tasks as people_tasks
from people.models import Notification, TaskRun
from people.roles import Role
from quizzes import services as quiz_services
from quizzes.models import Attempt
from tests.conftest import make_user
from tests.integration import celery_worker, kill_group, run_by_worker, wait_until
from tests.mentors.factories import make_enrollment, make_mentorship, make_program, make_rule
from tests.people.factories import PASSWORD

from .faults import PrivateRedis, app_broker, children_of, kill_9
from .world import build_world

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


FINALIZE = "mentors.tasks.statements_finalize_due"


def _ended_mentorships(n: int):
    """n mentorships whose 30-day bonus window is over, each with some activity in it."""
    today = timezone.localdate()
    program = make_program()
    rule = make_rule()
    mentor = make_user(Role.MENTOR)
    result = []
    activities = []
    for i in range(n):
        enrollment = make_enrollment(program=program, hire_date=today - timedelta(days=90))
        mentorship = make_mentorship(
            enrollment=enrollment, mentor=mentor, rule=rule, started_on=today - timedelta(days=60)
        )
        at = timezone.now() - timedelta(days=50)
        activities += [
            Activity(enrollment=enrollment, kind="call", occurred_at=at) for _ in range(i % 7)
        ]
        result.append(mentorship)
    Activity.objects.bulk_create(activities)
    return result


def _statement_figures():
    return {
        s.mentorship_id: (s.counts, s.tier_name, s.amount, s.status)
        for s in BonusStatement.objects.all()
    }


def _assert_equal_to_recomputation(mentorships):
    assert BonusStatement.objects.count() == len(mentorships)
    before = _statement_figures()
    for m in mentorships:
        mentor_services.statement_compute(mentorship_id=m.pk)
    assert _statement_figures() == before
    assert {status for *_rest, status in before.values()} == {BonusStatement.Status.FINAL}
    keys = list(
        Notification.objects.filter(dedupe_key__startswith="bonus-final-").values_list(
            "dedupe_key", flat=True
        )
    )
    assert len(keys) == len(set(keys)) == len(mentorships)


@contextlib.contextmanager
def _finalization_held(mentorship):
    """Hold one due mentorship's row locked, so that a finalization (one transaction over all
    of them) blocks inside its transaction, on its first query: a kill then lands mid-run
    whatever the machine's speed."""
    with transaction.atomic():
        Mentorship.objects.select_for_update().filter(pk=mentorship.pk).first()
        yield


def _finalization_blocked() -> bool:
    """Whether another session of the test database waits for a lock (the finalization)."""
    with connection.cursor() as cursor:
        # Inside a transaction (the held lock's) the statistics views are a snapshot taken at
        # their first read: clear it so every call sees the sessions as they are now.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_worker_killed_mid_finalization_leaves_one_correct_statement_each():
    mentorships = _ended_mentorships(200)
    with celery_worker() as worker:
        with _finalization_held(mentorships[-1]):
            statements_finalize_due.delay()
            wait_until(_finalization_blocked, timeout=60, interval=0.02)
            (child,) = children_of(worker.pid)
            kill_9(child)
            # One transaction: the run killed half-way has written nothing.
            assert BonusStatement.objects.count() == 0
        # Late acknowledgement + task_reject_on_worker_lost: the message is delivered again
        # and a fresh pool process finishes the job.
        wait_until(
            lambda: BonusStatement.objects.filter(status="final").count() == len(mentorships),
            timeout=120,
        )
        run = run_by_worker("mentors.tasks.statements_finalize_due", worker)
        assert run.pid not in (child, worker.pid)  # a fresh pool process of the same worker
    _assert_equal_to_recomputation(mentorships)


# A short time limit, so that the visibility timeout it sets (time limit + margin, see
# lms/settings/base.py) passes within the test; production's is 600 + 60 seconds.
SHORT_LIMITS = {
    "CELERY_TASK_TIME_LIMIT": "20",
    "CELERY_TASK_SOFT_TIME_LIMIT": "18",
    "CELERY_VISIBILITY_MARGIN_SECONDS": "5",
    "CELERY_UNACKED_RESTORE_SECONDS": "1",
}
# The visibility timeout (25 s) + the restore interval + the rest of the run, with room.
RECOVERY_SECONDS = 90


def test_a_whole_worker_killed_mid_finalization_recovers_by_itself():
    """kill -9 of a worker's whole process group (main process and pool) while it finalizes:
    its message stays unacknowledged in Redis, and the other worker takes it back once the
    visibility timeout has passed and finishes the run. Nobody reruns anything."""
    mentorships = _ended_mentorships(200)
    with celery_worker(env_extra=SHORT_LIMITS) as one, celery_worker(env_extra=SHORT_LIMITS) as two:
        workers = {one.node_name: one, two.node_name: two}
        statements_finalize_due.delay()

        def started():
            run = TaskRun.objects.filter(task=FINALIZE).first()
            return run if run and _finalization_blocked() else None

        with _finalization_held(mentorships[-1]):
            run = wait_until(started, timeout=60, interval=0.02)
            dead = workers.pop(run.hostname)
            (survivor,) = workers.values()
            kill_group(dead)
            killed_at = time.monotonic()
            # One transaction: the run killed half-way has written nothing.
            assert BonusStatement.objects.count() == 0
            assert dead.poll() is not None
            assert not children_of(dead.pid)

        wait_until(
            lambda: BonusStatement.objects.filter(status="final").count() == len(mentorships),
            timeout=RECOVERY_SECONDS,
            interval=0.5,
        )
        recovered_in = time.monotonic() - killed_at
        finished = wait_until(
            lambda: TaskRun.objects.filter(task=FINALIZE, state="SUCCESS").first(), timeout=30
        )
        # The surviving worker's process finished it: neither the dead one nor this test.
        assert run_by_worker(FINALIZE, survivor) == finished
        assert finished.pid not in (run.pid, os.getpid())
        assert recovered_in < RECOVERY_SECONDS
    _assert_equal_to_recomputation(mentorships)


def test_the_same_task_delivered_twice_changes_nothing_more():
    mentorships = _ended_mentorships(3)
    with celery_worker(concurrency=2) as worker:
        for m in mentorships:
            for _ in range(2):
                statement_recompute.delay(m.pk)
                statement_recompute.apply_async(args=[m.pk], task_id=f"same-{m.pk}")
        wait_until(
            lambda: BonusStatement.objects.filter(status="final").count() == len(mentorships)
        )
        run_by_worker("mentors.tasks.statement_recompute", worker)
        statements_finalize_due.delay()
        statements_finalize_due.delay()
        wait_until(lambda: TaskRun.objects.filter(task=FINALIZE, state="SUCCESS").exists())
        time.sleep(2)
        run_by_worker(FINALIZE, worker)
    _assert_equal_to_recomputation(mentorships)
    # The e-mail task run twice for one notification sends one e-mail.
    notification = Notification.objects.filter(dedupe_key__startswith="bonus-final-").first()
    Notification.objects.filter(pk=notification.pk).update(email_sent_at=None)
    mail.outbox = []
    people_tasks.notification_deliver_email.apply(args=[notification.pk])
    people_tasks.notification_deliver_email.apply(args=[notification.pk])
    assert len(mail.outbox) == 1


def test_redis_down_while_a_trainee_submits():
    """The submission is saved and the pages work; what had to go through the broker (the
    e-mails) is delivered by the catch-up job once Redis is back."""
    world = build_world()
    enrollment = world.enrollment_b
    trainee = world.user("trainee_b")
    Attempt.objects.filter(pk=world.attempt_b.pk).delete()  # room for a fresh attempt
    redis = PrivateRedis()
    redis.start()
    try:
        with app_broker(redis.url), celery_worker():
            client = Client()
            client.force_login(trainee)
            started = quiz_services.attempt_start(
                enrollment=enrollment, quiz=world.quiz, user=trainee
            )
            redis.stop()
            response = client.post(
                reverse("quizzes:attempt_submit", args=[started.pk]),
                {f"q{world.question.pk}": "My answer, sent while Redis was down"},
            )
            assert response.status_code == 302
            started.refresh_from_db()
            assert started.status == Attempt.Status.AWAITING_GRADING
            assert client.get(response.headers["Location"]).status_code == 200
            # The grader (B's mentor) has the in-app notification at once.
            assert Notification.objects.filter(
                recipient=world.user("mentor_b"), dedupe_key__startswith="quiz-submitted:"
            ).exists()
            # A notification that is also e-mailed: the publish fails, the page still works.
            response = client.post(
                reverse("password_change"),
                {
                    "old_password": PASSWORD,
                    "new_password1": "another-long-passphrase-42",
                    "new_password2": "another-long-passphrase-42",
                },
            )
            assert response.status_code == 302
            pending = Notification.objects.get(recipient=trainee, title__icontains="password")
            assert pending.email_sent_at is None
            redis.start()
            mail.outbox = []
            with time_machine.travel(timezone.now() + timedelta(minutes=10)):
                assert people_tasks.notifications_deliver_pending() >= 1
                assert people_tasks.notifications_deliver_pending() == 0
            pending.refresh_from_db()
            assert pending.email_sent_at is not None
            assert [m.to for m in mail.outbox].count([trainee.email]) == 1
    finally:
        redis.stop()


def test_two_graders_saving_the_same_attempt_at_once():
    """Both open the grading page and finish at the same moment: one grade is saved, the
    other is refused (never silently written over the first)."""
    world = build_world()
    graders = [world.user("hr"), world.user("director")]
    url = reverse("quizzes:grade", args=[world.attempt_a.pk])
    field = f"r{world.response_a.pk}-points"
    barrier = threading.Barrier(2)
    results = {}

    def grade(user, points):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            client.get(url)  # opening the page takes the lease: only one gets it
            barrier.wait(timeout=10)
            response = client.post(url, {field: points, "action": "finish"}, follow=True)
            results[user.username] = response.content.decode()
        finally:
            connection.close()

    pairs = zip(graders, ("4", "1"), strict=True)
    threads = [threading.Thread(target=grade, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    assert len(results) == 2
    world.response_a.refresh_from_db()
    winner = world.response_a.graded_by.username
    assert world.response_a.awarded_points == Decimal("4" if winner == "hr" else "1")
    assert Attempt.objects.get(pk=world.attempt_a.pk).status == Attempt.Status.GRADED
    # One grade, no override history: the loser's points were never written.
    assert not world.response_a.changes.exists()


def test_two_imports_of_the_same_csv_at_once_create_no_duplicates():
    """The second import's INSERT ... ON CONFLICT DO NOTHING waits for the first to commit,
    then counts every row as a duplicate: no IntegrityError, no deadlock."""
    program = make_program()
    trainees = [make_user(Role.TRAINEE, email=f"t{i}@example.com") for i in range(3)]
    for t in trainees:
        Enrollment.objects.create(
            trainee=t, program=program, hire_date=timezone.localdate() - timedelta(days=30)
        )
    when = (timezone.now() - timedelta(days=1)).isoformat()
    lines = ["trainee_email,kind,occurred_at,source,external_id,amount,note"]
    lines += [f"t{i % 3}@example.com,call,{when},crm,call-{i},," for i in range(3000)]
    data = ("\n".join(lines) + "\n").encode()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(import_csv(io.BytesIO(data), enrollments=Enrollment.objects.all()))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    assert Activity.objects.count() == 3000
    assert errors == []
    assert sorted((r.created, r.duplicates) for r in results) == [(0, 3000), (3000, 0)]

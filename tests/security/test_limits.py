"""Size limits: a request body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused with a 400, and an
answer longer than ANSWER_MAX_LENGTH is refused with a clear message, not cut short."""

from __future__ import annotations

import json

from django.conf import settings as django_settings
from django.urls import reverse

from mentors.models import Activity
from quizzes import services as quiz_services
from quizzes.models import Attempt

from .matrix import client_for


def test_an_oversized_api_body_is_a_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = Activity.objects.count()
    body = json.dumps([{"trainee": "x@example.com", "note": "n" * 20_000}])
    response = client_for(world, "integration").post(
        reverse("api-activities"), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert Activity.objects.count() == before


def test_an_oversized_form_post_is_a_400(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client_for(world, "hr").post(
        reverse("courses:enrollment_drop", args=[world.enrollment_a.pk]), {"reason": "r" * 20_000}
    )
    assert response.status_code == 400
    world.enrollment_a.refresh_from_db()
    assert world.enrollment_a.status != "dropped"


def test_an_overlong_answer_is_refused_with_a_clear_message(world):
    trainee = world.user("trainee_b")
    Attempt.objects.filter(pk=world.attempt_b.pk).delete()
    attempt = quiz_services.attempt_start(
        enrollment=world.enrollment_b, quiz=world.quiz, user=trainee
    )
    limit = django_settings.ANSWER_MAX_LENGTH
    response = client_for(world, "trainee_b").post(
        reverse("quizzes:attempt_save", args=[attempt.pk]),
        {f"q{world.question.pk}": "a" * (limit + 1)},
        follow=True,
    )
    saved = attempt.responses.get().answer_text
    assert saved == "", "the overlong answer must not be saved, cut or whole"
    assert f"{limit:,}" in response.content.decode() or str(limit) in response.content.decode()

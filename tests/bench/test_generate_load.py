from datetime import date

import pytest

from bench.loadgen import Options, generate
from courses.models import Enrollment, StageProgress
from mentors.models import Activity, Mentorship
from quizzes.models import Attempt, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    """The demo's people and program (not its months of activity), and a small quiz."""
    import random

    from demo import courses as courses_demo
    from demo import people as lms_demo
    from quizzes.models import Quiz, WrittenQuestion

    ctx = lms_demo.DemoContext(today=date(2026, 11, 26), rng=random.Random(1))
    lms_demo.seed(ctx)
    courses_demo.seed(ctx)
    quiz = Quiz.objects.create(title="Survey", slug="load-survey")
    for order in range(3):
        WrittenQuestion.objects.create(quiz=quiz, order=order, text=f"Question {order}")


def test_generate_load_writes_a_consistent_company(demo):
    before = {m: m.objects.count() for m in (Enrollment, Mentorship, Activity, Attempt)}
    counts = generate(
        Options(
            trainees=9, months=6, activities=3000, attempts=18, seed=3, today=date(2026, 11, 26)
        )
    )
    assert Enrollment.objects.count() - before[Enrollment] == 9
    assert Mentorship.objects.count() - before[Mentorship] == 9
    created = Activity.objects.count() - before[Activity]
    assert created == counts["mentors.Activity"]
    assert 2000 < created < 4000  # "about" the requested total
    assert Attempt.objects.count() - before[Attempt] == 18
    assert Response.objects.filter(attempt__enrollment__trainee__username__startswith="load-")
    new = Enrollment.objects.filter(trainee__username__startswith="load-")
    assert StageProgress.objects.filter(enrollment__in=new).count() >= 9
    # Activities are on weekdays, after the first week, never in the future.
    sample = Activity.objects.filter(enrollment__in=new)
    assert not sample.filter(occurred_at__week_day__in=[1, 7]).exists()
    # Sequences were reset: the ORM can still insert.
    Activity.objects.create(
        enrollment=new.first(), kind="call", occurred_at=sample.first().occurred_at, source="manual"
    )

    # Deterministic: the same options give the same company again.
    again = generate(
        Options(trainees=9, months=6, activities=3000, attempts=0, seed=3, today=date(2026, 11, 26))
    )
    assert again["mentors.Activity"] == counts["mentors.Activity"]

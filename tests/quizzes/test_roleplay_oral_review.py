"""The role-play certification as the method runs it ("last attempt", booking with date, place
and grader, the rubric shown beforehand), oral surveys recorded by the grader, rubric levels,
and the director's extra-control review."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Notification
from people.roles import Role
from quizzes import services
from quizzes.models import Attempt, RolePlaySession, RubricCriterion, SurveyReview
from tests.conftest import make_user
from tests.quizzes.factories import QuizFactory, enroll, make_program, oral, written

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def roleplay(mentor):
    quiz = QuizFactory(title="Role-play certification", is_certification=True, pass_mark=70)
    question = oral(quiz)
    RubricCriterion.objects.filter(question=question, name="Closing").update(
        levels="5 — asks for the order with a date\n2 — hints at a next step\n0 — never asks"
    )
    enrollment = enroll(make_program(quiz), mentor=mentor)
    return quiz, enrollment


def _fail(quiz, enrollment, grader, share="0.2"):
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    services.attempt_lease_acquire(attempt=attempt, user=grader)
    item = next(i for i in services.selectors.attempt_sheet(attempt) if i.is_manual)
    grade = services.ResponseGrade(
        criteria={c.pk: (c.max_points * Decimal(share)).quantize(Decimal(1)) for c in item.criteria}
    )
    services.attempt_grade(
        attempt=attempt, grader=grader, grades={item.response.pk: grade}, finish=True
    )
    attempt.refresh_from_db()
    return attempt


def test_the_trainee_sees_last_attempt_before_the_second_try(client, roleplay, mentor):
    quiz, enrollment = roleplay
    client.force_login(enrollment.trainee)
    page = client.get(f"/quizzes/{quiz.slug}/").content.decode()
    assert 'id="last-attempt"' not in page
    assert _fail(quiz, enrollment, mentor).passed is False
    page = client.get(f"/quizzes/{quiz.slug}/").content.decode()
    assert 'id="last-attempt"' in page
    assert "Last attempt" in page
    assert "Last attempt" in client.get("/quizzes/").content.decode()


def test_the_rubric_with_its_levels_is_shown_to_the_trainee_beforehand(client, roleplay):
    quiz, enrollment = roleplay
    client.force_login(enrollment.trainee)
    page = client.get(f"/quizzes/{quiz.slug}/").content.decode()
    assert 'id="rubric"' in page
    assert "Needs discovery" in page
    assert "asks for the order with a date" in page
    assert page.index("asks for the order") < page.index("never asks")  # highest level first


def test_a_mentor_books_the_role_play_and_both_are_notified(client, roleplay, mentor, hr):
    quiz, enrollment = roleplay
    client.force_login(mentor)
    url = f"/quizzes/{quiz.slug}/role-play/{enrollment.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"scheduled_at": "2026-03-05T14:00", "place": "Room 3", "grader": mentor.pk}
    )
    assert response.status_code == 302
    session = RolePlaySession.objects.get()
    assert session.scheduled_at == datetime(2026, 3, 5, 14, 0, tzinfo=MSK)
    assert (session.place, session.grader, session.scheduled_by) == ("Room 3", mentor, mentor)
    assert Notification.objects.filter(recipient=enrollment.trainee, title__contains="Room 3")
    assert Notification.objects.filter(recipient=mentor, title__contains="You grade")
    client.force_login(enrollment.trainee)
    page = client.get(f"/quizzes/{quiz.slug}/").content.decode()
    assert 'id="roleplay-session"' in page
    assert "Room 3" in page
    # Moved to HR as grader: the same booking, the mentor told it is off their calendar.
    client.force_login(mentor)
    response = client.post(
        url, {"scheduled_at": "2026-03-06T11:00", "place": "Room 5", "grader": hr.pk}
    )
    assert response.status_code == 302
    session = RolePlaySession.objects.get()
    assert (session.place, session.grader) == ("Room 5", hr)
    assert Notification.objects.filter(recipient=mentor, title__contains="cancelled")
    assert Notification.objects.filter(recipient=hr, title__contains="Room 5")
    # Cancelled: nothing scheduled any more.
    assert client.post(url, {"action": "cancel"}).status_code == 302
    assert RolePlaySession.objects.get().status == RolePlaySession.Status.CANCELLED


def test_bad_bookings_are_form_errors(client, roleplay, mentor):
    quiz, enrollment = roleplay
    stranger = make_user(Role.TRAINEE)
    client.force_login(mentor)
    url = f"/quizzes/{quiz.slug}/role-play/{enrollment.pk}/"
    past = client.post(
        url, {"scheduled_at": "2026-03-01T14:00", "place": "Room", "grader": mentor.pk}
    )
    assert past.status_code == 400
    assert "scheduled_at" in past.context["form"].errors
    no_place = client.post(
        url, {"scheduled_at": "2026-03-05T14:00", "place": "", "grader": mentor.pk}
    )
    assert no_place.status_code == 400
    not_a_grader = client.post(
        url, {"scheduled_at": "2026-03-05T14:00", "place": "Room", "grader": stranger.pk}
    )
    assert not_a_grader.status_code == 400
    assert not RolePlaySession.objects.exists()
    with pytest.raises(ValidationError):
        services.roleplay_schedule(
            enrollment=enrollment,
            quiz=quiz,
            scheduled_at=NOW + timedelta(days=1),
            place="Room",
            grader=enrollment.trainee,
            user=mentor,
        )


def test_another_mentor_cannot_book_and_a_trainee_cannot_either(client, roleplay):
    quiz, enrollment = roleplay
    client.force_login(make_user(Role.MENTOR))
    assert client.get(f"/quizzes/{quiz.slug}/role-play/{enrollment.pk}/").status_code == 404
    client.force_login(enrollment.trainee)
    assert client.get(f"/quizzes/{quiz.slug}/role-play/{enrollment.pk}/").status_code == 404


def test_rubric_levels_are_checked_against_the_criterion(roleplay):
    criterion = RubricCriterion.objects.get(name="Closing")
    assert [level.points for level in criterion.level_list()] == [5, 2, 0]
    criterion.levels = "7 — more than the maximum"
    with pytest.raises(ValidationError):
        criterion.full_clean()
    criterion.levels = "excellent — no points"
    with pytest.raises(ValidationError):
        criterion.full_clean()


# --- Oral surveys -------------------------------------------------------------------------


@pytest.fixture
def oral_survey(mentor):
    quiz = QuizFactory(title="Product survey (oral)", mode="oral", pass_mark=60)
    first = written(quiz, order=1, points="5")
    second = written(quiz, order=2, criteria=(("Names the options", "2"), ("Prices them", "3")))
    enrollment = enroll(make_program(quiz), mentor=mentor)
    return quiz, enrollment, first, second


def test_the_trainee_does_not_start_an_oral_survey(client, oral_survey):
    quiz, enrollment, *_ = oral_survey
    client.force_login(enrollment.trainee)
    page = client.get(f"/quizzes/{quiz.slug}/").content.decode()
    assert "Oral: your grader asks the questions" in page
    assert f"/quizzes/{quiz.slug}/start/" not in page
    client.post(f"/quizzes/{quiz.slug}/start/")
    assert not Attempt.objects.exists()


def test_the_grader_records_answers_and_scores_during_the_conversation(client, oral_survey, mentor):
    quiz, enrollment, first, second = oral_survey
    client.force_login(mentor)
    results = client.get(f"/quizzes/{quiz.slug}/results/").content.decode()
    assert f"/quizzes/{quiz.slug}/oral/{enrollment.pk}/" in results
    response = client.post(f"/quizzes/{quiz.slug}/oral/{enrollment.pk}/")
    attempt = Attempt.objects.get()
    assert response.url == f"/grading/{attempt.pk}/"
    assert attempt.status == Attempt.Status.AWAITING_GRADING
    assert attempt.leased_to == mentor
    page = client.get(response.url).content.decode()
    assert 'id="oral-mode"' in page
    one = attempt.responses.get(question=first)
    two = attempt.responses.get(question=second)
    c1, c2 = second.criteria.order_by("sort_order")
    response = client.post(
        f"/grading/{attempt.pk}/",
        {
            f"r{one.pk}-answer": "A3 colour MFP, 42 pages a minute",
            f"r{one.pk}-points": "4",
            f"r{two.pk}-answer": "The finisher and the paper deck",
            f"r{two.pk}-c{c1.pk}": "2",
            f"r{two.pk}-c{c2.pk}": "1",
            "action": "finish",
        },
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.percent == Decimal("70.0")
    one.refresh_from_db()
    assert one.answer_text == "A3 colour MFP, 42 pages a minute"
    client.force_login(enrollment.trainee)
    result = client.get(f"/attempts/{attempt.pk}/").content.decode()
    assert "A3 colour MFP, 42 pages a minute" in result
    assert "Names the options" in result  # the rubric, shown afterwards


def test_a_written_surveys_answers_are_never_rewritten_by_the_grader(oral_survey, mentor):
    quiz, enrollment, first, _second = oral_survey
    quiz.mode = "written"
    quiz.save()
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    services.attempt_save_answers(
        attempt=attempt, user=enrollment.trainee, data={f"q{first.pk}": ["Mine"]}
    )
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    response = attempt.responses.get(question=first)
    services.attempt_grade(
        attempt=attempt,
        grader=mentor,
        grades={response.pk: services.ResponseGrade(points=Decimal(3), answer="Theirs")},
    )
    response.refresh_from_db()
    assert response.answer_text == "Mine"
    with pytest.raises(ValidationError):
        services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=mentor)


# --- The director's extra control ---------------------------------------------------------


@pytest.fixture
def graded(oral_survey, mentor):
    quiz, enrollment, _first, _second = oral_survey
    attempt = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=mentor)
    sheet = services.selectors.attempt_sheet(attempt)
    grades = {}
    for item in sheet:
        if item.criteria:
            grades[item.response.pk] = services.ResponseGrade(
                criteria={c.pk: c.max_points for c in item.criteria}, answer="Said"
            )
        else:
            grades[item.response.pk] = services.ResponseGrade(points=Decimal(5), answer="Said")
    services.attempt_grade(attempt=attempt, grader=mentor, grades=grades, finish=True)
    attempt.refresh_from_db()
    return attempt


def test_a_director_agrees_and_it_is_recorded_with_who_and_when(client, graded, director, mentor):
    client.force_login(director)
    page = client.get(f"/attempts/{graded.pk}/").content.decode()
    assert "Record the review" in page
    response = client.post(f"/attempts/{graded.pk}/review/", {"decision": "agreed"})
    assert response.status_code == 302
    review = SurveyReview.objects.get()
    assert (review.reviewer, review.decision, review.graded_by) == (director, "agreed", mentor)
    assert review.reviewed_at == NOW
    assert Notification.objects.filter(recipient=mentor, title__contains="agreed")
    page = client.get(f"/attempts/{graded.pk}/").content.decode()
    assert "Record the review" not in page  # this grading is reviewed
    assert "Agreed" in page
    client.post(f"/attempts/{graded.pk}/review/", {"decision": "agreed"})
    assert SurveyReview.objects.count() == 1


def test_sent_back_needs_a_comment_and_reopens_grading(client, graded, director, mentor):
    client.force_login(director)
    client.post(f"/attempts/{graded.pk}/review/", {"decision": "sent_back", "comment": ""})
    assert not SurveyReview.objects.exists()
    client.post(
        f"/attempts/{graded.pk}/review/",
        {"decision": "sent_back", "comment": "Question 2 deserves fewer points."},
    )
    review = SurveyReview.objects.get()
    assert review.decision == "sent_back"
    graded.refresh_from_db()
    assert graded.status == Attempt.Status.AWAITING_GRADING
    assert graded.grading_due_on == NOW.date() + timedelta(days=graded.quiz.grading_due_days)
    assert Notification.objects.filter(recipient=mentor, title__contains="sent back")
    client.force_login(mentor)
    page = client.get(f"/grading/{graded.pk}/").content.decode()
    assert "Question 2 deserves fewer points." in page


def test_nobody_reviews_their_own_grading_and_only_directors_review(
    client, oral_survey, director, hr
):
    quiz, enrollment, *_ = oral_survey
    attempt = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=director)
    grades = {}
    for item in services.selectors.attempt_sheet(attempt):
        if item.criteria:
            grades[item.response.pk] = services.ResponseGrade(
                criteria={c.pk: c.max_points for c in item.criteria}
            )
        else:
            grades[item.response.pk] = services.ResponseGrade(points=Decimal(5))
    services.attempt_grade(attempt=attempt, grader=director, grades=grades, finish=True)
    with pytest.raises(ValidationError):
        services.survey_review(attempt=attempt, reviewer=director, decision="agreed")
    client.force_login(director)
    assert "Record the review" not in client.get(f"/attempts/{attempt.pk}/").content.decode()
    client.force_login(hr)
    assert client.post(f"/attempts/{attempt.pk}/review/", {"decision": "agreed"}).status_code == 404
    assert not SurveyReview.objects.exists()


def test_the_results_page_costs_the_same_queries_for_more_trainees(client, roleplay, hr):
    quiz, enrollment = roleplay
    program = enrollment.program
    client.force_login(hr)
    url = f"/quizzes/{quiz.slug}/results/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        return len(queries), page.content.decode().count("/role-play/")

    small, rows = count()
    assert rows == 1
    for _ in range(4):
        enroll(program)
    large, rows = count()
    assert rows == 5
    assert large == small

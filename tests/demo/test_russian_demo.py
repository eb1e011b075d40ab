"""The demo company in Russian: the English company's structure and states, in Russian words."""

import random
import unicodedata
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site
from wagtail.users.models import UserProfile

from courses.models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionPage,
    ProgramPage,
    StagePage,
    StageProgress,
)
from demo import company
from demo import people as people_demo
from demo.courses import PROGRAM_SLUG, STAGE_SLUGS
from demo.quizzes import CERTIFICATION_SLUG, SURVEY_SLUG
from mentors.models import Activity, BonusRule, BonusStatement, BonusTier, Mentorship
from people.models import Notification
from quizzes.models import Attempt, Choice, Question, Quiz, Response, RubricCriterion

pytestmark = pytest.mark.django_db

MODELS = [
    get_user_model(),
    Page,
    ChecklistTick,
    Enrollment,
    StageProgress,
    EnrollmentEvent,
    Mentorship,
    Activity,
    BonusRule,
    BonusTier,
    BonusStatement,
    Quiz,
    Choice,
    RubricCriterion,
    Attempt,
    Response,
    Notification,
]


def census() -> dict:
    """How many of everything the demo has, and how many rows are in each state."""
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["questions"] = Question.objects.non_polymorphic().count()
    counts["checklist items"] = sum(len(s.checklist_items()) for s in StagePage.objects.all())
    counts["enrollments by status"] = Counter(Enrollment.objects.values_list("status", flat=True))
    counts["progress by status"] = Counter(StageProgress.objects.values_list("status", flat=True))
    counts["attempts by state"] = Counter(
        Attempt.objects.values_list("quiz__slug", "status", "passed")
    )
    counts["statements by state"] = Counter(
        BonusStatement.objects.values_list("status", "needs_review", "amount")
    )
    counts["activities by kind"] = Counter(Activity.objects.values_list("kind", "source"))
    return counts


def cyrillic_share(texts) -> float:
    letters = [c for text in texts for c in text if c.isalpha()]
    return sum(unicodedata.name(c).startswith("CYRILLIC") for c in letters) / len(letters)


def assert_russian(texts, share=0.8):
    texts = [t for t in texts if t]
    assert texts
    assert cyrillic_share(texts) >= share, texts
    for text in texts:
        assert cyrillic_share([text]) >= 0.5, text


def test_the_russian_demo_is_the_english_company_in_russian(capsys):
    with transaction.atomic():
        company.run(today=timezone.localdate(), language="en")
        english = census()
        assert not UserProfile.objects.exclude(preferred_language="").exists()
        transaction.set_rollback(True)
    assert not get_user_model().objects.exists()

    call_command("seed_demo", "--language", "ru")
    assert "Demo data created (ru)" in capsys.readouterr().out
    assert census() == english

    User = get_user_model()
    usernames = set(User.objects.values_list("username", flat=True))
    assert {"director", "hr", "sales_head", "mentor1", "mentor2"} <= usernames
    assert {f"trainee{i}" for i in range(1, 13)} <= usernames
    assert all(user.check_password(company.DEMO_PASSWORD) for user in User.objects.all())
    assert set(UserProfile.objects.values_list("user__username", "preferred_language")) == {
        (username, "ru") for username in usernames
    }

    assert_russian(
        name for user in User.objects.all() for name in (user.first_name, user.last_name)
    )
    assert_russian(User.objects.values_list("profile__job_title", flat=True))
    # The program is written in Russian (the site's home page in the Russian locale) and
    # translated into English, with the same checklist items.
    home = Site.objects.get().root_page.specific
    assert home.locale.language_code == "ru"
    program = ProgramPage.objects.get(slug=PROGRAM_SLUG, locale__language_code="ru")
    stages = list(StagePage.objects.child_of(program).order_by("path"))
    assert [stage.slug for stage in stages] == STAGE_SLUGS
    assert_russian([home.title, home.intro, program.title, program.intro])
    assert_russian(text for stage in stages for text in (stage.title, stage.summary))
    assert_russian(item["text"] for stage in stages for _id, item in stage.checklist_items())
    job = JobDescriptionPage.objects.get(locale__language_code="ru")
    assert_russian([job.title, *(text for _title, text in job.sections())])
    in_english = program.get_translation(Locale.objects.get(language_code="en"))
    assert in_english.live
    assert in_english.title == "Account manager onboarding"
    for stage in stages:
        translated = stage.get_translation(in_english.locale)
        assert translated.live
        assert translated.get_parent().pk == in_english.pk
        assert [i for i, _item in translated.checklist_items()] == [
            i for i, _item in stage.checklist_items()
        ]
        assert cyrillic_share([translated.title]) == 0

    survey = Quiz.objects.get(slug=SURVEY_SLUG)
    certification = Quiz.objects.get(slug=CERTIFICATION_SLUG)
    assert_russian([survey.title, survey.description, certification.title])
    assert_russian(Question.objects.non_polymorphic().values_list("text", flat=True))
    assert_russian(Choice.objects.values_list("text", flat=True))
    assert_russian(RubricCriterion.objects.values_list("name", flat=True))
    assert_russian(Response.objects.values_list("feedback", flat=True).distinct())
    assert_russian(BonusTier.objects.values_list("name", flat=True))
    assert_russian(BonusStatement.objects.values_list("tier_name", flat=True).distinct())
    assert_russian(Activity.objects.values_list("note", flat=True).distinct())
    assert_russian(Mentorship.objects.values_list("end_reason", flat=True).distinct())
    assert_russian(Enrollment.objects.values_list("drop_reason", flat=True))

    # A second run, without the option (LANGUAGE_CODE is "en"), keeps the Russian company.
    call_command("seed_demo", "--quiet")
    assert "Demo data (ru) already present; nothing changed." in capsys.readouterr().out
    assert census() == english


def test_an_unknown_language_is_refused_clearly():
    with pytest.raises(CommandError, match=r"no demo company in 'de': choose one of en, ru"):
        call_command("seed_demo", "--language", "de", "--quiet")
    assert not get_user_model().objects.exists()


def test_the_setting_is_the_default_and_the_option_wins(settings):
    settings.LANGUAGE_CODE = "de"
    with pytest.raises(CommandError, match=r"no demo company in 'de'"):
        call_command("seed_demo", "--quiet")

    # The option wins over the setting; on a database that holds the English demo company,
    # the Russian one is refused, not mixed in.
    people_demo.seed(people_demo.DemoContext(today=timezone.localdate(), rng=random.Random(1)))
    with pytest.raises(
        CommandError,
        match=r"already holds the demo company in 'en'; the 'ru' one needs an empty database",
    ):
        call_command("seed_demo", "--language", "ru", "--quiet")
    assert not Enrollment.objects.exists()

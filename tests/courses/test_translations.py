"""The program in two languages (Wagtail's locales): a reader sees the copy in their language at
the original's address, falling back to the original; progress, ticks and signatures are the
original's, whichever language the page was read in."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page

from courses import selectors, translations
from courses.models import (
    ChecklistTick,
    JobDescriptionPage,
    JobDescriptionSignature,
    ProgramPage,
    StagePage,
    StageProgress,
)
from tests.courses.factories import enroll, make_program, stages_of
from tests.courses.test_queries import HOME_QUERIES, STAGE_QUERIES

pytestmark = pytest.mark.django_db


def ru():
    return Locale.objects.get_or_create(language_code="ru")[0]


def translate(page, **fields):
    """The admin's "Translate" (copy_for_translation), in Russian words, published."""
    copy = page.specific.copy_for_translation(ru(), copy_parents=True)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    copy.save_revision().publish()
    return copy


def russian_body(stage):
    """The stage's body with every heading, text and checklist item in Russian, the block ids
    kept (as Translate keeps them)."""
    body = []
    for raw in stage.body.raw_data:
        raw = dict(raw)
        if raw["type"] == "heading":
            raw["value"] = f"Про {stage.title}"
        elif raw["type"] == "text":
            raw["value"] = "<p>Прочитайте это.</p>"
        elif raw["type"] == "checklist":
            value = dict(raw["value"])
            value["title"] = "Чек-лист"
            value["items"] = [
                {**item, "value": {**item["value"], "text": "Задача " + item["value"]["text"]}}
                for item in value["items"]
            ]
            raw["value"] = value
        body.append(raw)
    return body


@pytest.fixture
def bilingual(hr):
    """A two-stage program whose program page, first stage and job description are translated
    into Russian; the second stage is not."""
    program = make_program(stages=2, items=1, others=1)
    stages = stages_of(program)
    translate(program, title="Программа адаптации", intro="<p>Добро пожаловать.</p>")
    translate(
        stages[0],
        title="Этап первый",
        summary="Кратко про первый этап.",
        body=russian_body(stages[0]),
    )
    job = JobDescriptionPage.objects.child_of(program).get()
    translate(job, title="Должностная инструкция", general_provisions="<p>Общие положения.</p>")
    enrollment = enroll(program, by=hr)
    return program, stages, job, enrollment


def read_as(client, user, language):
    client.force_login(user)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})


def test_a_russian_reader_sees_the_russian_stage_at_the_originals_address(client, bilingual):
    _program, stages, _job, enrollment = bilingual
    read_as(client, enrollment.trainee, "ru")
    page = client.get(stages[0].url).content.decode()
    assert "Этап первый" in page
    assert "Кратко про первый этап." in page
    assert "Прочитайте это." in page
    assert "Задача Stage 1 task 1" in page
    assert 'class="task">Stage 1 task 1<' not in page
    assert "What stage 1 is about." not in page

    read_as(client, enrollment.trainee, "en")
    page = client.get(stages[0].url).content.decode()
    assert "Этап первый" not in page
    assert "What stage 1 is about." in page
    assert 'class="task">Stage 1 task 1<' in page
    assert "Задача" not in page


def test_my_onboarding_and_the_program_page_read_in_the_readers_language(client, bilingual):
    program, stages, _job, enrollment = bilingual
    read_as(client, enrollment.trainee, "ru")
    home = client.get(reverse("courses:my_onboarding")).content.decode()
    assert "Программа адаптации" in home
    assert "Этап первый" in home
    page = client.get(program.url).content.decode()
    assert "Программа адаптации" in page
    assert "Добро пожаловать." in page
    # The links are the originals' addresses.
    assert f'href="{stages[0].url}' in page


def test_a_missing_or_draft_translation_falls_back_to_the_original(client, bilingual, hr):
    _program, stages, _job, enrollment = bilingual
    draft = stages[1].specific.copy_for_translation(ru())  # created in draft, never published
    draft.title = "Черновик"
    draft.save()
    read_as(client, hr, "ru")
    page = client.get(stages[1].url, {"enrollment": enrollment.pk}).content.decode()
    assert "Stage 2" in page
    assert "Черновик" not in page
    home = client.get(reverse("courses:enrollment_detail", args=[enrollment.pk])).content.decode()
    assert "Этап первый" in home
    assert "Stage 2" in home
    assert "Черновик" not in home


def test_a_tick_on_the_russian_page_is_the_originals_and_shows_in_english(client, bilingual):
    _program, stages, _job, enrollment = bilingual
    item_id = next(i for i, item in stages[0].checklist_items() if item["text"] == "Stage 1 task 1")
    read_as(client, enrollment.trainee, "ru")
    page = client.get(stages[0].url).content.decode()
    tick_url = reverse("courses:checklist_tick", args=[enrollment.pk, stages[0].pk, item_id])
    assert f'action="{tick_url}"' in page
    client.post(tick_url, {"done": "1"})
    tick = ChecklistTick.objects.get(enrollment=enrollment)
    assert (tick.stage_id, tick.item_id) == (stages[0].pk, item_id)

    read_as(client, enrollment.trainee, "en")
    page = client.get(stages[0].url).content.decode()
    assert f'class="checklist-item done" id="item-{item_id}"' in page
    # One progress row per original stage, none for the translation.
    assert sorted(
        StageProgress.objects.filter(enrollment=enrollment).values_list("stage_id", flat=True)
    ) == sorted(s.pk for s in stages)


def test_signing_the_russian_job_description_signs_the_original(client, bilingual):
    _program, _stages, job, enrollment = bilingual
    read_as(client, enrollment.trainee, "ru")
    page = client.get(job.url).content.decode()
    assert "Должностная инструкция" in page
    assert "Общие положения." in page
    client.post(reverse("courses:job_description_sign", args=[enrollment.pk]))
    signature = JobDescriptionSignature.objects.get(enrollment=enrollment)
    assert signature.page_id == job.pk
    assert signature.revision_id == JobDescriptionPage.objects.get(pk=job.pk).live_revision_id
    read_as(client, enrollment.trainee, "en")
    assert client.get(reverse("courses:my_onboarding")).status_code == 200
    assert StageProgress.objects.get(enrollment=enrollment, stage=_stages[0]).status != "locked"


def test_reading_in_russian_takes_no_more_queries(client, bilingual, django_assert_num_queries):
    _program, stages, _job, enrollment = bilingual
    read_as(client, enrollment.trainee, "ru")
    url = reverse("courses:my_onboarding")
    client.get(url)
    with django_assert_num_queries(HOME_QUERIES):
        assert "Этап первый" in client.get(url).content.decode()
    client.get(stages[0].url)
    with django_assert_num_queries(STAGE_QUERIES):
        assert "Этап первый" in client.get(stages[0].url).content.decode()


def test_the_translation_is_not_a_second_program_to_enroll_in(bilingual):
    program, _stages, _job, _enrollment = bilingual
    assert ProgramPage.objects.filter(slug=program.slug).count() == 2
    assert list(translations.originals(ProgramPage.objects.filter(slug=program.slug))) == [program]


def test_a_page_shown_in_a_translations_words_is_never_saved(client, bilingual):
    _program, stages, _job, _enrollment = bilingual
    with translation.override("ru"):
        shown = translations.in_reader_language(stages[0], translations.reader_language())
    assert shown.title == "Этап первый"
    assert shown.pk == stages[0].pk
    with pytest.raises(RuntimeError):
        shown.save()
    assert StagePage.objects.get(pk=stages[0].pk).title == "Stage 1"


def test_the_migration_adds_the_locales_and_gives_every_page_a_content_locale(client, hr):
    program = make_program(stages=1)
    Locale.objects.filter(language_code="ru").delete()
    stray = Locale.all_objects.create(language_code="en-us")
    Page.objects.filter(pk=program.pk).update(locale=stray)
    migration = importlib.import_module("courses.migrations.0003_content_locales")
    migration.add_content_locales(apps, None)
    assert set(Locale.objects.values_list("language_code", flat=True)) >= {"en", "ru"}
    default = Locale.objects.get(language_code="en")
    assert not Page.objects.filter(locale=stray).exists()
    assert Page.objects.get(pk=program.pk).locale_id == default.pk
    # Run again: nothing changes.
    migration.add_content_locales(apps, None)
    assert Locale.objects.filter(language_code="ru").count() == 1


def test_the_lists_name_the_current_stage_in_the_readers_language(client, bilingual, hr):
    _program, _stages, _job, enrollment = bilingual
    read_as(client, hr, "ru")
    assert "Этап первый" in client.get(reverse("courses:enrollments")).content.decode()
    read_as(client, hr, "en")
    page = client.get(reverse("courses:enrollments")).content.decode()
    assert "Этап первый" not in page
    assert "Stage 1" in page
    # The title the mentors' and directors' lists read (My mentees, the dashboard).
    with translation.override("ru"):
        assert selectors.current_stage_titles([enrollment.pk]) == {enrollment.pk: "Этап первый"}
    with translation.override("en"):
        assert selectors.current_stage_titles([enrollment.pk]) == {enrollment.pk: "Stage 1"}


def test_an_editor_previews_a_translation_in_its_own_words(client, bilingual, django_user_model):
    _program, _stages, job, _enrollment = bilingual
    russian = JobDescriptionPage.objects.get(translation_key=job.translation_key, locale=ru())
    editor = django_user_model.objects.create_superuser("editor", "editor@example.com", "x")
    read_as(client, editor, "en")
    page = client.get(reverse("wagtailadmin_pages:view_draft", args=[russian.pk]))
    assert page.status_code == 200
    assert "Общие положения." in page.content.decode()
    page = client.get(reverse("wagtailadmin_pages:view_draft", args=[job.pk]))
    assert "Общие положения." not in page.content.decode()

"""The demo company's words: every language describes the same company."""

import pytest

from demo.content import en
from demo.content.languages import BY_LANGUAGE, UnknownLanguage, language_of
from demo.courses import CHECKLIST_ITEMS, STAGE_SLUGS
from demo.people import STAFF, TRAINEE_COUNT


def shape(content):
    """Everything but the words: what the builders rely on being the same in every language."""
    stages = {
        slug: [
            (type(block).__name__, [key for key, _text in getattr(block, "items", ())])
            for block in stage.body
        ]
        for slug, stage in content.courses.stages.items()
    }
    survey = content.survey
    return {
        "staff": sorted(content.people.staff),
        "trainees": len(content.people.trainees),
        "stages": stages,
        "callout tones": [
            getattr(block, "tone", None)
            for stage in content.courses.stages.values()
            for block in stage.body
        ],
        "written": len(survey.written),
        "answers": (len(survey.good_answers), len(survey.weak_answers)),
        "choices": [
            [correct for _text, correct in question.choices]
            for question in (survey.box_contents, survey.audience)
        ],
        "true/false": [statement.correct for statement in survey.true_false],
        "rubric": len(content.certification.rubric),
    }


@pytest.mark.parametrize("code", sorted(BY_LANGUAGE))
def test_every_language_describes_the_same_company(code):
    content = BY_LANGUAGE[code]
    assert content.language == code
    assert shape(content) == shape(en.CONTENT)
    assert sorted(content.people.staff) == sorted(username for username, _role in STAFF)
    assert len(content.people.trainees) == TRAINEE_COUNT
    assert list(content.courses.stages) == STAGE_SLUGS
    for slug, stage in content.courses.stages.items():
        keys = [key for block in stage.body for key, _text in getattr(block, "items", ())]
        assert keys == list(CHECKLIST_ITEMS[slug]), slug
    assert len(content.survey.good_answers) == len(content.survey.written)
    assert all(text for text in content.courses.job_description.fields().values())


@pytest.mark.parametrize(("code", "language"), [("ru", "ru"), ("ru-RU", "ru"), ("EN", "en")])
def test_language_codes_name_a_demo_language(code, language):
    assert language_of(code) == language


@pytest.mark.parametrize("code", ["de", "", None])
def test_other_languages_have_no_demo(code):
    with pytest.raises(UnknownLanguage, match="choose one of en, ru"):
        language_of(code)

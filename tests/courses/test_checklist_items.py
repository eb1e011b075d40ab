"""A stage's checklist items, read from the stored JSON, are what the blocks would give."""

import uuid

import pytest

from courses.blocks import Responsible
from courses.models import StagePage
from tests.courses.factories import checklist, make_program, publish

pytestmark = pytest.mark.django_db


def converted(stage):
    return [(i, dict(v)) for i, v in stage._converted_checklist_items(stage.body)]


def test_items_come_with_the_block_defaults_filled_in():
    program = make_program(stages=0, job_description=False)
    block = checklist([("Get CRM access", Responsible.SYSADMIN, False)])
    del block["value"]["items"][0]["value"]["responsible"]  # stored before the field existed
    stage = publish(
        program,
        StagePage(
            title="Stage",
            slug="stage",
            body=[
                {"type": "heading", "id": str(uuid.uuid4()), "value": "Hello"},
                block,
                checklist([("Meet the team", Responsible.MENTOR, True)]),
            ],
        ),
    )
    stage = StagePage.objects.get(pk=stage.pk)
    items = stage.checklist_items()
    assert [item for _id, item in items] == [
        {
            "text": "Get CRM access",
            "responsible": Responsible.TRAINEE,
            "person": "",
            "required": False,
        },
        {
            "text": "Meet the team",
            "responsible": Responsible.MENTOR,
            "person": "",
            "required": True,
        },
    ]
    assert items == converted(stage)


def test_items_stored_in_the_old_list_format_are_converted():
    program = make_program(stages=0, job_description=False)
    stage = publish(program, StagePage(title="Stage", slug="stage", body=[]))
    StagePage.objects.filter(pk=stage.pk).update(
        body=[
            {
                "type": "checklist",
                "id": str(uuid.uuid4()),
                "value": {
                    "title": "Old",
                    "items": [{"text": "Sign", "responsible": "hr", "required": True}],
                },
            }
        ]
    )
    stage = StagePage.objects.get(pk=stage.pk)
    [(item_id, item)] = stage.checklist_items()
    assert item_id
    assert dict(item) == {"text": "Sign", "responsible": "hr", "person": "", "required": True}

"""Responsible people: a checklist item names its party (the system administrator, the head
of department, HR, or one person by login); they tick it from their own start page, "done
by" names who really ticked, and nobody else ticks or undoes it, except HR on their behalf,
recorded as such, who never undoes what the responsible person ticked."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.blocks.struct_block import StructBlockValidationError

from courses import selectors, services
from courses.blocks import ChecklistItemBlock, Responsible
from courses.models import ProgramPage, StagePage
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import checklist, enroll, home_page, publish
from tests.queries import SIGNED_IN

pytestmark = pytest.mark.django_db


def program_with(rows, *, title="Program"):
    program = publish(home_page(), ProgramPage(title=title, slug=f"p-{title.lower()}"))
    publish(program, StagePage(title="Introduction", slug="intro", body=[checklist(rows)]))
    return program


def item_of(stage, text):
    return next(item_id for item_id, item in stage.checklist_items() if item["text"] == text)


@pytest.fixture
def sysadmin():
    return make_user(Role.SYSTEM_ADMINISTRATOR, username="igor", first_name="Igor")


@pytest.fixture
def hr():
    return make_user(Role.HR, first_name="Irina")


@pytest.fixture
def world(sysadmin, hr):
    head = make_user(Role.HEAD_OF_DEPARTMENT, username="viktor", first_name="Viktor")
    program = program_with(
        [
            ("Read the policies", Responsible.TRAINEE, True),
            ("Create the e-mail account", Responsible.SYSADMIN, True),
            ("Give CRM access", Responsible.SYSADMIN, True),
            ("Briefing on clients", Responsible.HEAD_OF_DEPARTMENT, True, "viktor"),
            ("Sign the documents", Responsible.HR, True),
        ]
    )
    enrollment = enroll(program, by=hr)
    stage = StagePage.objects.child_of(program).get()
    return {"program": program, "enrollment": enrollment, "stage": stage, "head": head}


def tick(world, text, user, done=True):
    return services.checklist_tick(
        enrollment=world["enrollment"],
        stage=world["stage"],
        item_id=item_of(world["stage"], text),
        user=user,
        done=done,
    )


def the_tick(world, text):
    return world["enrollment"].checklist_ticks.filter(item_id=item_of(world["stage"], text)).first()


def test_the_system_administrator_ticks_their_items_and_hr_cannot_undo_them(world, sysadmin, hr):
    tick(world, "Create the e-mail account", sysadmin)
    done = the_tick(world, "Create the e-mail account")
    assert (done.ticked_by, done.on_behalf_of) == (sysadmin, "")
    with pytest.raises(PermissionDenied, match="Only the person responsible"):
        tick(world, "Create the e-mail account", hr, done=False)
    assert the_tick(world, "Create the e-mail account") is not None
    tick(world, "Create the e-mail account", sysadmin, done=False)
    assert the_tick(world, "Create the e-mail account") is None


def test_hr_ticks_on_behalf_of_the_party_recorded_and_may_undo_only_that(world, sysadmin, hr):
    tick(world, "Give CRM access", hr)
    done = the_tick(world, "Give CRM access")
    assert (done.ticked_by, done.on_behalf_of) == (hr, Responsible.SYSADMIN)
    tick(world, "Give CRM access", hr, done=False)
    assert the_tick(world, "Give CRM access") is None
    tick(world, "Sign the documents", hr)  # HR's own item: not on anybody's behalf
    assert the_tick(world, "Sign the documents").on_behalf_of == ""
    with pytest.raises(PermissionDenied):  # the trainee's own items are the trainee's
        tick(world, "Read the policies", hr)


def test_nobody_else_ticks_an_item_that_is_not_theirs(world, sysadmin):
    trainee = world["enrollment"].trainee
    other_admin = make_user(Role.SYSTEM_ADMINISTRATOR)
    head_of_another = make_user(Role.HEAD_OF_DEPARTMENT)
    for user, text in [
        (trainee, "Create the e-mail account"),
        (sysadmin, "Read the policies"),
        (sysadmin, "Sign the documents"),
        (sysadmin, "Briefing on clients"),
        (head_of_another, "Briefing on clients"),  # the item names one person: viktor
        (make_user(Role.MENTOR), "Create the e-mail account"),
        (make_user(Role.DIRECTOR), "Create the e-mail account"),
    ]:
        with pytest.raises(PermissionDenied):
            tick(world, text, user)
    tick(world, "Create the e-mail account", other_admin)  # any system administrator
    tick(world, "Briefing on clients", world["head"])
    assert the_tick(world, "Briefing on clients").ticked_by == world["head"]


def test_the_start_page_lists_what_waits_and_ticks_it(client, world, sysadmin):
    tick(world, "Give CRM access", sysadmin)
    client.force_login(sysadmin)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("courses:my_tasks")
    page = response.content.decode()
    assert "Create the e-mail account" in page
    assert "Briefing on clients" not in page  # viktor's
    assert "Read the policies" not in page
    assert "Sign the documents" not in page
    assert world["enrollment"].trainee.first_name in page
    url = reverse(
        "courses:checklist_tick",
        args=[
            world["enrollment"].pk,
            world["stage"].pk,
            item_of(world["stage"], "Give CRM access"),
        ],
    )
    assert page.count(f'action="{url}"') == 1  # done lately, with its Undo
    url = reverse(
        "courses:checklist_tick",
        args=[
            world["enrollment"].pk,
            world["stage"].pk,
            item_of(world["stage"], "Create the e-mail account"),
        ],
    )
    response = client.post(url, {"done": "1", "next": reverse("courses:my_tasks")}, follow=True)
    assert the_tick(world, "Create the e-mail account").ticked_by == sysadmin
    assert "Nothing waits for you" in response.content.decode()
    # The system administrator sees no other page of the trainee's.
    assert client.get(world["stage"].url, {"enrollment": world["enrollment"].pk}).status_code in (
        403,
        404,
    )
    detail = reverse("courses:enrollment_detail", args=[world["enrollment"].pk])
    assert client.get(detail).status_code == 404


def test_done_by_names_who_ticked_and_for_whom(client, world, hr):
    tick(world, "Give CRM access", hr)
    trainee = world["enrollment"].trainee
    client.force_login(trainee)
    page = client.get(world["stage"].url).content.decode()
    assert "done by Irina" in page
    assert "(on behalf of: System administrator)" in page
    assert "System administrator" in page
    assert "Head of department: Viktor" in page  # the named person, by name


def test_the_start_page_in_russian(client, world, sysadmin):
    client.force_login(sysadmin)
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("courses:my_tasks")).content.decode()
    assert "Мои задачи" in page
    assert "Отметить выполненным" in page or "Выполнено" in page


def test_others_may_not_open_the_start_page(client, world):
    for role in (Role.TRAINEE, Role.MENTOR, Role.DIRECTOR):
        client.force_login(make_user(role))
        assert client.get(reverse("courses:my_tasks")).status_code == 403


@pytest.mark.parametrize("trainees", [1, 4])
def test_the_start_page_takes_the_same_queries_for_one_trainee_or_four(
    client, sysadmin, hr, django_assert_num_queries, trainees
):
    program = program_with([("Create the e-mail account", Responsible.SYSADMIN, True)])
    stage = StagePage.objects.child_of(program).get()
    for _ in range(trainees):
        enrollment = enroll(program, by=hr)
        services.checklist_tick(
            enrollment=enrollment,
            stage=stage,
            item_id=item_of(stage, "Create the e-mail account"),
            user=sysadmin,
        )
        services.checklist_tick(
            enrollment=enrollment,
            stage=stage,
            item_id=item_of(stage, "Create the e-mail account"),
            user=sysadmin,
            done=False,
        )
    enroll(program, by=hr)
    client.force_login(sysadmin)
    client.get(reverse("courses:my_tasks"))
    # Signed in; the enrollments, their stage summaries, the open stages, their ticks; the
    # ticks made lately (none left: each was undone).
    with django_assert_num_queries(SIGNED_IN + 5):
        page = client.get(reverse("courses:my_tasks")).content.decode()
    assert page.count('data-testid="task-item"') == trainees + 1


def test_an_item_names_only_an_active_login():
    block = ChecklistItemBlock()
    make_user(Role.SYSTEM_ADMINISTRATOR, username="igor")
    value = block.to_python(
        {
            "text": "Accounts",
            "responsible": Responsible.SYSADMIN,
            "person": " igor ",
            "required": True,
        }
    )
    assert block.clean(value)["person"] == "igor"
    value = block.to_python(
        {
            "text": "Accounts",
            "responsible": Responsible.SYSADMIN,
            "person": "nobody",
            "required": True,
        }
    )
    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(value)
    assert "nobody" in str(raised.value.block_errors["person"])


def test_tasks_selector_skips_trainees_without_waiting_items(world, sysadmin):
    for text in ("Create the e-mail account", "Give CRM access"):
        tick(world, text, sysadmin)
    assert selectors.tasks_waiting_for(sysadmin) == []
    assert [row.items[0].text for row in selectors.tasks_waiting_for(world["head"])] == [
        "Briefing on clients"
    ]

"""Issue #17's walk: the system administrator ticks their item on My tasks, and HR cannot undo
it, neither from the trainee's stage page (no Undo is offered) nor by posting the undo."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import ChecklistTick, StagePage
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import login, screenshot
from tests.browser.test_courses import seed_people_and_program

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TICK_URL = re.compile(r"/enrollments/(\d+)/stages/(\d+)/items/([^/]+)/")


def test_sysadmin_ticks_on_my_tasks_and_hr_cannot_undo_it(live_server, new_page):
    seed_people_and_program()

    admin = new_page()
    login(admin, live_server, "sysadmin", DEMO_PASSWORD)
    expect(admin.get_by_role("heading", name="My tasks")).to_be_visible()
    item = admin.get_by_test_id("task-item").first
    text = item.locator(".task").inner_text()
    action = item.locator("form").get_attribute("action")
    enrollment_pk, stage_pk, item_id = TICK_URL.search(action).groups()
    screenshot(admin, "tasks-sysadmin-before")
    item.get_by_role("button", name=f"Mark “{text}” as done").click()
    admin.wait_for_load_state()
    done = admin.get_by_test_id("recent-tick").filter(has_text=text).first
    expect(done).to_be_visible()
    # Their own tick: they may undo it themselves.
    expect(done.get_by_role("button", name=f"Mark “{text}” as not done")).to_be_visible()
    screenshot(admin, "tasks-sysadmin-after")
    tick = ChecklistTick.objects.get(
        enrollment_id=enrollment_pk, stage_id=stage_pk, item_id=item_id
    )
    assert tick.ticked_by.username == "sysadmin"

    hr = new_page()
    login(hr, live_server, "hr", DEMO_PASSWORD)
    stage = StagePage.objects.get(pk=stage_pk)
    hr.goto(f"{live_server.url}{stage.url}?enrollment={enrollment_pk}")
    row = hr.get_by_test_id("checklist-item").filter(has_text=text).first
    expect(row).to_contain_text("done by")
    expect(row.get_by_role("button")).to_have_count(0)  # no Undo offered
    screenshot(hr, "tasks-hr-stage-no-undo")
    # HR's Done lately on My tasks does not list it as theirs to undo either.
    hr.goto(f"{live_server.url}/tasks/")
    expect(hr.get_by_role("button", name=f"Mark “{text}” as not done")).to_have_count(0)

    # The undo posted anyway (a forged form, with HR's own CSRF token) is refused.
    hr.goto(f"{live_server.url}{stage.url}?enrollment={enrollment_pk}")
    hr.evaluate(
        """([action]) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            for (const [name, value] of [['csrfmiddlewaretoken', token], ['done', '0']]) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [action],
    )
    hr.wait_for_load_state()
    expect(hr.get_by_text("Only the person responsible for this item can undo")).to_be_visible()
    screenshot(hr, "tasks-hr-undo-refused")
    assert ChecklistTick.objects.filter(pk=tick.pk).exists()

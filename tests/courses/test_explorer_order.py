"""The page explorer lists a program's stages in program order, not by last update."""

import pytest
from django.urls import reverse

from courses.models import StagePage
from tests.courses.factories import make_program

pytestmark = pytest.mark.django_db


def test_stages_list_in_program_order_after_an_edit(client, hr):
    program = make_program(stages=3, job_description=False)
    first = StagePage.objects.child_of(program).get(slug="stage-1")
    first.save_revision().publish()  # the most recently updated: "Updated" would list it first
    client.force_login(hr)
    html = client.get(reverse("wagtailadmin_explore", args=[program.pk])).content.decode()
    stages = StagePage.objects.child_of(program).order_by("path")
    positions = [html.index(reverse("wagtailadmin_pages:edit", args=[s.pk])) for s in stages]
    assert positions == sorted(positions)

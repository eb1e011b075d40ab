"""The program's page types in the Wagtail admin: where they may be created, and that they
render for the people allowed to see them."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import JobDescriptionPage, ProgramPage, StagePage
from people.models import HomePage
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, home_page, make_program, stages_of


class ProgramPageTypesTests(WagtailPageTestCase):
    def setUp(self):
        # Wagtail's page assertions log in with the first authentication backend, which is
        # django-axes' (it authenticates nobody); log in with Django's model backend instead.
        self.enterContext(
            mock.patch(
                "wagtail.test.utils.page_tests.AUTH_BACKEND",
                "django.contrib.auth.backends.ModelBackend",
            )
        )
        self.home = home_page()
        self.editor = get_user_model().objects.create_superuser(
            "editor", "editor@example.com", "password"
        )
        self.client.force_login(self.editor)

    def test_where_each_page_type_may_be_created(self):
        self.assertCanCreateAt(HomePage, ProgramPage)
        self.assertCanCreateAt(ProgramPage, StagePage)
        self.assertCanCreateAt(ProgramPage, JobDescriptionPage)
        self.assertCanNotCreateAt(HomePage, StagePage)
        self.assertCanNotCreateAt(StagePage, StagePage)
        self.assertCanNotCreateAt(Page, ProgramPage)

    def test_allowed_parent_and_subpage_types(self):
        self.assertAllowedParentPageTypes(ProgramPage, {HomePage})
        self.assertAllowedParentPageTypes(StagePage, {ProgramPage})
        self.assertAllowedParentPageTypes(JobDescriptionPage, {ProgramPage})
        self.assertAllowedSubpageTypes(ProgramPage, {StagePage, JobDescriptionPage})
        self.assertAllowedSubpageTypes(StagePage, set())
        self.assertAllowedSubpageTypes(JobDescriptionPage, set())

    def test_only_one_job_description_per_program(self):
        program = make_program(stages=1)
        assert not JobDescriptionPage.can_create_at(program)

    def test_editor_creates_a_program_with_a_stage_in_the_admin(self):
        self.assertCanCreate(
            self.home,
            ProgramPage,
            nested_form_data(
                {
                    "title": "Onboarding for sales",
                    "slug": "onboarding-for-sales",
                    "intro": rich_text("<p>Welcome.</p>"),
                    "ramp_up_months": "6",
                    "sales_model": "b2b",
                }
            ),
        )
        program = ProgramPage.objects.get(slug="onboarding-for-sales")
        self.assertCanCreate(
            program,
            StagePage,
            nested_form_data(
                {
                    "title": "Introduction",
                    "slug": "introduction",
                    "summary": "Two days.",
                    "duration_days": "2",
                    "requires_job_description": "on",
                    "body": streamfield(
                        [
                            ("heading", "Welcome"),
                            (
                                "checklist",
                                {
                                    "title": "First days",
                                    "items": streamfield(
                                        [
                                            (
                                                "item",
                                                {
                                                    "text": "Get CRM access",
                                                    "responsible": "sysadmin",
                                                    "required": "on",
                                                },
                                            )
                                        ]
                                    ),
                                },
                            ),
                        ]
                    ),
                }
            ),
        )
        stage = StagePage.objects.get(slug="introduction")
        [(item_id, item)] = stage.checklist_items()
        assert item["text"] == "Get CRM access"
        assert item["responsible"] == "sysadmin"
        assert item_id
        self.assertCanCreate(
            program,
            JobDescriptionPage,
            nested_form_data(
                {
                    "title": "Job description",
                    "slug": "job-description",
                    "general_provisions": rich_text("<p>General.</p>"),
                    "responsibilities": rich_text("<p>Sell.</p>"),
                    "rights": rich_text("<p>Ask.</p>"),
                    "service_connections": rich_text("<p>Accounting.</p>"),
                    "responsibility": rich_text("<p>Data.</p>"),
                    "edit_kind": "substantive",
                }
            ),
        )

    def test_pages_render_for_hr_and_the_enrolled_trainee(self):
        program = make_program(stages=2)
        hr = make_user(Role.HR)
        enrollment = enroll(program)
        stage1, stage2 = stages_of(program)
        job = program.job_description()
        for page in (program, stage1, stage2, job):
            self.assertPageIsRenderable(page, user=hr)
        for page in (program, stage1, stage2, job):
            self.assertPageIsRenderable(page, user=enrollment.trainee)

    def test_pages_are_editable_and_previewable(self):
        from quizzes.models import Quiz

        if getattr(Quiz, "snippet_viewset", None) is None:
            # The stage editor's quiz block chooses a Quiz snippet, registered by the quizzes app.
            pytest.skip("quizzes.Quiz is not registered as a snippet yet (quizzes app)")
        program = make_program(stages=1)
        (stage,) = stages_of(program)
        job = program.job_description()
        self.assertPageIsEditable(program)
        self.assertPageIsEditable(job)
        self.assertPageIsPreviewable(job)
        # A StreamField's form is built by JavaScript, so the stage's data is given here.
        stage_data = nested_form_data(
            {
                "title": stage.title,
                "slug": stage.slug,
                "summary": "Edited.",
                "duration_days": "3",
                "body": streamfield([("heading", "Welcome")]),
            }
        )
        self.assertPageIsEditable(stage, post_data=stage_data)
        self.assertPageIsPreviewable(stage, post_data=stage_data)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Training program")

    def ready(self):
        # Imported here: the views import the models, which are loaded only now.
        from wagtail.signals import page_published

        from . import models, page_views, receivers

        page_published.connect(
            receivers.job_description_published,
            sender=models.JobDescriptionPage,
            dispatch_uid="courses.job_description_published",
        )

        models.PAGE_VIEWS.update(
            {
                models.ProgramPage: page_views.serve_program,
                models.StagePage: page_views.serve_stage,
                models.JobDescriptionPage: page_views.serve_job_description,
            }
        )

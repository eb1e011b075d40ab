from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Training program")

    def ready(self):
        # Imported here: the views import the models, which are loaded only now.
        from . import models, page_views

        models.PAGE_VIEWS.update(
            {
                models.ProgramPage: page_views.serve_program,
                models.StagePage: page_views.serve_stage,
                models.JobDescriptionPage: page_views.serve_job_description,
            }
        )

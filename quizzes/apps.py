from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self):
        # Imported here: these modules import models, which are not loaded when the app
        # registry imports this module.
        from django.db.models.signals import post_delete

        from courses import requirements

        from . import recordings
        from .models import Recording
        from .requirements import quiz_requirements

        requirements.register(quiz_requirements)
        post_delete.connect(
            recordings.remove_file_on_delete,
            sender=Recording,
            dispatch_uid="quizzes.recording_file_delete",
        )

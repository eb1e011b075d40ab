from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes")

    def ready(self):
        # Imported here: these modules import models, which are not loaded when the app
        # registry imports this module.
        from courses import requirements

        from .requirements import quiz_requirements

        requirements.register(quiz_requirements)

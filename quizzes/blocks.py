from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class QuizBlock(blocks.StructBlock):
    """Places a quiz in a stage; a required quiz must be passed to complete the stage."""

    quiz = SnippetChooserBlock("quizzes.Quiz")
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))

    class Meta:
        icon = "form"
        template = "blocks/quiz.html"

"""StreamField blocks of a stage page (the quiz block names quizzes.Quiz by label)."""

from typing import ClassVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from people.roles import Role


class Responsible:
    TRAINEE = "trainee"
    SYSADMIN = "sysadmin"
    HEAD_OF_DEPARTMENT = "head_of_department"
    MENTOR = "mentor"
    HR = "hr"
    CHOICES: ClassVar[list[tuple[str, str]]] = [
        (TRAINEE, _("Trainee")),
        (SYSADMIN, _("System administrator")),
        (HEAD_OF_DEPARTMENT, _("Head of department")),
        (MENTOR, _("Mentor")),
        (HR, _("HR")),
    ]
    LABELS: ClassVar[dict[str, str]] = dict(CHOICES)
    # The role whose people tick an item of each party (the trainee and the mentor are the
    # enrollment's own; a named person on the item narrows the role to that one person).
    ROLES: ClassVar[dict[str, str]] = {
        SYSADMIN: Role.SYSTEM_ADMINISTRATOR,
        HEAD_OF_DEPARTMENT: Role.HEAD_OF_DEPARTMENT,
        HR: Role.HR,
    }


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        form_classname = "title"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("tip", _("Tip")), ("warning", _("Important"))],
        default="info",
        label=_("Tone"),
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"], label=_("Text"))

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"


class ChecklistItemBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Task"), max_length=300)
    responsible = blocks.ChoiceBlock(
        choices=Responsible.CHOICES, default=Responsible.TRAINEE, label=_("Who is responsible")
    )
    person = blocks.CharBlock(
        required=False,
        default="",
        max_length=150,
        label=_("Named person (login)"),
        help_text=_(
            "Optional. The login of the one person who ticks this item, for example the "
            "system administrator who creates the accounts. Empty: anyone with the role "
            "above. Not used for the trainee's or the mentor's items."
        ),
    )
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))

    class Meta:
        icon = "tick"

    def clean(self, value):
        value = super().clean(value)
        person = (value.get("person") or "").strip()
        value["person"] = person
        if person and not get_user_model().objects.filter(username=person, is_active=True).exists():
            raise StructBlockValidationError(
                block_errors={
                    "person": ValidationError(
                        _("Nobody active has the login “%(login)s”.") % {"login": person}
                    )
                }
            )
        return value


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=200, label=_("Title"))
    items = blocks.ListBlock(ChecklistItemBlock(), min_num=1, label=_("Items"))

    class Meta:
        icon = "list-ul"
        template = "blocks/checklist.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("Caption"))

    class Meta:
        icon = "image"
        template = "blocks/image.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(required=False, max_length=250, label=_("Description"))

    class Meta:
        icon = "doc-full"
        template = "blocks/document.html"


class VideoBlock(blocks.StructBlock):
    embed = EmbedBlock(label=_("Link"), help_text=_("A video or other embeddable page's address"))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("Caption"))

    class Meta:
        icon = "media"
        template = "blocks/embed.html"


class QuizBlock(blocks.StructBlock):
    """Places a quiz in a stage; a required quiz must be passed to complete the stage. The
    quiz is named by label: the quizzes app is a floor above and reads these blocks."""

    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("Quiz"))
    required = blocks.BooleanBlock(required=False, default=True, label=_("Required"))

    class Meta:
        icon = "form"
        template = "blocks/quiz.html"


def stage_body_blocks() -> list[tuple[str, blocks.Block]]:
    return [
        ("heading", HeadingBlock(label=_("Heading"))),
        ("text", blocks.RichTextBlock(label=_("Text"))),
        ("image", CaptionedImageBlock(label=_("Image"))),
        ("document", DocumentBlock(label=_("Document"))),
        ("video", VideoBlock(label=_("Video"))),
        ("callout", CalloutBlock(label=_("Callout"))),
        ("checklist", ChecklistBlock(label=_("Checklist"))),
        ("quiz", QuizBlock(label=_("Quiz"))),
    ]

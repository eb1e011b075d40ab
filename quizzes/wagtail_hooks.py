"""One admin place for quizzes: the quiz (a snippet, also chosen in the stage's quiz block)
lists its questions of every type with add, edit, reorder and preview links; each question
type has its own form (django-polymorphic's child-model pattern), all under "Quizzes"."""

from __future__ import annotations

import django_filters
from django import forms
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet, SnippetViewSetGroup

from .accepted_answers import AcceptedAnswersField
from .admin_views import question_export, question_import
from .models import (
    MultipleChoiceQuestion,
    NumericQuestion,
    OralQuestion,
    Question,
    QuestionCategory,
    Quiz,
    RecordingQuestion,
    ShortAnswerQuestion,
    TrueFalseQuestion,
    WrittenQuestion,
)
from .permissions import may_import_questions
from .selectors import question_tags

QUESTION_TYPES = [
    MultipleChoiceQuestion,
    TrueFalseQuestion,
    NumericQuestion,
    ShortAnswerQuestion,
    WrittenQuestion,
    OralQuestion,
    RecordingQuestion,
]


def _viewset_for(model):
    return model.snippet_viewset


class QuestionsPanel(Panel):
    """The quiz's questions in order, with links to each type's form."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "quizzes/admin/questions_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            quiz = self.instance
            rows = []
            if quiz is not None and quiz.pk:
                for question in Question.objects.filter(quiz=quiz).order_by("order", "pk"):
                    viewset = _viewset_for(type(question))
                    rows.append(
                        {
                            "question": question,
                            "type": type(question)._meta.verbose_name,
                            "edit_url": reverse(viewset.get_url_name("edit"), args=[question.pk]),
                        }
                    )
            context["quiz"] = quiz
            context["rows"] = rows
            context["add_links"] = [
                (
                    model._meta.verbose_name,
                    reverse(_viewset_for(model).get_url_name("add")),
                )
                for model in QUESTION_TYPES
            ]
            return context


class QuizForm(WagtailAdminModelForm):
    """The pool tag is chosen among the tags questions carry (not the images' or the
    documents'), by name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "pool_tag" in self.fields:
            self.fields["pool_tag"].queryset = question_tags()


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes")
    list_display = [
        "title",
        "is_certification",
        "pass_mark",
        "max_attempts",
        Column("n_questions", label=_("Questions")),
    ]
    list_filter = ["is_certification"]
    search_fields = ["title", "description"]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("max_attempts"),
                FieldPanel("is_certification"),
                FieldPanel("mode"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_answers"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("instant_feedback"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            # A plain list of category paths ("Product/Pricing"), quicker than a chooser; the
            # tags are the questions' (QuizForm).
            [
                FieldPanel("pool_category", widget=forms.Select),
                FieldPanel("pool_tag", widget=forms.Select),
                FieldPanel("pool_size"),
            ],
            heading=_("Question pool"),
        ),
        MultiFieldPanel(
            [FieldPanel("grading_due_days"), FieldPanel("grading_overdue_days")],
            heading=_("Grading deadline"),
        ),
        QuestionsPanel(heading=_("Questions")),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=QuizForm).bind_to_model(self.model)

    def get_queryset(self, request):
        return Quiz.objects.annotate(n_questions=Count("questions"))


class QuestionForm(WagtailAdminModelForm):
    """With rubric criteria, a manual question's points are the sum of their max points."""

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit and "criteria" in getattr(self, "formsets", {}):
            total = instance.criteria.aggregate(total=Sum("max_points"))["total"]
            if total:
                Question.objects.filter(pk=instance.pk).update(points=total)
                instance.points = total
        return instance


class QuestionCreateView(CreateView):
    """ "Add question" from a quiz's page arrives with ?quiz=<id>: preset it, and put the new
    question last."""

    def get_initial_form_instance(self):
        # Wagtail's own returns None for models without a locale: start from a fresh one.
        instance = super().get_initial_form_instance() or self.model()
        quiz_id = self.request.GET.get("quiz")
        if quiz_id and quiz_id.isdigit():
            quiz = Quiz.objects.filter(pk=quiz_id).first()
            if quiz is not None:
                instance.quiz = quiz
                last = Question.objects.filter(quiz=quiz).order_by("-order").first()
                instance.order = (last.order + 1) if last else 1
        category_id = self.request.GET.get("category")
        if category_id and category_id.isdigit():
            instance.category = QuestionCategory.objects.filter(pk=category_id).first()
        return instance

    def get_success_url(self):
        if self.object.quiz_id is None:
            return super().get_success_url()
        return reverse(QuizViewSet().get_url_name("edit"), args=[self.object.quiz_id])


COMMON = [
    FieldPanel("quiz"),
    FieldPanel("category", widget=forms.Select),
    FieldPanel("tags"),
    FieldPanel("order"),
    FieldPanel("name"),
    FieldPanel("text"),
    FieldPanel("image"),
    FieldPanel("points"),
]
AFTER = [FieldPanel("explanation"), FieldPanel("grader_notes")]


def _question_panels(*specific):
    return ObjectList([*COMMON, *specific, *AFTER], base_form_class=QuestionForm)


class QuestionFilterSet(WagtailFilterSet):
    """The question lists' filters: quiz, category and the questions' tags."""

    tag = django_filters.ModelMultipleChoiceFilter(
        label=_("Tag"),
        field_name="tagged_items__tag",
        queryset=lambda request: question_tags(),
        distinct=True,
        widget=forms.CheckboxSelectMultiple,
    )


class _QuestionViewSet(SnippetViewSet):
    add_view_class = QuestionCreateView
    list_display = ["text", "quiz", "category", "order", "points"]
    list_filter = ["quiz", "category"]
    search_fields = ["text", "name"]
    ordering = ["quiz__title", "order", "pk"]
    copy_view_enabled = False

    @property
    def filterset_class(self):
        meta = type("Meta", (), {"model": self.model, "fields": self.list_filter})
        return type(f"{self.model.__name__}FilterSet", (QuestionFilterSet,), {"Meta": meta})


class MultipleChoiceViewSet(_QuestionViewSet):
    model = MultipleChoiceQuestion
    icon = "list-ul"
    edit_handler = _question_panels(InlinePanel("choices", label=_("Answers"), min_num=2))


class TrueFalseViewSet(_QuestionViewSet):
    model = TrueFalseQuestion
    icon = "tick"
    edit_handler = _question_panels(
        FieldPanel("correct_answer"), FieldPanel("feedback_true"), FieldPanel("feedback_false")
    )


class NumericViewSet(_QuestionViewSet):
    model = NumericQuestion
    icon = "order"
    edit_handler = _question_panels(
        MultiFieldPanel(
            [FieldPanel("correct_value"), FieldPanel("tolerance"), FieldPanel("unit")],
            heading=_("Correct answer"),
        )
    )


class ShortAnswerQuestionForm(QuestionForm):
    """The accepted answers one per line, not as JSON (quizzes/accepted_answers.py)."""

    accepted_answers = AcceptedAnswersField()


class ShortAnswerViewSet(_QuestionViewSet):
    model = ShortAnswerQuestion
    icon = "pick"
    edit_handler = ObjectList(
        [*COMMON, FieldPanel("accepted_answers"), FieldPanel("case_sensitive"), *AFTER],
        base_form_class=ShortAnswerQuestionForm,
    )


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    list_display = ["path", Column("n_questions", label=_("Questions"))]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("parent"), FieldPanel("description")]
    copy_view_enabled = False

    def get_queryset(self, request):
        return QuestionCategory.objects.select_related("parent__parent").annotate(
            n_questions=Count("questions")
        )


class WrittenViewSet(_QuestionViewSet):
    model = WrittenQuestion
    icon = "edit"
    edit_handler = _question_panels(InlinePanel("criteria", label=_("Rubric criteria")))


class OralViewSet(_QuestionViewSet):
    model = OralQuestion
    icon = "group"
    edit_handler = _question_panels(InlinePanel("criteria", label=_("Rubric criteria")))


class RecordingViewSet(_QuestionViewSet):
    model = RecordingQuestion
    icon = "media"
    edit_handler = _question_panels(
        FieldPanel("max_seconds"),
        FieldPanel("allow_video"),
        FieldPanel("allow_rerecord"),
        InlinePanel("criteria", label=_("Rubric criteria")),
    )


class QuizzesGroup(SnippetViewSetGroup):
    menu_label = _("Quizzes")
    menu_icon = "form"
    menu_order = 250
    items = [
        QuizViewSet,
        MultipleChoiceViewSet,
        TrueFalseViewSet,
        NumericViewSet,
        ShortAnswerViewSet,
        WrittenViewSet,
        OralViewSet,
        RecordingViewSet,
        QuestionCategoryViewSet,
    ]


register_snippet(QuizzesGroup)


@require_POST
def question_move(request, pk, direction):
    """Swap a question with its neighbour in the quiz's order."""
    question = get_object_or_404(Question.objects.non_polymorphic(), pk=pk)
    if not request.user.has_perm("quizzes.change_quiz"):
        raise Http404
    with transaction.atomic():
        siblings = list(
            Question.objects.non_polymorphic()
            .select_for_update()
            .filter(quiz_id=question.quiz_id)
            .order_by("order", "pk")
        )
        index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        for n, q in enumerate(siblings, start=1):
            if q.order != n:
                Question.objects.non_polymorphic().filter(pk=q.pk).update(order=n)
    return redirect(reverse(QuizViewSet().get_url_name("edit"), args=[question.quiz_id]))


@hooks.register("register_admin_urls")
def quiz_admin_urls():
    return [
        path(
            "quizzes/questions/<int:pk>/move/<str:direction>/",
            question_move,
            name="quizzes_question_move",
        ),
        path("quizzes/questions/import/", question_import, name="quizzes_question_import"),
        path("quizzes/questions/export/", question_export, name="quizzes_question_export"),
    ]


class _BankMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import_questions(request.user)


@hooks.register("register_admin_menu_item")
def question_import_menu_item():
    return _BankMenuItem(
        _("Import questions"),
        reverse("quizzes_question_import"),
        icon_name="upload",
        order=251,
        name="question-import",
    )

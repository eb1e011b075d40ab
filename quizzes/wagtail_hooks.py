"""One admin place for quizzes: the quiz (a snippet, also chosen in the stage's quiz block)
lists its questions of every type with add, edit, reorder and preview links; each question
type has its own form (django-polymorphic's child-model pattern), all under "Quizzes"."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet, SnippetViewSetGroup

from .models import (
    MultipleChoiceQuestion,
    NumericQuestion,
    OralQuestion,
    Question,
    Quiz,
    TrueFalseQuestion,
    WrittenQuestion,
)

QUESTION_TYPES = [
    MultipleChoiceQuestion,
    TrueFalseQuestion,
    NumericQuestion,
    WrittenQuestion,
    OralQuestion,
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
                FieldPanel("time_limit_minutes"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [FieldPanel("grading_due_days"), FieldPanel("grading_overdue_days")],
            heading=_("Grading deadline"),
        ),
        QuestionsPanel(heading=_("Questions")),
    ]

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
        instance = super().get_initial_form_instance()
        quiz_id = self.request.GET.get("quiz")
        if quiz_id and quiz_id.isdigit() and instance is not None:
            quiz = Quiz.objects.filter(pk=quiz_id).first()
            if quiz is not None:
                instance.quiz = quiz
                last = Question.objects.filter(quiz=quiz).order_by("-order").first()
                instance.order = (last.order + 1) if last else 1
        return instance

    def get_success_url(self):
        return reverse(QuizViewSet().get_url_name("edit"), args=[self.object.quiz_id])


COMMON = [
    FieldPanel("quiz"),
    FieldPanel("order"),
    FieldPanel("text"),
    FieldPanel("points"),
]
AFTER = [FieldPanel("explanation"), FieldPanel("grader_notes")]


def _question_panels(*specific):
    return ObjectList([*COMMON, *specific, *AFTER], base_form_class=QuestionForm)


class _QuestionViewSet(SnippetViewSet):
    add_view_class = QuestionCreateView
    list_display = ["text", "quiz", "order", "points"]
    list_filter = ["quiz"]
    search_fields = ["text"]
    ordering = ["quiz__title", "order", "pk"]
    copy_view_enabled = False


class MultipleChoiceViewSet(_QuestionViewSet):
    model = MultipleChoiceQuestion
    icon = "list-ul"
    edit_handler = _question_panels(InlinePanel("choices", label=_("Answers"), min_num=2))


class TrueFalseViewSet(_QuestionViewSet):
    model = TrueFalseQuestion
    icon = "tick"
    edit_handler = _question_panels(FieldPanel("correct_answer"))


class NumericViewSet(_QuestionViewSet):
    model = NumericQuestion
    icon = "order"
    edit_handler = _question_panels(
        MultiFieldPanel(
            [FieldPanel("correct_value"), FieldPanel("tolerance"), FieldPanel("unit")],
            heading=_("Correct answer"),
        )
    )


class WrittenViewSet(_QuestionViewSet):
    model = WrittenQuestion
    icon = "edit"
    edit_handler = _question_panels(InlinePanel("criteria", label=_("Rubric criteria")))


class OralViewSet(_QuestionViewSet):
    model = OralQuestion
    icon = "group"
    edit_handler = _question_panels(InlinePanel("criteria", label=_("Rubric criteria")))


class QuizzesGroup(SnippetViewSetGroup):
    menu_label = _("Quizzes")
    menu_icon = "form"
    menu_order = 250
    items = [
        QuizViewSet,
        MultipleChoiceViewSet,
        TrueFalseViewSet,
        NumericViewSet,
        WrittenViewSet,
        OralViewSet,
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
        )
    ]

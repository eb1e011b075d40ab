"""Reads of quizzes, attempts and grading, scoped to who is asking.

Polymorphic questions load in one query for the base table plus one per question type
present; their choices and rubric criteria in one query each, so a page's query count does
not grow with the number of questions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch, Q
from django.db.models.functions import Lower
from django.utils import timezone
from taggit.models import Tag

from courses import coaching
from courses.models import Enrollment, ProgramPage, StageProgress
from courses.selectors import enrollments_visible_to, program_stages
from people.permissions import grades_all_attempts, is_mentor, sees_all_trainees

from .models import (
    Attempt,
    Choice,
    CriterionScore,
    ExtraAttemptGrant,
    GradeChange,
    Question,
    Quiz,
    Recording,
    RecordingComment,
    Response,
    RolePlaySession,
    RubricCriterion,
    SurveyReview,
)


def awaiting_grading_count(*, user) -> int:
    """Attempts awaiting grading that this user may grade (a mentor's active mentees; all
    for HR and directors)."""
    return Attempt.objects.awaiting_grading().for_grader(user).count()


def attempts_visible_to(user):
    """Attempts a user may open: their own (trainees), their active mentees' (mentors), all
    (HR, head of sales, directors)."""

    if not user.is_authenticated:
        return Attempt.objects.none()
    if sees_all_trainees(user):
        return Attempt.objects.all()
    return Attempt.objects.filter(enrollment__in=enrollments_visible_to(user))


# --- A quiz's state for one trainee -------------------------------------------------------


@dataclass
class QuizState:
    """Where a trainee stands with one quiz, computed from their attempts (no queries)."""

    quiz: Quiz
    attempts: list[Attempt]
    extra_grants: int = 0

    @property
    def allowed(self) -> int | None:
        if self.quiz.max_attempts is None:
            return None
        return self.quiz.max_attempts + self.extra_grants

    @property
    def used(self) -> int:
        return sum(1 for a in self.attempts if a.status != Attempt.Status.IN_PROGRESS)

    @property
    def left(self) -> int | None:
        if self.allowed is None:
            return None
        return max(0, self.allowed - self.used)

    @property
    def in_progress(self) -> Attempt | None:
        return next((a for a in self.attempts if a.status == Attempt.Status.IN_PROGRESS), None)

    @property
    def awaiting(self) -> Attempt | None:
        return next((a for a in self.attempts if a.status == Attempt.Status.AWAITING_GRADING), None)

    @property
    def graded(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == Attempt.Status.GRADED]

    @property
    def passed_attempt(self) -> Attempt | None:
        return next((a for a in self.graded if a.passed), None)

    @property
    def passed(self) -> bool:
        return self.passed_attempt is not None

    @property
    def latest(self) -> Attempt | None:
        return max(self.attempts, key=lambda a: a.number, default=None)

    @property
    def best_percent(self) -> Decimal | None:
        values = [a.percent for a in self.graded if a.percent is not None]
        return max(values) if values else None

    @property
    def next_is_last(self) -> bool:
        """The next attempt is the last one allowed, after at least one that did not pass:
        the trainee is told before they try (the method's "one more and last chance")."""
        return not self.passed and self.used >= 1 and self.left == 1

    @property
    def can_start(self) -> bool:
        """A new attempt may begin (the stage's availability is checked separately)."""
        if self.passed or self.in_progress or self.awaiting:
            return False
        return self.left is None or self.left > 0

    @property
    def status(self) -> str:
        """One of: passed, awaiting_grading, in_progress, failed, out_of_attempts, not_started."""
        if self.passed:
            return "passed"
        if self.awaiting:
            return "awaiting_grading"
        if self.in_progress:
            return "in_progress"
        if self.graded:
            return "failed" if self.can_start else "out_of_attempts"
        return "not_started"


def quiz_states(enrollment, quizzes) -> dict[int, QuizState]:
    """{quiz id: QuizState} for one enrollment, in two queries."""
    quizzes = list(quizzes)
    ids = [q.pk for q in quizzes]
    attempts = defaultdict(list)
    for attempt in Attempt.objects.filter(enrollment=enrollment, quiz_id__in=ids).order_by(
        "number"
    ):
        attempts[attempt.quiz_id].append(attempt)
    grants = dict(
        ExtraAttemptGrant.objects.filter(enrollment=enrollment, quiz_id__in=ids)
        .values("quiz_id")
        .annotate(n=Count("pk"))
        .values_list("quiz_id", "n")
    )
    return {
        q.pk: QuizState(quiz=q, attempts=attempts[q.pk], extra_grants=grants.get(q.pk, 0))
        for q in quizzes
    }


def quiz_state(enrollment, quiz) -> QuizState:
    return quiz_states(enrollment, [quiz])[quiz.pk]


def placed_quiz_states(enrollment, quiz_ids) -> dict[int, QuizState]:
    """{quiz id: QuizState} of those of ``quiz_ids`` that exist (ids read from stage bodies),
    in two queries: the quizzes with this enrollment's extra-attempt grants counted, then its
    attempts at them."""
    quizzes = list(
        Quiz.objects.filter(pk__in=list(quiz_ids)).annotate(
            n_extra_grants=Count(
                "extra_attempt_grants", filter=Q(extra_attempt_grants__enrollment=enrollment)
            )
        )
    )
    attempts = defaultdict(list)
    for attempt in Attempt.objects.filter(
        enrollment=enrollment, quiz_id__in=[q.pk for q in quizzes]
    ).order_by("number"):
        attempts[attempt.quiz_id].append(attempt)
    return {
        q.pk: QuizState(quiz=q, attempts=attempts[q.pk], extra_grants=q.n_extra_grants)
        for q in quizzes
    }


# Where remember_quiz_states keeps them: on the enrollment object, which lives as long as the
# request that loaded it.
_REMEMBERED = "_remembered_quiz_states"


def remember_quiz_states(enrollment, states: dict[int, QuizState]) -> None:
    """Keep the states a page computed (the stage's requirements) for its quiz blocks."""
    setattr(enrollment, _REMEMBERED, {**getattr(enrollment, _REMEMBERED, {}), **states})


def page_quiz_state(enrollment, quiz) -> QuizState:
    """``quiz_state``, or the state this enrollment object's page already computed: a stage's
    quiz blocks then cost no query each."""
    state = getattr(enrollment, _REMEMBERED, {}).get(quiz.pk)
    return state if state is not None else quiz_state(enrollment, quiz)


def prime_quiz_blocks(stream, quizzes: dict) -> None:
    """Give a stage body's quiz blocks the quizzes already loaded ({id: Quiz}, the states'
    quizzes), so that rendering the body asks no query for them; a block naming a quiz not
    given is loaded as Wagtail loads it."""
    block = stream.stream_block.child_blocks.get("quiz")
    if block is None:
        return
    for i, raw in enumerate(stream.raw_data):
        if not raw or raw.get("type") != "quiz":
            continue
        value = raw.get("value") or {}
        quiz = quizzes.get(_int_or_none(value.get("quiz")))
        if quiz is None:
            continue
        struct = {
            name: quiz
            if name == "quiz"
            else (child.to_python(value[name]) if name in value else child.get_default())
            for name, child in block.child_blocks.items()
        }
        stream[i] = ("quiz", struct, raw.get("id"))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def quiz_blocks_raw(stage) -> list[tuple[int, bool]]:
    """(quiz id, required) of every quiz block the stage requires (its original's body, for a
    stage shown in a translation's words), without loading the quizzes."""
    found = []
    for block in stage.requirements_body.raw_data:
        if block.get("type") == "quiz":
            value = block.get("value") or {}
            if value.get("quiz"):
                found.append((int(value["quiz"]), bool(value.get("required", True))))
    return found


def stages_holding(program, quiz) -> list:
    """The program's live stages that place this quiz."""

    return [
        stage
        for stage in program_stages(program)
        if any(qid == quiz.pk for qid, _req in quiz_blocks_raw(stage))
    ]


# --- Trainee pages ------------------------------------------------------------------------


@dataclass
class MyQuiz:
    state: QuizState
    stage: object
    required: bool
    stage_open: bool


def my_quizzes(enrollment) -> list[MyQuiz]:
    """Every quiz placed in the trainee's program, in stage order, with their standing."""

    stages = program_stages(enrollment.program)
    placements = []
    for stage in stages:
        for quiz_id, required in quiz_blocks_raw(stage):
            placements.append((stage, quiz_id, required))
    states = placed_quiz_states(enrollment, {qid for _s, qid, _r in placements})
    open_stage_ids = set(
        StageProgress.objects.filter(enrollment=enrollment)
        .exclude(status=StageProgress.Status.LOCKED)
        .values_list("stage_id", flat=True)
    )
    seen = set()
    result = []
    for stage, quiz_id, required in placements:
        if quiz_id not in states or quiz_id in seen:
            continue
        seen.add(quiz_id)
        result.append(
            MyQuiz(
                state=states[quiz_id],
                stage=stage,
                required=required,
                stage_open=stage.pk in open_stage_ids,
            )
        )
    return result


# --- One attempt's questions and responses ------------------------------------------------


@dataclass
class SheetItem:
    response: Response
    question: Question
    choices: list[Choice] = field(default_factory=list)
    criteria: list[RubricCriterion] = field(default_factory=list)
    scores: dict[int, Decimal] = field(default_factory=dict)
    chosen_ids: set[int] = field(default_factory=set)
    changes: list[GradeChange] = field(default_factory=list)
    # A recorded answer (recording questions only), with its pinned comments.
    recording: Recording | None = None

    @property
    def is_manual(self) -> bool:
        return self.question.is_manual

    @property
    def kind(self) -> str:
        return self.question.answer_kind

    @property
    def is_answered(self) -> bool:
        r = self.response
        return bool(
            self.chosen_ids
            or r.answer_bool is not None
            or r.answer_decimal is not None
            or r.answer_text.strip()
            or self.recording is not None
        )

    @property
    def chosen_choices(self) -> list[Choice]:
        return [c for c in self.choices if c.pk in self.chosen_ids]

    @property
    def answer_feedback(self) -> list[str]:
        """The feedback written for the answer the trainee gave (chosen options, True or
        False, the matching short answer)."""
        question, response = self.question, self.response
        if self.kind == "choices":
            return [c.feedback for c in self.chosen_choices if c.feedback]
        if self.kind == "boolean" and response.answer_bool is not None:
            text = question.feedback_true if response.answer_bool else question.feedback_false
            return [text] if text else []
        if self.kind == "short":
            match = question.matching_answer(response.answer_text)
            return [match["feedback"]] if match and match.get("feedback") else []
        return []


def auto_section_score(sheet) -> tuple[Decimal, Decimal] | None:
    """(awarded, maximum) over the automatically graded questions, once they are scored."""
    auto = [item for item in sheet if not item.is_manual]
    if not auto or any(item.response.awarded_points is None for item in auto):
        return None
    awarded = sum((item.response.awarded_points for item in auto), Decimal(0))
    return awarded, sum((item.question.points for item in auto), Decimal(0))


def questions_with_parts(question_ids) -> dict[int, tuple[Question, list, list]]:
    """{id: (specific question, choices, criteria)}: one query per question type present,
    one for choices, one for criteria."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=list(question_ids))}
    choices = defaultdict(list)
    for choice in Choice.objects.filter(question_id__in=questions.keys()).order_by(
        "sort_order", "pk"
    ):
        choices[choice.question_id].append(choice)
    criteria = defaultdict(list)
    for criterion in RubricCriterion.objects.filter(question_id__in=questions.keys()).order_by(
        "sort_order", "pk"
    ):
        criteria[criterion.question_id].append(criterion)
    return {pk: (q, choices[pk], criteria[pk]) for pk, q in questions.items()}


def attempt_sheet(attempt: Attempt, *, with_history: bool = False) -> list[SheetItem]:
    """The attempt's questions in the order the trainee saw them, with answers and scores."""
    responses = list(
        Response.objects.filter(attempt=attempt)
        .select_related("graded_by")
        .prefetch_related(Prefetch("chosen", queryset=Choice.objects.only("pk")))
        .order_by("order", "pk")
    )
    parts = questions_with_parts(r.question_id for r in responses)
    scores = defaultdict(dict)
    for score in CriterionScore.objects.filter(response__attempt=attempt):
        scores[score.response_id][score.criterion_id] = score.points
    changes = defaultdict(list)
    if with_history:
        for change in GradeChange.objects.filter(response__attempt=attempt).select_related(
            "changed_by"
        ):
            changes[change.response_id].append(change)
    recordings = {}
    if any(q.answer_kind == "recording" for q, _c, _k in parts.values()):
        recordings = {r.response_id: r for r in answer_recordings(attempt)}
    items = []
    for response in responses:
        question, choices, criteria = parts[response.question_id]
        if response.choice_order:
            position = {pk: n for n, pk in enumerate(response.choice_order)}
            choices = sorted(choices, key=lambda c: position.get(c.pk, len(position)))
        items.append(
            SheetItem(
                response=response,
                question=question,
                choices=choices,
                criteria=criteria,
                scores=scores[response.pk],
                chosen_ids={c.pk for c in response.chosen.all()},
                changes=changes[response.pk],
                recording=recordings.get(response.pk),
            )
        )
    return items


# --- Recordings --------------------------------------------------------------------------


def _with_comments(recordings):
    return recordings.prefetch_related(
        Prefetch(
            "comments",
            queryset=RecordingComment.objects.select_related("author").order_by("at_seconds", "pk"),
        )
    )


def answer_recordings(attempt) -> list[Recording]:
    """The attempt's recorded answers with their comments (two queries)."""
    return list(
        _with_comments(Recording.objects.filter(attempt=attempt, kind=Recording.Kind.ANSWER))
    )


def recordings_visible_to(user):
    """Recordings a user may hear (quizzes.permissions.may_hear_attempt as a queryset): their
    own attempts', their active mentees' (mentors), all (HR and directors)."""
    if not user.is_authenticated:
        return Recording.objects.none()
    if grades_all_attempts(user):
        return Recording.objects.all()
    own = Q(attempt__enrollment__trainee=user)
    if is_mentor(user):
        return Recording.objects.filter(
            own | coaching.coached_by(user, enrollment_ref="attempt__enrollment_id")
        )
    return Recording.objects.filter(own)


@dataclass
class AttemptRecordings:
    """One attempt's recordings, for the side-by-side comparison of a second attempt."""

    attempt: Attempt
    recordings: list[Recording]


def live_recordings(attempt) -> list[Recording]:
    return list(_with_comments(attempt.recordings.filter(kind=Recording.Kind.LIVE)))


def earlier_attempt_recordings(attempt) -> list[AttemptRecordings]:
    """The same trainee's earlier attempts at the same quiz with their recordings (live and
    answers), oldest first: the second and last attempt is graded beside the first."""
    earlier = list(
        Attempt.objects.filter(
            enrollment_id=attempt.enrollment_id, quiz_id=attempt.quiz_id, number__lt=attempt.number
        )
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .select_related("graded_by")
        .order_by("number")
    )
    by_attempt = defaultdict(list)
    for recording in _with_comments(
        Recording.objects.filter(attempt__in=[a.pk for a in earlier]).order_by("created_at", "pk")
    ):
        by_attempt[recording.attempt_id].append(recording)
    return [AttemptRecordings(a, by_attempt[a.pk]) for a in earlier if by_attempt[a.pk]]


def quiz_preview(quiz: Quiz) -> list[SheetItem]:
    """The quiz's questions as a trainee would see them, for authors (nothing saved)."""
    ids = list(Question.objects.filter(quiz=quiz).non_polymorphic().values_list("pk", flat=True))
    parts = questions_with_parts(ids)
    items = []
    for pk in ids:
        question, choices, criteria = parts[pk]
        items.append(
            SheetItem(
                response=Response(question_id=pk),
                question=question,
                choices=choices,
                criteria=criteria,
            )
        )
    items.sort(key=lambda i: (i.question.order, i.question.pk))
    return items


# --- Grading ------------------------------------------------------------------------------


def grading_queue(user, *, today: date | None = None):
    """Attempts awaiting grading that the user may grade, oldest due first."""
    return (
        Attempt.objects.awaiting_grading()
        .for_grader(user)
        .select_related("quiz", "enrollment__trainee", "leased_to")
        .order_by("grading_due_on", "submitted_at", "pk")
    )


def overdue_grading(*, today: date | None = None):
    today = today or timezone.localdate()
    return (
        Attempt.objects.awaiting_grading()
        .filter(grading_overdue_on__lte=today)
        .select_related("quiz", "enrollment__trainee", "leased_to")
        .prefetch_related(
            Prefetch(
                "enrollment__mentorships",
                queryset=coaching.active_mentorships().select_related("mentor"),
                to_attr="active_mentorships",
            )
        )
        .order_by("grading_overdue_on", "submitted_at", "pk")
    )


def quiz_results(user, quiz):
    """Submitted attempts at a quiz that the user may see, newest first."""
    return (
        attempts_visible_to(user)
        .filter(quiz=quiz)
        .submitted()
        .select_related("enrollment__trainee", "graded_by")
        .order_by("-submitted_at", "-pk")
    )


# --- For the reports of the floors above (rampup) ------------------------------------------


def best_graded_percents(enrollment_ids):
    """Rows of enrollment_id, quiz_id and the best graded percentage ("best")."""
    return (
        Attempt.objects.filter(enrollment_id__in=enrollment_ids, status=Attempt.Status.GRADED)
        .values("enrollment_id", "quiz_id")
        .annotate(best=Max("percent"))
        .order_by()
    )


def passed_quizzes(enrollment_ids):
    """Rows of enrollment_id, quiz_id and when the quiz was first passed ("passed_at"): the
    quizzes and certifications these enrollments have passed (careers' requirements)."""
    return (
        Attempt.objects.filter(
            enrollment_id__in=enrollment_ids, status=Attempt.Status.GRADED, passed=True
        )
        .values("enrollment_id", "quiz_id")
        .annotate(passed_at=Min("graded_at"))
        .order_by()
    )


def overdue_grading_count(*, today: date, enrollment_ids=None) -> int:
    """Submitted attempts still not graded on their overdue day."""
    qs = Attempt.objects.awaiting_grading().filter(grading_overdue_on__lte=today)
    if enrollment_ids is not None:
        qs = qs.filter(enrollment_id__in=enrollment_ids)
    return qs.count()


def attempts_of(enrollment):
    """Every attempt of one enrollment with its quiz, by quiz title and number."""
    return (
        Attempt.objects.filter(enrollment=enrollment)
        .select_related("quiz")
        .order_by("quiz__title", "number")
    )


def grade_changes():
    return GradeChange.objects.all()


def grade_changes_by_id(ids) -> dict[int, GradeChange]:
    """{id: grade change} with the response's attempt and quiz, in one query."""
    return GradeChange.objects.select_related("response__attempt__quiz").in_bulk(ids)


def extra_attempt_grants():
    return ExtraAttemptGrant.objects.all()


def extra_attempt_grants_by_id(ids) -> dict[int, ExtraAttemptGrant]:
    return ExtraAttemptGrant.objects.select_related("quiz").in_bulk(ids)


def extra_attempt_grants_for(enrollment):
    """The extra attempts granted to one enrollment, oldest first, with quiz and granter."""
    return (
        ExtraAttemptGrant.objects.filter(enrollment=enrollment)
        .select_related("quiz", "granted_by")
        .order_by("granted_at", "pk")
    )


# --- For the mentor's workspace (mentors) ---------------------------------------------------


@dataclass
class QuizResult:
    """One quiz of one enrollment: its latest attempt and the best graded percentage."""

    quiz: Quiz
    latest: Attempt
    best_percent: Decimal | None = None
    passed: bool = False


def quiz_results_of(enrollment_ids) -> dict[int, list[QuizResult]]:
    """{enrollment id: [QuizResult by quiz title]}, in one query."""
    results: dict[int, dict[int, QuizResult]] = defaultdict(dict)
    attempts = (
        Attempt.objects.filter(enrollment_id__in=list(enrollment_ids))
        .select_related("quiz")
        .order_by("enrollment_id", "quiz__title", "quiz_id", "number")
    )
    for attempt in attempts:
        per_quiz = results[attempt.enrollment_id]
        result = per_quiz.get(attempt.quiz_id)
        if result is None:
            result = per_quiz[attempt.quiz_id] = QuizResult(quiz=attempt.quiz, latest=attempt)
        result.latest = attempt  # ordered by number: the last one wins
        if attempt.status == Attempt.Status.GRADED and attempt.percent is not None:
            if result.best_percent is None or attempt.percent > result.best_percent:
                result.best_percent = attempt.percent
            result.passed = result.passed or bool(attempt.passed)
    return {pk: list(per_quiz.values()) for pk, per_quiz in results.items()}


# --- Role-plays, rubrics and the director's reviews ------------------------------------------


def upcoming_roleplay(enrollment, quiz) -> RolePlaySession | None:
    """The trainee's scheduled role-play at this quiz, with its grader."""
    return (
        RolePlaySession.objects.filter(
            enrollment=enrollment, quiz=quiz, status=RolePlaySession.Status.SCHEDULED
        )
        .select_related("grader")
        .first()
    )


def quiz_rubric(quiz) -> list[SheetItem]:
    """The quiz's manual questions that have a rubric, with their criteria (and levels): what
    the trainee is shown before a role-play or an oral survey."""
    return [item for item in quiz_preview(quiz) if item.is_manual and item.criteria]


def attempt_reviews(attempt) -> list[SurveyReview]:
    return list(
        SurveyReview.objects.filter(attempt=attempt)
        .select_related("reviewer", "graded_by")
        .order_by("reviewed_at", "pk")
    )


@dataclass
class TraineeStanding:
    enrollment: object
    state: QuizState
    session: RolePlaySession | None


def trainees_for_quiz(user, quiz) -> list[TraineeStanding]:
    """Open enrollments this user may grade whose program holds the quiz and who have not
    passed it, with their standing and scheduled role-play: the results page's "to hold or
    book" list, in a fixed number of queries whatever the number of trainees."""
    if not user.is_authenticated:
        return []
    enrollments = (
        Enrollment.objects.open()
        .filter(program__in=_programs_holding(quiz))
        .exclude(trainee=user)
        .select_related("trainee", "program")
        .order_by("trainee__last_name", "trainee__first_name", "pk")
    )
    if not grades_all_attempts(user):
        if not is_mentor(user):
            return []
        enrollments = enrollments.filter(coaching.coached_by(user))
    enrollments = list(enrollments)
    ids = [e.pk for e in enrollments]
    attempts = defaultdict(list)
    for attempt in Attempt.objects.filter(quiz=quiz, enrollment_id__in=ids).order_by("number"):
        attempts[attempt.enrollment_id].append(attempt)
    grants = dict(
        ExtraAttemptGrant.objects.filter(quiz=quiz, enrollment_id__in=ids)
        .values("enrollment_id")
        .annotate(n=Count("pk"))
        .values_list("enrollment_id", "n")
    )
    sessions = {
        s.enrollment_id: s
        for s in RolePlaySession.objects.filter(
            quiz=quiz, enrollment_id__in=ids, status=RolePlaySession.Status.SCHEDULED
        ).select_related("grader")
    }
    rows = []
    for enrollment in enrollments:
        state = QuizState(
            quiz=quiz, attempts=attempts[enrollment.pk], extra_grants=grants.get(enrollment.pk, 0)
        )
        if not state.passed:
            rows.append(TraineeStanding(enrollment, state, sessions.get(enrollment.pk)))
    return rows


def _programs_holding(quiz) -> list[int]:
    return [program.pk for program in ProgramPage.objects.live() if stages_holding(program, quiz)]


def question_tags():
    """The tags the question bank's questions carry, by name (a quiz's pool chooses one)."""
    return (
        Tag.objects.filter(quizzes_questiontag_items__isnull=False)
        .distinct()
        .order_by(Lower("name"), "pk")
    )


def pool_questions(quiz):
    """The questions a quiz's pool draws from (plain rows, by id), or None without a pool."""
    if not quiz.pool_size or not (quiz.pool_category_id or quiz.pool_tag_id):
        return None
    questions = Question.objects.non_polymorphic()
    if quiz.pool_category_id:
        questions = questions.filter(category_id__in=quiz.pool_category.descendant_ids())
    if quiz.pool_tag_id:
        questions = questions.filter(tagged_items__tag_id=quiz.pool_tag_id)
    return questions.distinct().order_by("pk")


def recorded_attempts_graded_by(user) -> int:
    """How many attempts with a recording ``user`` graded (a mentor's reviews, My mentees)."""
    return Attempt.objects.filter(graded_by=user, recordings__isnull=False).distinct().count()

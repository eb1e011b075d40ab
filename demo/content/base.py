"""The shape of the demo company's texts: one ``DemoContent`` per language (``en.py``,
``ru.py``), read by the builders.

Only words live here. Structure stays in the builders: who is responsible for a checklist item
and whether it is required (by the item's ``key``), stage durations, pass marks, points,
amounts, and every slug and username, so both languages build the same company.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    html: str


@dataclass(frozen=True)
class Callout:
    tone: str  # "info", "tip" or "warning"
    html: str


@dataclass(frozen=True)
class Checklist:
    title: str
    items: tuple[tuple[str, str], ...]  # (key, task); the key names the builder's structure


Block = Heading | Text | Callout | Checklist


@dataclass(frozen=True)
class Stage:
    title: str
    summary: str
    body: tuple[Block, ...]


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    job_title: str = ""


@dataclass(frozen=True)
class PeopleText:
    site_name: str
    home_title: str
    home_intro: str
    staff: dict[str, Person]  # by username
    trainees: tuple[Person, ...]  # trainee1 .. trainee12, in order
    trainee_job_title: str
    # Wagtail's UserProfile.preferred_language for every demo person: "" leaves the choice to
    # the browser (people/languages.py); the Russian demo's people chose Russian.
    preferred_language: str = ""


@dataclass(frozen=True)
class JobDescriptionText:
    title: str
    general_provisions: str
    responsibilities: str
    rights: str
    service_connections: str
    responsibility: str

    def fields(self) -> dict[str, str]:
        return {
            "title": self.title,
            "general_provisions": self.general_provisions,
            "responsibilities": self.responsibilities,
            "rights": self.rights,
            "service_connections": self.service_connections,
            "responsibility": self.responsibility,
        }


@dataclass(frozen=True)
class CoursesText:
    program_title: str
    program_intro: str
    stages: dict[str, Stage]  # by slug
    job_description: JobDescriptionText
    drop_reason: str


@dataclass(frozen=True)
class MentoringText:
    rule_name: str
    base_tier: str
    increased_tier: str
    meeting_note: str
    referral_note: str
    event_note: str
    late_application_note: str
    dropped_reason: str  # why a dropped trainee's mentorship ended
    # The mentor's comments pinned to moments of a reviewed call, and the review's comment
    # (docs/coaching.md).
    call_comments: tuple[str, ...] = ()
    call_review_comment: str = ""


@dataclass(frozen=True)
class ChoiceQuestion:
    text: str
    explanation: str
    choices: tuple[tuple[str, bool], ...]  # (text, correct)


@dataclass(frozen=True)
class TrueFalse:
    text: str
    correct: bool
    explanation: str = ""


@dataclass(frozen=True)
class SurveyText:
    title: str
    description: str
    written: tuple[tuple[str, str], ...]  # (question, what the grader looks for)
    good_answers: tuple[str, ...]  # one per written question
    weak_answers: tuple[str, ...]
    numeric_text: str
    numeric_unit: str
    numeric_explanation: str
    numeric_grader_notes: str
    box_contents: ChoiceQuestion
    audience: ChoiceQuestion
    true_false: tuple[TrueFalse, ...]


@dataclass(frozen=True)
class ProductCheckText:
    """The purely automatic product quiz: it draws from a question bank category holding the
    survey's automatic questions, with instant feedback."""

    title: str
    description: str
    category: str  # the question bank category path


@dataclass(frozen=True)
class CertificationText:
    title: str
    description: str
    task: str
    grader_notes: str
    rubric: tuple[tuple[str, str], ...]  # (criterion, description)
    levels: str  # every criterion's levels, one a line, points first
    place: str  # where the demo's booked role-play takes place


@dataclass(frozen=True)
class FeedbackText:
    survey_weak: str
    survey_good: str
    certification_weak: str
    certification_good: str
    director_agreed: str


@dataclass(frozen=True)
class CareersText:
    offices: tuple[tuple[str, str], ...]  # (name, city): Moscow, St. Petersburg, Ekaterinburg,
    # Nizhny Novgorod, in this order (the builder's bands follow it)
    ladder_name: str
    levels: tuple[tuple[str, str], ...]  # (title, what it means), levels 1 to 4
    requirements: dict[str, tuple[str, str]]  # by key: (what it asks, what to do)
    entry_reason: str
    promotion_reasons: tuple[str, ...]  # to levels 2, 3 and 4
    confirmation_note: str
    diploma_title: str


@dataclass(frozen=True)
class DemoContent:
    language: str
    people: PeopleText
    courses: CoursesText
    mentoring: MentoringText
    survey: SurveyText
    product_check: ProductCheckText
    certification: CertificationText
    feedback: FeedbackText
    careers: CareersText

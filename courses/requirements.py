"""What a stage asks of a trainee before it completes, in words a trainee understands.

Built in: required checklist items, the signed job description (where the stage asks for it)
and, on the last stage, the readiness sign-off. Other apps add their own requirements with
``register`` (the quizzes app adds "pass the required quizzes"). Providers receive all stages
of an enrollment at once, so a page shows every stage's requirements in a fixed number of
queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .blocks import Responsible


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    done: bool
    # The next action in words, when not done ("Finish: get CRM access").
    action: str = ""
    url: str = ""
    # True when the trainee cannot act and waits for someone else (a grader, a sign-off).
    waiting: bool = False


Provider = Callable[["Enrollment", list["StagePage"]], dict[int, list[Requirement]]]  # noqa: F821
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def checklist_requirements(enrollment, stages, ticked: set[tuple[int, str]]):
    result = {}
    for stage in stages:
        reqs = []
        url = stage.url or ""  # resolved once per stage, not per item
        for item_id, item in stage.checklist_items():
            if not item["required"]:
                continue
            done = (stage.pk, item_id) in ticked
            who = item["responsible"]
            if who == Responsible.TRAINEE:
                action = _("Finish: %(task)s") % {"task": item["text"]}
            else:
                action = _("Waiting for %(who)s: %(task)s") % {
                    "who": Responsible.LABELS.get(who, who),
                    "task": item["text"],
                }
            reqs.append(
                Requirement(
                    key=f"checklist:{item_id}",
                    label=item["text"],
                    done=done,
                    action=action,
                    url=url,
                    waiting=who != Responsible.TRAINEE,
                )
            )
        result[stage.pk] = reqs
    return result


def stage_requirements(
    enrollment, stages, *, ticked, signed_current: bool, signed_off: bool, job_url: str = ""
):
    """Every stage's requirements: {stage id: [Requirement, ...]} in stage order."""
    result = checklist_requirements(enrollment, stages, ticked)
    last_stage_id = stages[-1].pk if stages else None
    for stage in stages:
        reqs = result[stage.pk]
        if stage.requires_job_description:
            reqs.insert(
                0,
                Requirement(
                    key="job_description",
                    label=_("Read and sign the job description"),
                    done=signed_current,
                    action=_("Sign the job description"),
                    url=job_url,
                ),
            )
        if stage.pk == last_stage_id:
            reqs.append(
                Requirement(
                    key="sign_off",
                    label=_("Readiness sign-off by your mentor or a director"),
                    done=signed_off,
                    action=_("Waiting for your mentor or a director to sign you off as ready"),
                    waiting=True,
                )
            )
    for provider in _providers:
        for stage_id, extra in provider(enrollment, stages).items():
            result.setdefault(stage_id, []).extend(extra)
    return result

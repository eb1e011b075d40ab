"""The seven effectiveness criteria of the onboarding method, as docs/ramp-up.md defines them.

One definition behind the drill-down, the monthly digest and the ramp API: ``evaluate`` reads
the activity record of any number of enrollments in two queries (the per-day summary, and the
contracts with the calls and meetings at which the decision-maker was reached) and returns
each enrollment's seven ``Criterion``. ``CRITERIA`` below is the one table of names, one-line
explanations, norms and traffic-light thresholds; docs/ramp-up.md repeats it.

A criterion keeps numbers; its texts (name, norm, value, detail) are written when read, in the
language active then, so a digest built once reads right in each director's language.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from courses.models import ProgramPage
from mentors.selectors import activity_days, decision_maker_events
from people.formatting import number, percent

from .figures import MET, Ramp, working_days

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
AT_LEAST, AT_MOST = "at_least", "at_most"
CLIENT_KINDS = ("call", "meeting", "application", "contract")

# The meetings-per-working-day norm of each sales model (the program's ``sales_model``): the
# lower end of the method's range is what must be reached.
MEETINGS_PER_DAY = {
    ProgramPage.SalesModel.B2B: (Decimal(1), Decimal(2)),  # 1-2 a day
    ProgramPage.SalesModel.B2C: (Decimal(20), None),  # about 20 a day
}
CALLS_PER_OUTCOME = Decimal(10)  # the 10:1 funnel: ten calls for a meeting or an application
ALTERNATION_MIN_DAYS = 5  # active working days before alternation is judged
SHIFT_DAYS = 3  # contracts in the first days of a month may belong to the month before
MONTH_DAYS = Decimal("30.44")


@dataclass(frozen=True)
class Definition:
    """One row of the table: what the criterion is and when its light is green or amber.

    Green: the value is at least (``AT_LEAST``) or at most (``AT_MOST``) the norm. Amber: not
    green, but at least norm x ``amber`` (or at most norm x ``amber``). Red: further off.
    Grey (``NONE``): not enough data yet."""

    number: int
    key: str
    name: str
    explanation: str
    direction: str
    amber: Decimal


CRITERIA = (
    Definition(
        1,
        "events",
        _("Events attended"),
        _("Exhibitions and conferences attended, per month since hire."),
        AT_LEAST,
        Decimal("0.8"),
    ),
    Definition(
        2,
        "alternation",
        _("Calls and meetings alternated by day"),
        _(
            "A day of calls, then a day of meetings: the share of active working days whose "
            "main kind differs from the previous active working day's."
        ),
        AT_LEAST,
        Decimal("0.625"),  # norm 80 %: amber from 50 %
    ),
    Definition(
        3,
        "referrals",
        _("Referrals asked for"),
        _("Contacts obtained through clients' recommendations, per month since hire."),
        AT_LEAST,
        Decimal("0.8"),
    ),
    Definition(
        4,
        "meetings_per_day",
        _("Meetings per day"),
        _(
            "Meetings per working day since client work began, against the program's b2b "
            "(1–2) or b2c (about 20) norm."
        ),
        AT_LEAST,
        Decimal("0.8"),
    ),
    Definition(
        5,
        "decision_maker",
        _("Decision-maker reach"),
        _(
            "The share of contracts before which the decision-maker (ЛПР) was reached at a "
            "call or meeting since the previous contract."
        ),
        AT_LEAST,
        Decimal("0.625"),  # norm 80 %: amber from 50 %
    ),
    Definition(
        6,
        "over_plan",
        _("Plan over-fulfilment, no deals shifted"),
        _(
            "Complete months above the plan, not counting a month whose first days took the "
            "contracts the month before lacked."
        ),
        AT_LEAST,
        Decimal(1),  # whole months: one or none; a suspected shift makes green amber
    ),
    Definition(
        7,
        "funnel",
        _("The 10:1 funnel"),
        _("Calls per meeting or application: ten calls should bring one."),
        AT_MOST,
        Decimal("1.25"),
    ),
)
BY_NUMBER = {d.number: d for d in CRITERIA}
# The fixed norms (the others come from the ramp-up plan or the program).
ALTERNATION_NORM = Decimal(80)
DECISION_MAKER_NORM = Decimal(80)
OVER_PLAN_NORM = Decimal(1)


def light(definition: Definition, value: Decimal | None, norm: Decimal) -> str:
    if value is None:
        return NONE
    if definition.direction == AT_LEAST:
        if value >= norm:
            return GREEN
        return AMBER if value >= norm * definition.amber else RED
    if value <= norm:
        return GREEN
    return AMBER if value <= norm * definition.amber else RED


def _plain(value: Decimal) -> Decimal:
    """A norm as people write it: 1, not 1.00; 1.5 stays 1.5."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _q(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Criterion:
    """One criterion of one enrollment: its value, norm and light, and the counts behind it
    (``facts``), from which ``detail`` is written."""

    number: int
    value: Decimal | None
    norm: Decimal
    light: str
    facts: dict = field(default_factory=dict)

    @property
    def definition(self) -> Definition:
        return BY_NUMBER[self.number]

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def name(self) -> str:
        return str(self.definition.name)

    @property
    def explanation(self) -> str:
        return str(self.definition.explanation)

    @property
    def norm_text(self) -> str:
        n = self.number
        if n in (1, 3):
            return gettext("at least %(n)s a month") % {"n": number(self.norm)}
        if n in (2, 5):
            return gettext("at least %(n)s") % {"n": percent(self.norm)}
        if n == 4:
            if self.facts["sales_model"] == ProgramPage.SalesModel.B2C:
                return gettext("b2c: about %(n)s a day") % {"n": number(self.norm)}
            return gettext("b2b: %(low)s–%(high)s a day") % {
                "low": number(self.norm),
                "high": number(self.facts["norm_high"]),
            }
        if n == 6:
            return gettext("at least %(n)s month, no deals shifted") % {"n": number(self.norm)}
        return gettext("at most %(n)s : 1") % {"n": number(self.norm)}

    @property
    def display(self) -> str:
        """The value as the page shows it."""
        if self.value is None:
            return "—"
        if self.number in (2, 5):
            return percent(self.value, 0)
        if self.number == 7:
            return gettext("%(n)s : 1") % {"n": number(self.value, 1)}
        if self.number == 6:
            return number(self.value)
        return number(self.value, 2)

    @property
    def detail(self) -> str:
        f, n = self.facts, self.number
        if n == 1:
            return ngettext(
                "%(n)s exhibition or conference in all",
                "%(n)s exhibitions and conferences in all",
                f["events"],
            ) % {"n": number(f["events"])}
        if n == 2:
            if f["active_days"] < ALTERNATION_MIN_DAYS:
                return gettext("%(n)s active working days: at least %(min)s are needed") % {
                    "n": number(f["active_days"]),
                    "min": number(ALTERNATION_MIN_DAYS),
                }
            return gettext(
                "%(calls)s call days, %(meetings)s meeting days; the kind changed on "
                "%(changes)s of %(pairs)s days"
            ) % {
                "calls": number(f["call_days"]),
                "meetings": number(f["meeting_days"]),
                "changes": number(f["changes"]),
                "pairs": number(f["active_days"] - 1),
            }
        if n == 3:
            return ngettext("%(n)s referral in all", "%(n)s referrals in all", f["referrals"]) % {
                "n": number(f["referrals"])
            }
        if n == 4:
            return gettext("%(m)s meetings over %(n)s working days") % {
                "m": number(f["meetings"]),
                "n": number(f["working_days"]),
            }
        if n == 5:
            return gettext(
                "%(reached)s of %(contracts)s contracts after reaching the decision-maker; "
                "reached at %(contacts)s calls and meetings"
            ) % {
                "reached": number(f["contracts_reached"]),
                "contracts": number(f["contracts"]),
                "contacts": number(f["contacts_reached"]),
            }
        if n == 6:
            values = {
                "over": number(f["over"]),
                "n": number(f["complete"]),
                "months": ", ".join(number(m) for m in f["shifted"]),
            }
            if f["shifted"]:
                return (
                    gettext(
                        "%(over)s of %(n)s complete months above the plan; contracts moved "
                        "into the first days of month %(months)s"
                    )
                    % values
                )
            return gettext("%(over)s of %(n)s complete months above the plan") % values
        if f["outcomes"] == 0 and f["calls"]:
            return gettext("%(calls)s calls, no meeting or application yet") % {
                "calls": number(f["calls"])
            }
        return gettext("%(calls)s calls, %(meetings)s meetings, %(applications)s applications") % {
            "calls": number(f["calls"]),
            "meetings": number(f["meetings"]),
            "applications": number(f["applications"]),
        }

    def as_api(self) -> dict:
        return {
            "number": self.number,
            "key": self.key,
            "name": self.name,
            "explanation": self.explanation,
            "value": None if self.value is None else str(self.value),
            "display": self.display,
            "norm": str(self.norm),
            "norm_text": self.norm_text,
            "light": self.light,
            "detail": self.detail,
        }


# --- the seven, from the activity record ------------------------------------------------


def _main_kind(counts: dict[str, int]) -> str | None:
    """A day's main kind: "meeting" when its meetings weigh at least its calls (a meeting
    weighs ten calls, as in the 10:1 funnel), "call" when calls outweigh them, None for a day
    with neither."""
    calls, meetings = counts.get("call", 0), counts.get("meeting", 0)
    if not calls and not meetings:
        return None
    return "meeting" if meetings * CALLS_PER_OUTCOME >= calls else "call"


def alternation(daily: dict[date, dict[str, int]], workdays: list[date]) -> tuple:
    """(value in %, or None, facts): of the active working days after the first, the share
    whose main kind differs from the previous active working day's. Meetings only: 0 %; a day
    of calls and a day of meetings in turn: 100 %."""
    kinds = [k for k in (_main_kind(daily.get(day, {})) for day in workdays) if k]
    changes = sum(1 for before, after in pairwise(kinds) if before != after)
    facts = {
        "active_days": len(kinds),
        "call_days": kinds.count("call"),
        "meeting_days": kinds.count("meeting"),
        "changes": changes,
    }
    if len(kinds) < ALTERNATION_MIN_DAYS:
        return None, facts
    return _q(Decimal(100 * changes) / (len(kinds) - 1)), facts


def decision_maker_reach(events) -> tuple:
    """(value in %, or None, facts) from (occurred at, kind, reached) in time order: the share
    of contracts with a call or meeting that reached the decision-maker since the contract
    before (or since hire)."""
    contracts = reached_contracts = contacts = 0
    reached_since = False
    for _when, kind, reached in events:
        if kind == "contract":
            contracts += 1
            reached_contracts += reached_since
            reached_since = False
        elif reached:
            contacts += 1
            reached_since = True
    facts = {
        "contracts": contracts,
        "contracts_reached": reached_contracts,
        "contacts_reached": contacts,
    }
    if not contracts:
        return None, facts
    return _q(Decimal(100 * reached_contracts) / contracts), facts


def shifted_months(ramp: Ramp, daily: dict[date, dict[str, int]]) -> list[int]:
    """Months k+1 whose first ``SHIFT_DAYS`` days held at least the contracts that month k,
    complete and not met, lacked to reach its contract target: deals that look moved into the
    next month instead of closed in time."""
    shifted = []
    for before, after in pairwise(ramp.months):
        if not before.complete or before.status == MET:
            continue
        lacking = math.ceil(before.target["contract"] - before.actual["contract"])
        if lacking <= 0:
            continue
        early = sum(
            daily.get(after.start + timedelta(days=d), {}).get("contract", 0)
            for d in range(SHIFT_DAYS)
        )
        if early >= lacking:
            shifted.append(after.index)
    return shifted


def compute(
    *,
    ramp: Ramp,
    sales_model: str,
    daily: dict[date, dict[str, int]],
    events,
    today: date,
    until: date | None = None,
) -> list[Criterion]:
    """The seven criteria of one enrollment from hire to today (or the drop date)."""
    plan = ramp.plan
    start, end = ramp.hire_date, min(today, until) if until else today
    workdays = working_days(start, end) if end >= start else []
    totals: dict[str, int] = defaultdict(int)
    for counts in daily.values():
        for kind, n in counts.items():
            totals[kind] += n
    months = max(Decimal((end - start).days + 1) / MONTH_DAYS, Decimal(1))
    result = []

    def add(number_, value, norm, facts, light_=None):
        definition = BY_NUMBER[number_]
        result.append(
            Criterion(
                number=number_,
                value=value,
                norm=_plain(norm),
                light=light_ or light(definition, value, norm),
                facts=facts,
            )
        )

    # A rate per month is judged once the first month since hire is complete.
    first_month = NONE if not ramp.complete_months else None
    events_value = _q(Decimal(totals["event"]) / months)
    add(1, events_value, plan.events_per_month_norm, {"events": totals["event"]}, first_month)

    value, facts = alternation(daily, workdays)
    add(2, value, ALTERNATION_NORM, facts)

    referrals = _q(Decimal(totals["referral"]) / months)
    add(
        3,
        referrals,
        plan.referrals_per_month_norm,
        {"referrals": totals["referral"]},
        first_month,
    )

    low, high = MEETINGS_PER_DAY.get(sales_model, MEETINGS_PER_DAY[ProgramPage.SalesModel.B2B])
    client_days = [d for d in daily if any(daily[d].get(k) for k in CLIENT_KINDS)]
    first = min(client_days) if client_days else None
    client_workdays = [d for d in workdays if first is not None and d >= first]
    meetings = sum(daily[d].get("meeting", 0) for d in daily if first is not None and d >= first)
    per_day = _q(Decimal(meetings) / len(client_workdays)) if client_workdays else None
    add(
        4,
        per_day,
        low,
        {
            "meetings": meetings,
            "working_days": len(client_workdays),
            "sales_model": sales_model,
            "norm_high": high,
        },
    )

    value, facts = decision_maker_reach(events)
    add(5, value, DECISION_MAKER_NORM, facts)

    shifted = shifted_months(ramp, daily)
    complete = ramp.complete_months
    over = ramp.over_plan_months
    clean = sum(1 for index in over if index not in shifted)
    if not complete:
        over_light = NONE
    elif clean >= OVER_PLAN_NORM:
        over_light = AMBER if shifted else GREEN
    else:
        over_light = RED
    add(
        6,
        Decimal(clean),
        OVER_PLAN_NORM,
        {"over": clean, "all_over": len(over), "complete": len(complete), "shifted": shifted},
        over_light,
    )

    calls, outcomes = totals["call"], totals["meeting"] + totals["application"]
    funnel_facts = {
        "calls": calls,
        "meetings": totals["meeting"],
        "applications": totals["application"],
        "outcomes": outcomes,
    }
    if outcomes:
        add(7, _q(Decimal(calls) / outcomes), CALLS_PER_OUTCOME, funnel_facts)
    else:
        # Ten calls and not one meeting or application: off the funnel, whatever comes next.
        funnel_light = RED if calls >= CALLS_PER_OUTCOME else NONE
        add(7, None, CALLS_PER_OUTCOME, funnel_facts, funnel_light)
    return result


def daily_counts(enrollment_ids) -> dict[int, dict[date, dict[str, int]]]:
    """{enrollment id: {local date: {kind: count}}}, all kinds, from the per-day summary."""
    rows = activity_days(enrollment_ids=enrollment_ids).values_list(
        "enrollment_id", "day", "kind", "count"
    )
    result: dict[int, dict[date, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for enrollment_id, day, kind, n in rows:  # one row per provenance too: summed here
        result[enrollment_id][day][kind] = result[enrollment_id][day].get(kind, 0) + n
    return result


def evaluate(ramps: dict, *, today: date) -> dict[int, list[Criterion]]:
    """{enrollment id: its seven criteria} for ``ramps`` ({enrollment: its Ramp}), in two
    queries whatever the number of enrollments or activities. The drill-down, the digest and
    the ramp API all call this."""
    ids = [e.pk for e in ramps]
    if not ids:
        return {}
    daily = daily_counts(ids)
    events: dict[int, list] = defaultdict(list)
    for enrollment_id, when, kind, reached in decision_maker_events(enrollment_ids=ids):
        events[enrollment_id].append((timezone.localtime(when), kind, reached))
    result = {}
    for enrollment, ramp in ramps.items():
        until = enrollment.dropped_on if enrollment.status == "dropped" else None
        result[enrollment.pk] = compute(
            ramp=ramp,
            sales_model=enrollment.program.sales_model,
            daily=daily.get(enrollment.pk, {}),
            events=events.get(enrollment.pk, []),
            today=today,
            until=until,
        )
    return result


def for_enrollment(enrollment, *, ramp: Ramp, today: date) -> list[Criterion]:
    return evaluate({enrollment: ramp}, today=today)[enrollment.pk]

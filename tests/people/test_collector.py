"""The collector paused around a set-based computation, and as it was afterwards."""

import gc

import pytest

from mentors import services, statement_sql
from people.collector import collector_paused
from tests.mentors.factories import make_mentorship


def test_the_collector_is_paused_inside_and_as_it_was_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not enable it for the outer one
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_inside_enables_it_again():
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_bonus_computation_runs_with_it_paused(monkeypatch):
    seen = []
    upsert = statement_sql.statements_upsert
    monkeypatch.setattr(
        statement_sql,
        "statements_upsert",
        lambda *args, **kwargs: seen.append(gc.isenabled()) or upsert(*args, **kwargs),
    )
    mentorship = make_mentorship()
    assert services.statements_compute(mentorship_ids=[mentorship.pk])
    assert seen == [False]
    assert gc.isenabled()

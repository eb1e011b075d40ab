"""The demo's career ladder: the method's four levels and bands in four cities, people at
every level, one ready and one close, every decision taken by someone else."""

import pytest
from django.db.models import F
from django.utils import timezone

from careers import selectors
from careers.models import LevelChange, PayBand
from demo import company

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_demo_ladder(language):
    company.run(today=timezone.localdate(), language=language)
    rows = {
        s.person.username: s
        for s in selectors.standings(selectors.people_on_ladder(), today=timezone.localdate())
    }
    assert {u: s.level.number for u, s in rows.items()} == {
        "manager1": 1, "manager2": 1, "mentor2": 2, "mentor1": 3, "sales_head": 4,
    }  # fmt: skip
    assert rows["mentor2"].is_ready
    assert rows["mentor1"].is_close
    assert not rows["manager1"].is_ready
    assert all(s.pay_position == "within" for s in rows.values())
    assert PayBand.objects.count() == 16
    moscow_top = PayBand.objects.get(level__number=4, office__name=rows["sales_head"].office.name)
    assert moscow_top.maximum == 120_000
    assert not LevelChange.objects.filter(decided_by=F("person")).exists()
    assert not LevelChange.objects.filter(decided_by__isnull=True).exists()
    # A second run changes nothing.
    before = LevelChange.objects.count()
    company.run(today=timezone.localdate(), language=language)
    assert LevelChange.objects.count() == before

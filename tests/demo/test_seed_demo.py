import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Site

from people.models import HomePage, Profile
from people.roles import Role

pytestmark = pytest.mark.django_db

MODELS = [get_user_model(), Profile, Page, Site]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_is_idempotent_and_complete(capsys):
    call_command("seed_demo")
    first = counts()
    out = capsys.readouterr().out
    assert "trainee1" in out
    assert "director" in out
    assert "demo-pass-2026" in out
    call_command("seed_demo")
    assert counts() == first
    assert "nothing changed" in capsys.readouterr().out

    User = get_user_model()
    # Twelve in onboarding, and two account managers past it, on the career ladder.
    assert (
        User.objects.filter(groups__name=Role.TRAINEE, username__startswith="trainee").count() == 12
    )
    assert User.objects.filter(groups__name=Role.TRAINEE).count() == 14
    assert User.objects.filter(groups__name=Role.MENTOR).count() >= 2
    for role in (Role.DIRECTOR, Role.HR, Role.HEAD_OF_SALES):
        assert User.objects.filter(groups__name=role).count() == 1
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)


def test_trainee_hire_dates_spread_over_eight_months():
    from datetime import date

    call_command("seed_demo", "--quiet")
    hires = list(
        Profile.objects.filter(
            user__groups__name=Role.TRAINEE, user__username__startswith="trainee"
        ).values_list("hire_date", flat=True)
    )
    assert len(hires) == 12
    assert all(isinstance(h, date) for h in hires)
    span = (max(hires) - min(hires)).days
    assert span > 200


def test_seed_is_deterministic():
    from datetime import date
    from random import Random

    from demo.people import trainee_hire_dates

    today = date(2026, 11, 26)
    assert trainee_hire_dates(today, Random(2026)) == trainee_hire_dates(today, Random(2026))

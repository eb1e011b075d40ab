"""The demo company: people, one per role, with hire dates spread over the last eight months.

The words (names, job titles, the home page) come from the context's language
(``demo/content/``); the usernames and the password are the same in every language.

Deterministic: the same seed gives the same people and dates (relative to today).
Idempotent: existing rows are left as they are, so running it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, Site
from wagtail.users.models import UserProfile

from people.models import HomePage, Profile
from people.roles import Role

from .content.base import DemoContent, Person
from .content.languages import for_language

DEMO_PASSWORD = "demo-pass-2026"
DEMO_EMAIL_DOMAIN = "demo.example"

# The same logins in every language; names and job titles come from the content.
STAFF = [
    ("director", Role.DIRECTOR),
    ("hr", Role.HR),
    ("sales_head", Role.HEAD_OF_SALES),
    ("mentor1", Role.MENTOR),
    ("mentor2", Role.MENTOR),
    ("sysadmin", Role.SYSTEM_ADMINISTRATOR),
    ("dept_head", Role.HEAD_OF_DEPARTMENT),
    # Account managers past onboarding, on the career ladder's first level (demo/careers.py).
    ("manager1", Role.TRAINEE),
    ("manager2", Role.TRAINEE),
]
TRAINEE_COUNT = 12


@dataclass
class DemoContext:
    today: date
    rng: random.Random
    language: str = "en"
    users: dict[str, object] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    @property
    def content(self) -> DemoContent:
        return for_language(self.language)

    @property
    def trainees(self):
        return [self.users[f"trainee{i}"] for i in range(1, TRAINEE_COUNT + 1)]

    @property
    def mentors(self):
        return [self.users["mentor1"], self.users["mentor2"]]


def trainee_hire_dates(today: date, rng: random.Random) -> list[date]:
    """Twelve hire dates from about eight months ago to last week, oldest first."""
    days = sorted(rng.sample(range(5, 240), TRAINEE_COUNT), reverse=True)
    days[0] = 238  # someone always has a full six months and more behind them
    days[-1] = min(days[-1], 6)  # and someone started last week (a bonus window still open)
    return [today - timedelta(days=d) for d in days]


def _user(ctx: DemoContext, username, role, person: Person, job_title, hire_date=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        ctx.count("users")
        r = ctx.rng
        phone = f"+7 495 {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
        Profile.objects.create(user=user, job_title=job_title, phone=phone, hire_date=hire_date)
        language = ctx.content.people.preferred_language
        if language:
            UserProfile.objects.update_or_create(
                user=user, defaults={"preferred_language": language}
            )
    else:
        ctx.rng.randint(0, 1)  # keep the random stream identical on re-runs
        ctx.rng.randint(0, 1)
        ctx.rng.randint(0, 1)
    user.groups.add(Group.objects.get(name=role))
    ctx.users[username] = user
    return user


def seed_site(ctx: DemoContext) -> HomePage:
    """Replace Wagtail's placeholder welcome page with the site's own home page."""
    text = ctx.content.people
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title=text.home_title, slug="onboarding", intro=text.home_intro)
        root.add_child(instance=home)
        home.save_revision().publish()
        ctx.count("pages")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=text.site_name,
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.save()
        if old_root.specific_class is Page and old_root.depth == 2 and not old_root.get_children():
            old_root.delete()  # Wagtail's "Welcome to your new Wagtail site!" placeholder
    return home


def seed_people(ctx: DemoContext) -> None:
    text = ctx.content.people
    for username, role in STAFF:
        person = text.staff[username]
        _user(ctx, username, role, person, person.job_title)
    for i, (person, hire) in enumerate(
        zip(text.trainees, trainee_hire_dates(ctx.today, ctx.rng), strict=True), start=1
    ):
        _user(ctx, f"trainee{i}", Role.TRAINEE, person, text.trainee_job_title, hire)


def seed(ctx: DemoContext) -> None:
    seed_site(ctx)
    seed_people(ctx)

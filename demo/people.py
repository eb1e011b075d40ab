"""The demo company: people, one per role, with hire dates spread over the last eight months.

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

from people.models import HomePage, Profile
from people.roles import Role

DEMO_PASSWORD = "demo-pass-2026"
DEMO_EMAIL_DOMAIN = "demo.example"

STAFF = [
    ("director", Role.DIRECTOR, "Olga", "Smirnova", "General director"),
    ("hr", Role.HR, "Irina", "Volkova", "HR specialist"),
    ("sales_head", Role.HEAD_OF_SALES, "Pavel", "Orlov", "Head of sales"),
    ("mentor1", Role.MENTOR, "Sergey", "Kuznetsov", "Senior account manager"),
    ("mentor2", Role.MENTOR, "Elena", "Sokolova", "Senior account manager"),
]
TRAINEES = [
    ("Anna", "Petrova"),
    ("Dmitry", "Ivanov"),
    ("Maria", "Fedorova"),
    ("Alexey", "Morozov"),
    ("Natalia", "Lebedeva"),
    ("Ivan", "Novikov"),
    ("Ekaterina", "Pavlova"),
    ("Mikhail", "Semenov"),
    ("Yulia", "Egorova"),
    ("Andrey", "Kozlov"),
    ("Olga", "Nikitina"),
    ("Roman", "Zakharov"),
]


@dataclass
class DemoContext:
    today: date
    rng: random.Random
    users: dict[str, object] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

    @property
    def trainees(self):
        return [self.users[f"trainee{i}"] for i in range(1, len(TRAINEES) + 1)]

    @property
    def mentors(self):
        return [self.users["mentor1"], self.users["mentor2"]]


def trainee_hire_dates(today: date, rng: random.Random) -> list[date]:
    """Twelve hire dates from about eight months ago to last week, oldest first."""
    days = sorted(rng.sample(range(5, 240), len(TRAINEES)), reverse=True)
    days[0] = 238  # someone always has a full six months and more behind them
    return [today - timedelta(days=d) for d in days]


def _user(ctx: DemoContext, username, role, first, last, job_title, hire_date=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
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
    else:
        ctx.rng.randint(0, 1)  # keep the random stream identical on re-runs
        ctx.rng.randint(0, 1)
        ctx.rng.randint(0, 1)
    user.groups.add(Group.objects.get(name=role))
    ctx.users[username] = user
    return user


def seed_site(ctx: DemoContext) -> HomePage:
    """Replace Wagtail's placeholder welcome page with the site's own home page."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title="Onboarding",
            slug="onboarding",
            intro="<p>Welcome to the company's onboarding program.</p>",
        )
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
            site_name="Onboarding",
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.save()
        if old_root.specific_class is Page and old_root.depth == 2 and not old_root.get_children():
            old_root.delete()  # Wagtail's "Welcome to your new Wagtail site!" placeholder
    return home


def seed_people(ctx: DemoContext) -> None:
    for username, role, first, last, title in STAFF:
        _user(ctx, username, role, first, last, title)
    for i, ((first, last), hire) in enumerate(
        zip(TRAINEES, trainee_hire_dates(ctx.today, ctx.rng), strict=True), start=1
    ):
        _user(ctx, f"trainee{i}", Role.TRAINEE, first, last, "Account manager", hire)


def seed(ctx: DemoContext) -> None:
    seed_site(ctx)
    seed_people(ctx)

"""Roles, and the one place that answers "what may this user see and do".

Each role is a Django group created by a data migration. Views, selectors and the API ask
these predicates and build scoped querysets from them; there are no per-object permission
tables.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRAINEE = "Trainee", _("Trainee")
    MENTOR = "Mentor", _("Mentor")
    HR = "HR", _("HR")
    HEAD_OF_SALES = "Head of sales", _("Head of sales")
    DIRECTOR = "Director", _("Director")


# Highest first: a user in several groups starts on the page of the highest one.
ROLE_PRIORITY = [Role.DIRECTOR, Role.HEAD_OF_SALES, Role.HR, Role.MENTOR, Role.TRAINEE]

# Mentoring: bonus rules, per-program settings, mentorships and activity records.
MENTORS_ADMIN_PERMISSIONS = [
    f"mentors.{action}_{model}"
    for model in ("bonusrule", "mentoringsettings", "mentorship", "activity")
    for action in ("add", "change", "delete", "view")
]

# Model permissions each role holds (app_label.codename). Missing ones (an app not yet
# migrated) are skipped; the sync runs after every migrate.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.TRAINEE: [],
    Role.MENTOR: [],
    Role.HR: [
        "wagtailadmin.access_admin",
        "courses.add_enrollment",
        "courses.change_enrollment",
        "courses.view_enrollment",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.change_crontabschedule",
        "rampup.add_rampplan",
        "rampup.change_rampplan",
        "rampup.view_rampplan",
        # Quizzes and the question bank (one model per question type).
        "quizzes.add_quiz",
        "quizzes.change_quiz",
        "quizzes.delete_quiz",
        "quizzes.view_quiz",
        *(
            f"quizzes.{action}_{model}question"
            for model in ("multiplechoice", "truefalse", "numeric", "written", "oral")
            for action in ("add", "change", "delete", "view")
        ),
        *MENTORS_ADMIN_PERMISSIONS,
    ],
    Role.HEAD_OF_SALES: ["wagtailadmin.access_admin", *MENTORS_ADMIN_PERMISSIONS],
    Role.DIRECTOR: ["wagtailadmin.access_admin", "rampup.view_rampplan", "rampup.change_rampplan"],
}
# Wagtail page permissions on the whole tree: HR authors the onboarding program.
ROLE_PAGE_PERMISSIONS: dict[str, list[str]] = {
    Role.HR: ["add_page", "change_page", "publish_page"],
}
# Collections (images, documents) HR may use in the page editor.
ROLE_COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    Role.HR: [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
}


def user_roles(user) -> frozenset[str]:
    """The user's role names, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_lms_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(name for name in names if name in Role.values)
        user._lms_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def primary_role(user) -> str | None:
    roles = user_roles(user)
    for role in ROLE_PRIORITY:
        if role in roles:
            return role
    return None


def shows_admin_link(user) -> bool:
    """Whether the header links to the Wagtail admin: staff, or a role given admin access.
    Read from the roles (cached per request) rather than ``perms``, which costs two queries
    on every page; the admin itself still checks the permission."""
    if not user.is_authenticated:
        return False
    return user.is_staff or any(
        "wagtailadmin.access_admin" in ROLE_PERMISSIONS.get(role, []) for role in user_roles(user)
    )


def sees_all_trainees(user) -> bool:
    """Directors, HR and the head of sales oversee every trainee (and superusers)."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.DIRECTOR, Role.HR, Role.HEAD_OF_SALES)
    )


def is_trainee(user) -> bool:
    return has_role(user, Role.TRAINEE)


def is_mentor(user) -> bool:
    return has_role(user, Role.MENTOR, Role.HEAD_OF_SALES)


def can_manage_enrollments(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.HR))


def can_approve_bonuses(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.DIRECTOR, Role.HEAD_OF_SALES)
    )


def can_assign_mentors(user) -> bool:
    """HR and the head of sales assign and end mentorships and import activity."""
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.HR, Role.HEAD_OF_SALES)
    )


def is_integration(user) -> bool:
    """A CRM or telephony account: holds mentors.add_activity (via a group such as
    "Integration" or directly) without being one of the people roles."""
    return user.is_authenticated and user.is_active and user.has_perm("mentors.add_activity")


def can_view_dashboard(user) -> bool:
    return sees_all_trainees(user)


START_PAGES = {
    Role.DIRECTOR: "dashboard",
    Role.HEAD_OF_SALES: "mentors:bonuses",
    Role.HR: "courses:enrollments",
    Role.MENTOR: "mentors:mentees",
    Role.TRAINEE: "courses:my_onboarding",
}


def start_url(user) -> str:
    role = primary_role(user)
    if role is None:
        if user.is_superuser:
            return reverse("wagtailadmin_home")
        return reverse("no_role")
    return reverse(START_PAGES[role])


def navigation(user) -> list[tuple[str, str]]:
    """(label, url) pairs for the site's top navigation, in order, for every role held."""
    if not user.is_authenticated:
        return []
    items: list[tuple[str, str]] = []
    roles = user_roles(user)
    if Role.TRAINEE in roles:
        items.append((_("My onboarding"), "courses:my_onboarding"))
        items.append((_("My activity"), "mentors:activity"))
    if Role.TRAINEE in roles:
        items.append((_("My quizzes"), "quizzes:my_quizzes"))
        items.append((_("My ramp-up"), "my_ramp"))
    if roles & {Role.MENTOR, Role.HEAD_OF_SALES}:
        items.append((_("My mentees"), "mentors:mentees"))
    if user.is_superuser or roles & {Role.MENTOR, Role.HEAD_OF_SALES, Role.HR, Role.DIRECTOR}:
        items.append((_("Grading"), "quizzes:grading_queue"))
    if user.is_superuser or roles & {Role.HR, Role.DIRECTOR}:
        items.append((_("Overdue grading"), "quizzes:overdue_grading"))
    if sees_all_trainees(user):
        items.append((_("Ramp-up"), "dashboard"))
    if can_manage_enrollments(user) or roles & {Role.DIRECTOR, Role.HEAD_OF_SALES}:
        items.append((_("Enrollments"), "courses:enrollments"))
    if can_approve_bonuses(user):
        items.append((_("Mentor bonuses"), "mentors:bonuses"))
    if can_assign_mentors(user):
        items.append((_("Mentorships"), "mentors:mentorships"))
        items.append((_("Import activities"), "mentors:import"))
    if sees_all_trainees(user):
        items.append((_("Audit history"), "audit"))
    return _links(items)


def _links(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, url name) pairs → (label, url), each url name once, where it first appears."""
    seen = set()
    result = []
    for label, name in items:
        if name not in seen:
            seen.add(name)
            result.append((label, reverse(name)))
    return result


def sync_role_permissions() -> None:
    """Make sure every role group exists and holds the permissions declared above (additive)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    for role in Role.values:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)

        root = Page.get_first_root_node()
        if root is not None:
            for codename in ROLE_PAGE_PERMISSIONS.get(role, []):
                perm = Permission.objects.filter(
                    content_type__app_label="wagtailcore", codename=codename
                ).first()
                if perm is not None:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root, permission=perm
                    )
        collection = Collection.get_first_root_node()
        if collection is not None:
            for codename in ROLE_COLLECTION_PERMISSIONS.get(role, []):
                perm = Permission.objects.filter(codename=codename).first()
                if perm is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=collection, permission=perm
                    )

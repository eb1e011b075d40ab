"""The roles: which exist, which Django permissions each holds, and who holds which.

Each role is a Django group created by a data migration and kept in step by
``sync_role_permissions`` after every migrate. What a role may see and do is decided by the
predicates of ``people/permissions.py`` (and of each app's ``permissions.py`` above it);
there are no per-object permission tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRAINEE = "Trainee", _("Trainee")
    MENTOR = "Mentor", _("Mentor")
    HR = "HR", _("HR")
    HEAD_OF_SALES = "Head of sales", _("Head of sales")
    DIRECTOR = "Director", _("Director")
    # The people a checklist item can name as responsible besides the trainee, the mentor
    # and HR: they see the items waiting for them on their own start page.
    SYSTEM_ADMINISTRATOR = "System administrator", _("System administrator")
    HEAD_OF_DEPARTMENT = "Head of department", _("Head of department")


# Highest first: a user in several groups starts on the page of the highest one.
ROLE_PRIORITY = [
    Role.DIRECTOR,
    Role.HEAD_OF_SALES,
    Role.HR,
    Role.MENTOR,
    Role.HEAD_OF_DEPARTMENT,
    Role.SYSTEM_ADMINISTRATOR,
    Role.TRAINEE,
]

# Mentoring: bonus rules, per-program settings, mentorships and activity records. No role
# deletes a mentorship: it is the history its bonus statements were computed from (ended,
# never removed; docs/security.md, "History is kept").
MENTORS_ADMIN_PERMISSIONS = [
    f"mentors.{action}_{model}"
    for model in ("bonusrule", "mentoringsettings", "mentorship", "activity")
    for action in ("add", "change", "delete", "view")
    if (action, model) != ("delete", "mentorship")
]
# Permissions no role may hold: records money depends on are ended, never deleted
# (docs/security.md, "History is kept"). The sync takes them away from every role group.
FORBIDDEN_ROLE_PERMISSIONS = ["mentors.delete_mentorship", "mentors.delete_bonusstatement"]

# The career ladder: ladders, levels (with their requirements and bands), offices, profiles.
CAREERS_ADMIN_PERMISSIONS = [
    *(
        f"careers.{action}_{model}"
        for model in ("ladder", "level")
        for action in ("add", "change", "delete", "view")
    ),
    *(f"people.{action}_office" for action in ("add", "change", "delete", "view")),
    "people.change_profile",
    "people.view_profile",
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
        # Employee profiles: the personnel number payroll files carry (people/wagtail_hooks.py).
        "people.view_profile",
        "people.change_profile",
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
            for model in (
                "multiplechoice",
                "truefalse",
                "numeric",
                "shortanswer",
                "written",
                "oral",
            )
            for action in ("add", "change", "delete", "view")
        ),
        *(f"quizzes.{action}_questioncategory" for action in ("add", "change", "delete", "view")),
        *MENTORS_ADMIN_PERMISSIONS,
        *CAREERS_ADMIN_PERMISSIONS,
    ],
    Role.HEAD_OF_SALES: ["wagtailadmin.access_admin", *MENTORS_ADMIN_PERMISSIONS],
    Role.DIRECTOR: ["wagtailadmin.access_admin", "rampup.view_rampplan", "rampup.change_rampplan"],
    Role.SYSTEM_ADMINISTRATOR: [],
    Role.HEAD_OF_DEPARTMENT: [],
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


def sync_role_permissions() -> None:
    """Make sure every role group exists and holds the permissions declared above (additive),
    and none of the forbidden ones."""
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
        for dotted in FORBIDDEN_ROLE_PERMISSIONS:
            app_label, codename = dotted.split(".", 1)
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )

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

"""One bonus per trainee and window, and history kept (docs/bonuses.md, docs/security.md).

- ``Mentorship.bonus_starts_on``: the first day counted toward the mentorship's bonus. Existing
  mentorships get their start date, moved past the windows of the enrollment's earlier
  mentorships (in id order), as ``services.bonus_start`` does for new ones.
- A statement's mentorship is PROTECTed: deleting a mentorship with a statement is refused.
- No role group keeps the permission to delete mentorships or statements.

The trigger that refuses two statements of one enrollment with overlapping windows is
installed after every migrate (``mentors/window_guard.py``), on SQLite and PostgreSQL.
"""

from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models


def _window_end(m, period_days):
    end = m.started_on + timedelta(days=period_days)
    if m.ended_on is not None and m.ended_on < end:
        end = m.ended_on
    return end


def fill_bonus_starts_on(apps, schema_editor):
    Mentorship = apps.get_model("mentors", "Mentorship")
    ends: dict[int, object] = {}  # enrollment id → the latest end of its earlier windows
    for m in Mentorship.objects.select_related("bonus_rule").order_by("enrollment_id", "pk"):
        start = m.started_on
        if m.enrollment_id in ends and ends[m.enrollment_id] > start:
            start = ends[m.enrollment_id]
        m.bonus_starts_on = start
        m.save(update_fields=["bonus_starts_on"])
        if m.bonus_rule_id is not None:
            end = max(_window_end(m, m.bonus_rule.period_days), start)
            if end > start:
                ends[m.enrollment_id] = max(ends.get(m.enrollment_id, end), end)


def drop_delete_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="mentors",
        codename__in=["delete_mentorship", "delete_bonusstatement"],
    )
    for group in Group.objects.filter(
        name__in=["Trainee", "Mentor", "HR", "Head of sales", "Director", "Integration"]
    ):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("mentors", "0004_activity_decision_maker_reached"),
    ]

    operations = [
        migrations.AddField(
            model_name="mentorship",
            name="bonus_starts_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_bonus_starts_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mentorship",
            name="bonus_starts_on",
            field=models.DateField(
                blank=True,
                help_text="The first day whose activity counts toward this mentorship's bonus.",
                verbose_name="bonus counted from",
            ),
        ),
        migrations.AddConstraint(
            model_name="mentorship",
            constraint=models.CheckConstraint(
                condition=models.Q(("bonus_starts_on__gte", models.F("started_on"))),
                name="mentorship_bonus_starts_after_start",
            ),
        ),
        migrations.AlterField(
            model_name="bonusstatement",
            name="mentorship",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="statements",
                to="mentors.mentorship",
                verbose_name="mentorship",
            ),
        ),
        migrations.RunPython(drop_delete_permissions, migrations.RunPython.noop),
    ]

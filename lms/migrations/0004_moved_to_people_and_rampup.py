"""The models of this app moved to people (Profile, Notification, HomePage) and rampup
(RampPlan). Their tables stay as they are; this removes them from this app's migration state
and carries over what names them elsewhere in the database:

- their content types (so pages keep their type, and groups keep their permissions),
- the periodic tasks whose module moved.
"""

from django.db import migrations

MOVED_MODELS = {"people": ["homepage", "profile", "notification"], "rampup": ["rampplan"]}
MOVED_TASKS = {
    "lms.tasks.notifications_deliver_pending": "people.tasks.notifications_deliver_pending",
    "lms.tasks.ramp_monthly_digest": "rampup.tasks.ramp_monthly_digest",
}


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED_MODELS.items():
        ContentType.objects.filter(app_label="lms", model__in=models).update(app_label=app_label)
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in MOVED_TASKS.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, models in MOVED_MODELS.items():
        ContentType.objects.filter(app_label=app_label, model__in=models).update(app_label="lms")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in MOVED_TASKS.items():
        PeriodicTask.objects.filter(task=new).update(task=old)


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0003_rampplan"),
        ("people", "0001_initial"),
        ("rampup", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("HomePage"),
                migrations.DeleteModel("Profile"),
                migrations.DeleteModel("Notification"),
                migrations.DeleteModel("RampPlan"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

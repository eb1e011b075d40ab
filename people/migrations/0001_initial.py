"""Profiles, notifications and the site's home page, moved here from the lms app.

Only the migration state moves: the tables keep their names (``db_table``), so an existing
database loses nothing. lms/migrations/0004_moved_to_people_and_rampup removes the models from
the lms app's state and carries over their content types and permissions.
"""

import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('lms', '0003_rampplan'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HomePage',
                    fields=[
                        ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ('intro', wagtail.fields.RichTextField(blank=True, verbose_name='intro')),
                    ],
                    options={
                        'verbose_name': 'home page',
                        'db_table': 'lms_homepage',
                    },
                    bases=('wagtailcore.page',),
                ),
                migrations.CreateModel(
                    name='Profile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('job_title', models.CharField(blank=True, max_length=150, verbose_name='job title')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('hire_date', models.DateField(blank=True, null=True, verbose_name='hire date')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'profile',
                        'verbose_name_plural': 'profiles',
                        'db_table': 'lms_profile',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='body')),
                        ('url', models.CharField(blank=True, max_length=500, verbose_name='link')),
                        ('dedupe_key', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('send_email', models.BooleanField(default=True)),
                        ('email_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'lms_notification',
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='lms_notific_recipie_d1d828_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('recipient', 'dedupe_key'), name='notification_unique_dedupe_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

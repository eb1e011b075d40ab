"""The ramp-up plan, moved here from the lms app; only the state moves, the table keeps its
name (see people/migrations/0001_initial)."""

import django.db.models.deletion
import rampup.models
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('courses', '0001_initial'),
        ('lms', '0003_rampplan'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RampPlan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('target_call', models.PositiveIntegerField(default=300, verbose_name='calls a month (full)')),
                        ('target_meeting', models.PositiveIntegerField(default=30, verbose_name='meetings a month (full)')),
                        ('target_application', models.PositiveIntegerField(default=10, verbose_name='applications a month (full)')),
                        ('target_contract', models.PositiveIntegerField(default=2, verbose_name='contracts a month (full)')),
                        ('percentages', models.JSONField(default=rampup.models.default_percentages, help_text='Share of the full targets expected in months 1, 2, ... e.g. [20, 40, 60, 80, 90, 100]; later months use 100.', verbose_name='monthly percentages')),
                        ('meetings_per_day_norm', models.DecimalField(decimal_places=2, default=Decimal('1.5'), help_text='About 1-2 for b2b sales, about 20 for b2c.', max_digits=5, verbose_name='meetings per working day (norm)')),
                        ('events_per_month_norm', models.DecimalField(decimal_places=2, default=Decimal('1'), max_digits=5, verbose_name='events per month (norm)')),
                        ('referrals_per_month_norm', models.DecimalField(decimal_places=2, default=Decimal('2'), max_digits=5, verbose_name='referrals per month (norm)')),
                        ('meetings_per_contract_norm', models.DecimalField(decimal_places=2, default=Decimal('10'), max_digits=6, verbose_name='meetings per contract (norm)')),
                        ('applications_per_contract_norm', models.DecimalField(decimal_places=2, default=Decimal('10'), help_text='One contract per ten potential clients.', max_digits=6, verbose_name='applications per contract (norm)')),
                        ('program', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='ramp_plan', to='courses.programpage', verbose_name='program')),
                    ],
                    options={
                        'verbose_name': 'ramp-up plan',
                        'db_table': 'lms_rampplan',
                        'verbose_name_plural': 'ramp-up plans',
                        'constraints': [models.CheckConstraint(condition=models.Q(('meetings_per_day_norm__gte', 0), ('events_per_month_norm__gte', 0), ('referrals_per_month_norm__gte', 0), ('meetings_per_contract_norm__gte', 0), ('applications_per_contract_norm__gte', 0)), name='ramp_plan_norms_not_negative')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

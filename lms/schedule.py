"""The default periodic schedule, written to django-celery-beat's tables on migrate.

Entries are created when missing and never overwritten, so HR's changes in the admin
(times, enabling, disabling) survive upgrades. Each app adds its jobs here.
"""

from __future__ import annotations

import json

DEFAULT_SCHEDULE = [
    {
        "name": "Deliver pending notification e-mails",
        "task": "people.tasks.notifications_deliver_pending",
        "crontab": {"minute": "*/10"},
        "description": "Re-sends in-app notifications whose e-mail has not gone out yet.",
    },
    {
        "name": "Monthly ramp-up digest",
        "task": "rampup.tasks.ramp_monthly_digest",
        "crontab": {"minute": "0", "hour": "7", "day_of_month": "1"},
        "description": "On the first of the month: e-mails directors who is behind the curve, "
        "who ramped and the overdue grading, and tells mentors about mentees behind the curve.",
    },
    {
        "name": "Quiz grading reminders and escalation",
        "task": "quizzes.tasks.grading_deadlines_check",
        "crontab": {"minute": "0", "hour": "8"},
        "description": "Reminds graders 2 days before and on the due date; escalates overdue "
        "grading to HR and directors.",
    },
    {
        "name": "Call review reminders and escalation",
        "task": "mentors.tasks.call_review_deadlines_check",
        "crontab": {"minute": "5", "hour": "8"},
        "description": "Reminds reviewers 2 days before and on the due date of a call picked for "
        "review; escalates overdue ones to HR and directors (docs/coaching.md).",
    },
    {
        "name": "End mentorships whose bonus window closed",
        "task": "mentors.tasks.mentorships_end_closed_windows",
        "crontab": {"minute": "5", "hour": "0"},
        "description": "Ends each active mentorship whose bonus window closed (with "
        "MENTORSHIP_ENDS_AT both, the default: of trainees already signed off), on the day "
        "after the window's last day (docs/bonuses.md).",
    },
    {
        "name": "Finalize mentor bonus statements",
        "task": "mentors.tasks.statements_finalize_due",
        "crontab": {"minute": "15", "hour": "0"},
        "description": "Makes statements whose bonus window has ended final; refreshes open ones.",
    },
    {
        "name": "Delete the files of old import jobs",
        "task": "mentors.tasks.import_jobs_purge_files",
        "crontab": {"minute": "40", "hour": "3"},
        "description": "Deletes the uploaded files of activity imports that failed or were "
        "cancelled more than IMPORT_JOB_FILE_RETENTION_DAYS ago (a finished import's file is "
        "deleted at once).",
    },
    {
        "name": "Recompute flagged mentor bonus statements",
        "task": "mentors.tasks.statements_recompute_flagged",
        "crontab": {"minute": "*/5"},
        "description": "Recomputes the statements that late activity, a confirmation or a rule "
        "change flagged, even when the broker was down at the time.",
    },
    {
        "name": "Delete recordings past their retention",
        "task": "quizzes.tasks.recordings_purge",
        "crontab": {"minute": "30", "hour": "3"},
        "description": "Deletes recorded answers and role-plays older than "
        "RECORDING_RETENTION_DAYS (their scores and feedback stay).",
    },
    {
        "name": "Delete call recordings past their retention",
        "task": "mentors.tasks.call_recordings_purge",
        "crontab": {"minute": "40", "hour": "3"},
        "description": "Deletes call recordings older than RECORDING_RETENTION_DAYS (their "
        "scorecards stay).",
    },
    {
        "name": "Pull activity from the connectors",
        "task": "mentors.tasks.connectors_sync_due",
        "crontab": {"minute": "*/5"},
        "description": "Runs each enabled activity connector (Bitrix24, amoCRM, Asterisk, "
        "calendar) whose interval has passed (docs/sources.md).",
    },
    {
        "name": "Create the activity table's next partitions",
        "task": "mentors.tasks.activity_partitions_ahead",
        "crontab": {"minute": "50", "hour": "2"},
        "description": "With ACTIVITY_PARTITIONED on PostgreSQL: creates the monthly partitions "
        "of the activities ACTIVITY_PARTITION_MONTHS_AHEAD months ahead (docs/performance.md).",
    },
]


def ensure_default_schedule() -> None:
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    for entry in DEFAULT_SCHEDULE:
        if PeriodicTask.objects.filter(name=entry["name"]).exists():
            continue
        cron = {
            "minute": "0",
            "hour": "*",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            **entry["crontab"],
        }
        crontab, _ = CrontabSchedule.objects.get_or_create(timezone=settings.TIME_ZONE, **cron)
        PeriodicTask.objects.create(
            name=entry["name"],
            task=entry["task"],
            crontab=crontab,
            kwargs=json.dumps(entry.get("kwargs", {})),
            description=entry.get("description", ""),
        )

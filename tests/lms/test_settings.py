import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x9!k2#mQ7$vL0pZ8@rT5^wY3&nB6*cF1(hJ4)dG7_sA2+eU9=iO0-lK3~qW8%zX",
    "DJANGO_ALLOWED_HOSTS": "onboarding.example.com",
    "DATABASE_URL": "postgres://lms:secret@db.internal:5432/lms",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.internal:587",
    "CACHE_URL": "redis://cache.internal:6379/1",
}


def run_manage(*args, settings_module, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra_env or {})
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("module", ["lms.settings.dev", "lms.settings.test"])
def test_settings_boot(module):
    result = run_manage("check", settings_module=module)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def deploy_check(env):
    return run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        settings_module="lms.settings.production",
        extra_env=env,
    )


def test_production_settings_pass_deploy_checks():
    result = deploy_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_asks_for_a_shared_cache():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}
    result = deploy_check(env)
    assert result.returncode != 0
    assert "lms.W001" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "check_id"),
    [("DATABASE_URL", "lms.W002"), ("CELERY_BROKER_URL", "lms.W003")],
)
def test_the_deploy_check_asks_for_a_database_and_a_broker(missing, check_id):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = deploy_check(env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert check_id in output
    assert missing in output
    others = {"lms.W001", "lms.W002", "lms.W003"} - {check_id}
    assert not any(other in output for other in others)


def test_an_eager_broker_in_production_is_reported_too():
    result = deploy_check({**PRODUCTION_ENV, "CELERY_TASK_ALWAYS_EAGER": "true"})
    assert result.returncode != 0
    assert "lms.W003" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", settings_module="lms.settings.production", extra_env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_environment_drives_database_broker_and_locale():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, "
        "s.TIME_ZONE, s.DEFAULT_CURRENCY, s.LANGUAGE_CODE)"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        DATABASE_URL="postgres://u@h:5432/d",
        CELERY_BROKER_URL="redis://h:6379/1",
        TIME_ZONE="Asia/Yekaterinburg",
        DEFAULT_CURRENCY="EUR",
        LANGUAGE_CODE="ru",
    )
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://h:6379/1",
        "False",
        "Asia/Yekaterinburg",
        "EUR",
        "ru",
    ]


def test_embedded_default_is_sqlite_and_eager():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "lms.settings.dev"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_the_broker_gives_a_dead_workers_message_back_after_the_time_limit_not_an_hour():
    """Redis's visibility timeout follows the task time limit (+ a margin): a running task is
    never handed out twice, and a killed worker's task comes back within minutes
    (tests/security/test_faults_integration.py kills a whole worker to prove it)."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "o = s.CELERY_BROKER_TRANSPORT_OPTIONS; "
        "print(s.CELERY_TASK_TIME_LIMIT, o['visibility_timeout'], "
        "o['unacked_restore_interval'], o['unacked_restore_throttle'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.test", CELERY_BROKER_URL="redis://x:6379/0")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["600", "660", "10", "1"], result.stderr
    env.update(CELERY_TASK_TIME_LIMIT="120", CELERY_VISIBILITY_MARGIN_SECONDS="30")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["120", "150", "10", "1"], result.stderr


def test_a_replica_url_sends_the_reports_there():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REPORTS_DATABASE, s.DATABASES.get('replica', {}).get('HOST'), s.OFFICE_SCOPE)"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.dev", DATABASE_URL="postgres://u@h:5432/d")
    for replica, expected in [
        ("postgres://u@replica-host:5432/d", ["replica", "replica-host", "False"]),
        ("", ["None", "None", "False"]),
    ]:
        env["DATABASE_REPLICA_URL"] = replica
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == expected


def test_the_queues_are_split_only_when_asked_and_the_workers_consume_them_all():
    code = (
        "import django; django.setup(); from lms.celery import app; "
        "from django.conf import settings as s; "
        "r = lambda name: app.amqp.router.route({}, name)['queue'].name; "
        "print(r('mentors.tasks.statements_finalize_due'), "
        "r('people.tasks.notification_deliver_email'), r('rampup.tasks.ramp_monthly_digest'), "
        "','.join(s.TASK_QUEUES))"
    )
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "lms.settings.dev"
    outputs = []
    for split in ("false", "true"):
        env["CELERY_SPLIT_QUEUES"] = split
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        outputs.append(out.stdout.split())
    queues = "celery,imports,bonuses,email"
    assert outputs == [
        ["celery", "celery", "celery", queues],
        ["bonuses", "email", "celery", queues],
    ]
    makefile = (ROOT / "Makefile").read_text()
    assert f"QUEUES ?= {queues}" in makefile
    assert makefile.count("-Q $(QUEUES)") == 2  # `make run`'s worker and `make worker`

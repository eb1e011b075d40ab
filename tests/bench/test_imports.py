"""The import benchmark's plumbing (bench/imports.py): its worker consumes the queues `make run`
starts one with, and publishing to the worker's broker is undone afterwards."""

import os

from celery import current_app
from django.conf import settings

from bench import imports


def test_the_worker_consumes_the_queues_of_make_run():
    assert imports.makefile_queues().split(",") == list(settings.TASK_QUEUES)


def test_publishing_to_the_workers_broker_is_undone(monkeypatch):
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    before = current_app.connection_for_write().as_uri()
    with imports._publishing_to("redis://127.0.0.1:6399/9"):
        connection = current_app.connection_for_write()
        assert (connection.transport_cls, connection.port, connection.virtual_host) == (
            "redis",
            6399,
            "9",
        )
        assert not current_app.conf.task_always_eager
    assert os.environ["CELERY_BROKER_URL"] == "memory://"
    assert current_app.connection_for_write().as_uri() == before

"""Publishing a task from a service, by the task's registered name.

Tasks call services (docs/architecture.md), so a task module imports its app's services and
never the other way round: a service that hands work to the queue names the task instead of
importing it. Each app imports its own tasks module when it starts (``AppConfig.ready``), so
every name is registered before a request or a worker runs a service.
"""

from __future__ import annotations

from celery import Task, current_app


def task(name: str) -> Task:
    """The registered task ``name`` ("app.tasks.function"); a KeyError names a task that does
    not exist, which is a programming error, not a broker outage."""
    return current_app.tasks[name]

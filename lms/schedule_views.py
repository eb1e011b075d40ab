"""Settings > Schedule > a job > Run now: the job is queued at once, as beat would queue it."""

from __future__ import annotations

import json
import logging

from celery import current_app
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_celery_beat.models import PeriodicTask
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

logger = logging.getLogger(__name__)

RUN_PERMISSION = "django_celery_beat.change_periodictask"


class RunNowError(Exception):
    """The job could not be queued; the message says why, in the reader's language."""


def periodic_task_run_now(*, periodic_task: PeriodicTask) -> None:
    """Queue the job with its stored arguments. Eager mode (no broker) runs it in-process."""
    task = current_app.tasks.get(periodic_task.task)
    if task is None:
        raise RunNowError(
            _("No job named “%(task)s” exists: correct the job's task name.")
            % {"task": periodic_task.task}
        )
    try:
        args = json.loads(periodic_task.args or "[]")
        kwargs = json.loads(periodic_task.kwargs or "{}")
    except ValueError as error:
        raise RunNowError(_("The job's arguments are not valid JSON.")) from error
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise RunNowError(_("The job's arguments are not valid JSON."))
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception as error:  # kombu's OperationalError, a refused connection, a timeout...
        logger.warning("Could not queue %s now", periodic_task.task, exc_info=True)
        raise RunNowError(
            _("The job could not be queued: the background queue is unreachable. Try again later.")
        ) from error


class RunNowView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "lms/schedule_run_now.html"
    header_icon = "time"
    page_title = gettext_lazy("Run now")
    index_url_name = "periodic_tasks:index"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm(RUN_PERMISSION):
            raise PermissionDenied
        self.object = get_object_or_404(PeriodicTask, pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.name

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, index_url_name=self.index_url_name)

    def post(self, request, *args, **kwargs):
        try:
            periodic_task_run_now(periodic_task=self.object)
        except RunNowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("“%(name)s” is queued; the background worker runs it now.")
                % {"name": self.object.name},
            )
        return redirect(self.index_url_name)

"""The admin's pages of an activity connector: its status (with "Run now") and re-applying
the identity mappings to the rows of unknown identities (docs/sources.md)."""

from __future__ import annotations

import logging

from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from people.queue import task

from . import permissions, recording_fetch, selectors
from .models import Connector, UnknownIdentity
from .sources.services import identities_reapply

logger = logging.getLogger(__name__)
RUNS_SHOWN = 10


class ManagersOnly:
    def dispatch(self, request, *args, **kwargs):
        permissions.check_manage_connectors(request.user)
        return super().dispatch(request, *args, **kwargs)


class ConnectorStatusView(ManagersOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "mentors/connector_status.html"
    header_icon = "link"
    page_title = gettext_lazy("Connector status")

    def dispatch(self, request, *args, pk, **kwargs):
        self.object = get_object_or_404(Connector, pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("activity_connectors:index"), "label": _("Connectors")},
            {"url": "", "label": self.get_header_title()},
        ]

    def get_context_data(self, **kwargs):
        runs = list(self.object.runs.all()[:RUNS_SHOWN])
        return super().get_context_data(
            connector=self.object,
            last_run=runs[0] if runs else None,
            runs=runs,
            unknown=UnknownIdentity.objects.filter(source_kind=self.object.kind).order_by(
                "-count", "identity"
            )[:50],
            recordings=selectors.recording_fetches_of(self.object),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Run now: queued after commit; without a broker it runs in this request. Or try the
        failed recording downloads again."""
        if request.POST.get("action") == "retry_recordings":
            count = recording_fetch.fetches_retry(connector=self.object)
            messages.success(
                request,
                ngettext(
                    "%(n)s recording download is queued again.",
                    "%(n)s recording downloads are queued again.",
                    count,
                )
                % {"n": count},
            )
            return redirect("mentors_connector_status", pk=self.object.pk)
        try:
            task("mentors.tasks.connector_sync").delay(self.object.pk)
        except Exception:  # kombu's OperationalError, a refused connection, a timeout...
            logger.warning("Could not queue connector %s", self.object.pk, exc_info=True)
            messages.error(
                request,
                _("The run could not be queued: the background queue is unreachable."),
            )
        else:
            messages.success(
                request,
                _("“%(name)s” is queued; its status shows the run when it is done.")
                % {"name": self.object.name},
            )
        return redirect("mentors_connector_status", pk=self.object.pk)


class IdentitiesReapplyView(ManagersOnly, WagtailAdminTemplateMixin, TemplateView):
    """POST: the kept rows of the identities mapped since are imported."""

    template_name = "mentors/identities_reapply.html"
    header_icon = "resubmit"
    page_title = gettext_lazy("Re-apply the identity mappings")

    def get_context_data(self, **kwargs):
        return super().get_context_data(unknown_count=UnknownIdentity.objects.count(), **kwargs)

    def post(self, request, *args, **kwargs):
        result = identities_reapply(now=timezone.now())
        messages.success(
            request,
            _(
                "Mappings re-applied. Created: %(created)s; duplicates: %(duplicates)s; "
                "still invalid: %(invalid)s."
            )
            % {
                "created": result.created,
                "duplicates": result.duplicates,
                "invalid": result.invalid_rows,
            },
        )
        return redirect("unknown_identities:index")

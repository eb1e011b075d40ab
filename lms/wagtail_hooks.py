"""The periodic schedule in the admin (Settings > Schedule), so HR can see and change when
reminders, bonus finalization and digests run."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .schedule_views import RUN_PERMISSION, RunNowView


class PeriodicTaskIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm(RUN_PERMISSION):
            buttons.append(
                MenuItem(
                    _("Run now"),
                    url=reverse("periodic_tasks:run_now", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=15,
                )
            )
        return buttons


class PeriodicTaskViewSet(ModelViewSet):
    model = PeriodicTask
    index_view_class = PeriodicTaskIndexView
    icon = "time"
    menu_label = _("Scheduled jobs")
    list_display = ["name", "task", "crontab", "enabled", "last_run_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "task", "description"]
    form_fields = ["name", "description", "task", "crontab", "enabled", "one_off", "kwargs"]
    copy_view_enabled = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("run/<int:pk>/", RunNowView.as_view(), name="run_now"),
        ]


class CrontabScheduleViewSet(ModelViewSet):
    model = CrontabSchedule
    icon = "date"
    menu_label = _("Times")
    list_display = ["__str__", "timezone"]
    form_fields = ["minute", "hour", "day_of_week", "day_of_month", "month_of_year", "timezone"]
    copy_view_enabled = False


class ScheduleGroup(ModelViewSetGroup):
    menu_label = _("Schedule")
    menu_icon = "time"
    add_to_settings_menu = True
    items = [PeriodicTaskViewSet("periodic_tasks"), CrontabScheduleViewSet("crontabs")]


@hooks.register("register_admin_viewset")
def register_schedule():
    return ScheduleGroup()

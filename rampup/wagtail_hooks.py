"""The ramp-up plans in the admin."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import RampPlan


class RampPlanViewSet(ModelViewSet):
    model = RampPlan
    icon = "table"
    menu_label = _("Ramp-up plans")
    add_to_admin_menu = True
    menu_order = 310
    list_display = [
        "program",
        "target_call",
        "target_meeting",
        "target_application",
        "target_contract",
        "percentages",
    ]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_ramp_plans():
    return RampPlanViewSet("ramp_plans")

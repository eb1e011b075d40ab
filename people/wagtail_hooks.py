"""Admin screen of employee profiles: HR keeps the personnel number (written to payroll
files), the job title, the phone, the hire date and the office (its pay bands: careers/).
Accounts themselves are Wagtail's Users."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Profile
from .page_delete import refuse_protected_bulk_delete, refuse_protected_delete


class ProfileViewSet(ModelViewSet):
    model = Profile
    name = "profiles"
    url_prefix = "people/profiles"
    icon = "user"
    menu_label = _("Employee profiles")
    menu_order = 610
    add_to_admin_menu = True
    form_fields = ["personnel_number", "job_title", "phone", "hire_date", "office"]
    list_display = ["__str__", "personnel_number", "job_title", "office", "hire_date"]
    list_filter = ["office"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "personnel_number"]
    search_backend_name = None  # the ORM's icontains: the fields live on the user

    def get_queryset(self, request):
        return Profile.objects.select_related("user", "office").order_by("user__last_name", "pk")


@hooks.register("register_admin_viewset")
def register_profile_viewset():
    return ProfileViewSet()


# A page that kept records refer to is refused with a message, not a ProtectedError page.
hooks.register("before_delete_page", refuse_protected_delete)
hooks.register("before_bulk_action", refuse_protected_bulk_delete)

"""Admin screens of the career ladder (Careers in the menu): offices, each person's office and
hire date, ladders, and levels with their requirements and pay bands.

Level changes are proposed and decided on the site's career pages, which go through the
services (separation of duties, the evidence snapshot); the admin does not edit them.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic.models import DeleteView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView
from wagtail.snippets.views.snippets import SnippetViewSet

from people.models import Office

from .models import Ladder, Level


class RefuseProtectedDeleteMixin:
    """An office, ladder or level that people's records name is not deleted (PROTECT): the
    admin says so instead of failing."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                gettext_now("%(object)s is in use by people's records and cannot be deleted.")
                % {"object": self.object},
            )
            return HttpResponseRedirect(self.get_success_url())


class ProtectedDeleteView(RefuseProtectedDeleteMixin, DeleteView):
    pass


class ProtectedSnippetDeleteView(RefuseProtectedDeleteMixin, SnippetDeleteView):
    pass


class OfficeViewSet(ModelViewSet):
    model = Office
    delete_view_class = ProtectedDeleteView
    name = "offices"
    url_prefix = "careers/offices"
    icon = "site"
    menu_label = _("Offices")
    form_fields = ["name", "city"]
    list_display = ["name", "city"]
    search_fields = ["name", "city"]
    add_to_admin_menu = False


class LadderViewSet(SnippetViewSet):
    model = Ladder
    delete_view_class = ProtectedSnippetDeleteView
    icon = "list-ol"
    menu_label = _("Career ladders")
    list_display = ["name", "program", "currency"]
    search_fields = ["name"]
    add_to_admin_menu = False


class LevelViewSet(SnippetViewSet):
    model = Level
    delete_view_class = ProtectedSnippetDeleteView
    icon = "order"
    menu_label = _("Career levels")
    list_display = ["title", "ladder", "number", "min_experience_months"]
    list_filter = ["ladder"]
    search_fields = ["title"]
    ordering = ["ladder", "number"]
    add_to_admin_menu = False


class CareersGroup(ViewSetGroup):
    menu_label = _("Careers")
    menu_icon = "pick"
    menu_order = 350
    items = (LadderViewSet, LevelViewSet, OfficeViewSet)  # people's offices: Employee profiles


@hooks.register("register_admin_viewset")
def register_careers_viewsets():
    return CareersGroup()

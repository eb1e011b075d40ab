"""Admin screens of mentoring: bonus rules (with their tiers) and per-program settings.

Mentorships themselves are assigned and ended on the site's Mentorships page, which goes
through the services (cap, replacement, notifications).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import BonusRule, MentoringSettings


class BonusRuleViewSet(SnippetViewSet):
    model = BonusRule
    icon = "tag"
    menu_label = _("Bonus rules")
    list_display = ["name", "currency", "period_days"]
    search_fields = ["name"]
    add_to_admin_menu = False


class MentoringSettingsViewSet(ModelViewSet):
    model = MentoringSettings
    name = "mentee_caps"
    url_prefix = "mentoring/mentee-caps"
    icon = "cog"
    menu_label = _("Mentee caps")
    form_fields = ["program", "mentee_cap"]
    list_display = ["program", "mentee_cap"]
    add_to_admin_menu = False


class MentoringGroup(ViewSetGroup):
    menu_label = _("Mentoring")
    menu_icon = "group"
    menu_order = 300
    items = (BonusRuleViewSet, MentoringSettingsViewSet)


@hooks.register("register_admin_viewset")
def register_mentoring_viewsets():
    return MentoringGroup()


def _recompute_rule(request, instance):
    if isinstance(instance, BonusRule):
        services.statements_schedule_recompute(
            mentorship_ids=list(instance.mentorships.values_list("pk", flat=True))
        )


hooks.register("after_edit_snippet", _recompute_rule)

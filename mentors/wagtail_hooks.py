"""Admin screens of mentoring: bonus rules (with their tiers) and per-program settings.

Mentorships themselves are assigned and ended on the site's Mentorships page, which goes
through the services (cap, replacement, notifications).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from . import permissions
from .forms import BonusRuleAdminForm
from .models import BonusRule, MentoringSettings


class BonusRulePermissionPolicy(ModelPermissionPolicy):
    """Creating and changing a rule: the roles of settings.BONUS_RULE_EDITOR_ROLES only
    (``permissions.may_edit_bonus_rules``), whatever model permissions a group holds; a rule
    is never deleted (its versions and statements keep it); viewing as the model permission
    says, and for the editors."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        if action in ("add", "change"):
            return permissions.may_edit_bonus_rules(user)
        return super().user_has_permission(user, action) or permissions.may_edit_bonus_rules(user)


register_permission_policy(BonusRule, BonusRulePermissionPolicy(BonusRule))


class BonusRuleViewSet(SnippetViewSet):
    model = BonusRule
    icon = "tag"
    menu_label = _("Bonus rules")
    list_display = ["name", "currency", "period_days", "typed_daily_limit"]
    search_fields = ["name"]
    add_to_admin_menu = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("currency"),
            FieldPanel("period_days"),
            InlinePanel("tiers", label=_("Tiers"), min_num=1),
            FieldPanel("counted_provenances"),
            FieldPanel("confirmation_required"),
            FieldPanel("typed_daily_limit"),
            FieldPanel("change_reason"),
        ],
        base_form_class=BonusRuleAdminForm,
    )


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


# A rule's change has its statements recomputed by the form's version record
# (rule_changes.bonus_rule_version_record), in the same transaction.

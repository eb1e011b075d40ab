"""Admin screens of mentoring: bonus rules (with their tiers), per-program settings, and
the activity sources (connectors, identity mappings, unknown identities).

Mentorships themselves are assigned and ended on the site's Mentorships page, which goes
through the services (cap, replacement, notifications).
"""

from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import CreateView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from . import permissions
from .forms import BonusRuleAdminForm, IdentityMappingAdminForm
from .models import BonusRule, Connector, IdentityMapping, MentoringSettings, UnknownIdentity
from .source_views import ConnectorStatusView, IdentitiesReapplyView


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


# --- Activity sources: connectors, identity mappings, unknown identities (docs/sources.md) --


class ConnectorsPermissionPolicy(ModelPermissionPolicy):
    """HR and administrators (``permissions.may_manage_connectors``) do everything with
    connectors and mappings; unknown identities are only listed (the sources add them)."""

    read_only_actions = ("view",)

    def user_has_permission(self, user, action):
        if not permissions.may_manage_connectors(user):
            return False
        return self.model is not UnknownIdentity or action in self.read_only_actions


for _model in (Connector, IdentityMapping, UnknownIdentity):
    register_permission_policy(_model, ConnectorsPermissionPolicy(_model))


class ConnectorIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("Status and run now"),
                url=reverse("mentors_connector_status", args=[instance.pk]),
                icon_name="resubmit",
                priority=5,
            )
        )
        return buttons


class ConnectorViewSet(ModelViewSet):
    model = Connector
    name = "activity_connectors"
    url_prefix = "mentoring/connectors"
    index_view_class = ConnectorIndexView
    icon = "link"
    menu_label = _("Connectors")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = [
        "name",
        "kind",
        "enabled",
        "interval_minutes",
        "counting_rule_text",
        "last_run_at",
    ]
    list_filter = ["kind", "enabled"]
    form_fields = [
        "name",
        "kind",
        "location",
        "secret_env",
        "enabled",
        "interval_minutes",
        "asterisk_utc",
        "outbound_only",
        "answered_only",
        "min_call_seconds",
    ]


class IdentityMappingCreateView(CreateView):
    """ "Map to a person" from an unknown identity arrives with the source and identity."""

    def get_initial(self):
        initial = super().get_initial()
        for name in ("source_kind", "identity"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name][:200]
        return initial


class IdentityMappingViewSet(ModelViewSet):
    model = IdentityMapping
    name = "identity_mappings"
    url_prefix = "mentoring/identities"
    add_view_class = IdentityMappingCreateView
    icon = "user"
    menu_label = _("Identity mappings")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["identity", "source_kind", "person"]
    list_filter = ["source_kind"]
    search_fields = ["identity", "person__email", "person__last_name"]
    edit_handler = ObjectList(
        [FieldPanel("source_kind"), FieldPanel("identity"), FieldPanel("person")],
        base_form_class=IdentityMappingAdminForm,
    )


class UnknownIdentityIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        query = urlencode({"source_kind": instance.source_kind, "identity": instance.identity})
        buttons.append(
            MenuItem(
                _("Map to a person"),
                url=f"{reverse('identity_mappings:add')}?{query}",
                icon_name="user",
                priority=5,
            )
        )
        return buttons


class UnknownIdentityViewSet(ModelViewSet):
    model = UnknownIdentity
    name = "unknown_identities"
    url_prefix = "mentoring/unknown-identities"
    index_view_class = UnknownIdentityIndexView
    icon = "warning"
    menu_label = _("Unknown identities")
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = ["identity", "source_kind", "count", "first_seen", "last_seen", "connector"]
    list_filter = ["source_kind"]
    search_fields = ["identity"]
    form_fields = ["source_kind", "identity"]


class SourcesGroup(ViewSetGroup):
    menu_label = _("Activity sources")
    menu_icon = "link"
    menu_order = 310
    items = (ConnectorViewSet, IdentityMappingViewSet, UnknownIdentityViewSet)


@hooks.register("register_admin_viewset")
def register_sources_viewsets():
    return SourcesGroup()


@hooks.register("register_admin_urls")
def register_sources_urls():
    return [
        path(
            "mentoring/connectors/<int:pk>/status/",
            ConnectorStatusView.as_view(),
            name="mentors_connector_status",
        ),
        path(
            "mentoring/unknown-identities/reapply/",
            IdentitiesReapplyView.as_view(),
            name="mentors_identities_reapply",
        ),
    ]

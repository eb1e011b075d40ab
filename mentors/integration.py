"""The "Integration" group: system accounts of the CRM or telephony that post activities."""

INTEGRATION_GROUP = "Integration"
INTEGRATION_PERMISSIONS = ["add_activity", "view_activity", "view_bonusrule", "view_bonusstatement"]


def ensure_integration_group():
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=INTEGRATION_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="mentors", codename__in=INTEGRATION_PERMISSIONS
    )
    group.permissions.add(*perms)
    return group

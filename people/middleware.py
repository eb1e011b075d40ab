from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware


class SiteCSPMiddleware(CSPMiddleware):
    """The strict policy everywhere, except that the Wagtail admin may run its inline scripts.

    Wagtail 8's page editor and listings still ship a few inline <script> blocks; the admin is
    used only by staff, so it gets 'unsafe-inline' scripts while the trainee-facing site does
    not.
    """

    ADMIN_PREFIX = "/admin/"

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path.startswith(self.ADMIN_PREFIX) and not report_only:
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", []), UNSAFE_INLINE]
            parts.update = update
        return parts

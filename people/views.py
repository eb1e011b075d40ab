from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail import views as wagtail_views
from wagtail.models import Site

from . import languages, selectors, services
from .languages import language_of


@login_required
def no_role(request):
    return render(request, "people/no_role.html")


@login_required
def notifications(request):
    items = list(selectors.notifications_for(user=request.user))
    return render(request, "people/notifications.html", {"notifications": items})


@login_required
@require_POST
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    return redirect("notifications")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        with language_of(self.request.user):
            services.notify(
                recipient=self.request.user,
                title=_("Your password was changed"),
                body=_(
                    "The password of your onboarding account was just changed. If it was not you, "
                    "tell HR at once."
                ),
                url=reverse("notifications"),
            )
        messages.success(self.request, _("Your password was changed."))
        return response


class LoginView(auth_views.LoginView):
    """Django's login; the language the person chose before follows them to this browser."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        code = languages.preferred_language(form.get_user())
        if code:
            languages.remember_in_response(response, code)
        return response


@require_POST
def language_set(request):
    """Switch the language (the form in every page's header); kept on the profile of a
    signed-in person, in the cookie for everyone."""
    code = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    if not languages.supported(code):
        messages.error(request, _("Choose one of the offered languages."))
        return redirect(target)
    if request.user.is_authenticated:
        try:
            services.user_language_set(user=request.user, language=code)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(target)
    response = redirect(target)
    languages.remember_in_response(response, code)
    return response


def serve_page(request, path):
    """Wagtail's page view, routed through the site's own page tree whatever the reader's
    language.

    With ``WAGTAIL_I18N_ENABLED`` Wagtail routes through the root page's translation in the
    active language (``site.root_page.localized``): a query for the locale on every page, and
    a 404 wherever a translated tree lacks a page or spells a slug differently. The program's
    pages are served at their original's address instead, and their views show the reader's
    translation when there is one (courses/translations.py). Wagtail's view then runs as is:
    it takes the route found here from ``request._wagtail_route_for_request``, where its own
    ``Page.route_for_request`` keeps the route it finds."""
    if not hasattr(request, "_wagtail_route_for_request"):
        site = Site.find_for_request(request)
        route = None
        if site is not None:
            try:
                route = site.root_page.specific.route(
                    request, [component for component in path.split("/") if component]
                )
            except Http404:
                route = None
        request._wagtail_route_for_request = route
    return wagtail_views.serve(request, path)

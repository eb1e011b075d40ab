"""Self-service password reset, one flow for everyone: Django's own views and tokens, our pages
in both languages, a throttle per e-mail address and per client IP, and trainees left out when
the company says so (``PASSWORD_RESET_FOR_TRAINEES``). Wagtail's own admin reset is switched off
(``WAGTAIL_PASSWORD_RESET_ENABLED = False``), so this is the only way to reset a password.

Whatever happens (a known address, an unknown one, a throttled one, a trainee's when trainees
may not reset), the form answers with the same "if the address is known, we sent a link" page,
so it never tells anyone which addresses have accounts."""

from __future__ import annotations

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from . import services
from .languages import language_of
from .roles import Role, user_roles

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    """This request's number in the key's hour window (the window starts at the first)."""
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def reset_allowed(*, email: str, ip: str) -> bool:
    """Count one request against the address and the IP; whether both are within their hourly
    limit. Both are counted even when one is over, so neither can be probed through the other."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = _count(f"password-reset:address:{digest}")
    by_ip = _count(f"password-reset:ip:{ip}")
    return (
        by_address <= settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR
        and by_ip <= settings.PASSWORD_RESET_PER_IP_PER_HOUR
    )


def may_reset_password(user) -> bool:
    """Everyone, unless the company turned it off for trainees: then a person whose only role
    is Trainee asks HR (staff who are also enrolled keep it)."""
    if settings.PASSWORD_RESET_FOR_TRAINEES:
        return True
    return user_roles(user) != {Role.TRAINEE}


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        return (user for user in super().get_users(email) if may_reset_password(user))

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # The e-mail goes out in the language of its reader, not of the browser that asked.
        with language_of(context["user"]):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["trainees_ask_hr"] = not settings.PASSWORD_RESET_FOR_TRAINEES
        return context

    def form_valid(self, form):
        ip = get_client_ip_address(self.request) or "unknown"
        if not reset_allowed(email=form.cleaned_data["email"], ip=ip):
            logger.warning("Password reset throttled (address or IP %s over the hourly limit)", ip)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        with language_of(user):
            services.notify(
                recipient=user,
                title=_("Your password was changed"),
                body=_(
                    "The password of your onboarding account was just changed. If it was not you, "
                    "tell HR at once."
                ),
                url=reverse("notifications"),
            )
        return response

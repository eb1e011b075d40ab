from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services


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

from django.shortcuts import redirect

from people import roles


def home(request):
    """Send each person to the start page of their role."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(roles.start_url(request.user))

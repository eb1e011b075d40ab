from django.shortcuts import redirect

from people.navigation import start_url


def home(request):
    """Send each person to the start page of their role."""
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(start_url(request.user))

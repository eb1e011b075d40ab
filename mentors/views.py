from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from lms import roles


@login_required
def mentees(request):
    if not roles.is_mentor(request.user):
        raise PermissionDenied
    return render(request, "mentors/mentees.html")


@login_required
def bonuses(request):
    if not roles.can_approve_bonuses(request.user):
        raise PermissionDenied
    return render(request, "mentors/bonuses.html")

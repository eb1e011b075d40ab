from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from lms import roles


@login_required
def my_onboarding(request):
    if not roles.is_trainee(request.user):
        raise PermissionDenied
    return render(request, "courses/my_onboarding.html")


@login_required
def enrollments(request):
    if not roles.sees_all_trainees(request.user):
        raise PermissionDenied
    return render(request, "courses/enrollments.html")

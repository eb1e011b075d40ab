from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import access


@login_required
def grading_queue(request):
    if not access.may_grade(request.user):
        raise Http404
    return render(request, "quizzes/grading_queue.html", {"attempts": []})

"""A former mentor keeps no access: once A's mentorship has ended, A's mentor gets on every
URL of the site, the API and the admin what a mentor who never coached A gets (the matrix's
column for B's mentor), and sees nothing of A but their own bonus history.

Removing the ``.active()`` filter from who coaches an enrollment (courses/coaching.py, as the
mentors app registers it), from who may grade (quizzes) or from who sees activity (mentors)
fails this test.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from mentors import services as mentor_services

from .matrix import PERSONAS, client_for, outcome, request_rolled_back
from .test_permission_matrix import A_MARKERS, EXPECTED, _probes

# B's mentor reads the program's pages because B, an active mentee, is in the program; a
# former mentor without an active mentee there does not (courses.selectors.program_access).
NO_LONGER = {"program page": "404", "stage page": "404", "job description page": "404"}
# The pages where a former mentor still reads A's name: their own bonus for having mentored
# A (the statement is theirs), and the notifications they were sent while mentoring.
OWN_HISTORY = {"my mentees", "API bonus statements", "notifications"}


def test_a_former_mentor_gets_what_any_other_mentor_gets(world):
    mentor_services.mentorship_end(
        mentorship=world.mentorship_a,
        ended_on=timezone.localdate() - timedelta(days=1),
        reason="Left the company",
        user=world.user("hr"),
    )
    client = client_for(world, "mentor_a")
    column = PERSONAS.index("mentor_b")
    mismatches, leaks = [], []
    for _key, label, method, build in _probes():
        url = build(world)
        want = NO_LONGER.get(label) or EXPECTED[label].split()[column]
        response = request_rolled_back(client, method, url)
        got = outcome(response)
        if got != want:
            mismatches.append(f"{label} ({method} {url}): {got}, want {want}")
        if label not in OWN_HISTORY and not getattr(response, "streaming", False):
            body = response.content.decode("utf-8", "replace")
            shown = [marker for marker in A_MARKERS if marker in body]
            if shown:
                leaks.append(f"{label} ({method} {url}) shows {shown}")
    assert mismatches == []
    assert leaks == []

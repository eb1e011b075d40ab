"""Every URL of the site, the API and the admin, requested as every kind of person.

The URL list comes from the resolver, so a new URL pattern that is not in EXPECTED fails
``test_every_url_pattern_is_in_the_matrix``. Each cell is what that person gets:
200, "login" (a redirect to a login page, or 401 from the API), "302" (another redirect: a
form's success, a start page, a refusal shown as a message), 400, 403, 404, 405, 500.

Columns: anonymous, trainee A, trainee B, A's mentor, B's mentor (another mentor), HR, head of
sales, director, integration (a CRM account with mentors.add_activity and a DRF token).
Every write is made inside a transaction that is rolled back, so each cell sees the same data.
"""

from __future__ import annotations

from .matrix import (
    PERSONAS,
    admin_group,
    all_routes,
    client_for,
    outcome,
    request_rolled_back,
)
from .probes import ADMIN_PROBES, SITE_PROBES
from .world import A_NAME, A_SECRET

#                                anon  tA    tB    mA    mB    hr    hos   dir   integ
EXPECTED: dict[str, str] = {
    # Accounts and the start page
    "home":                      "login 302 302 302 302 302 302 302 302",
    "login":                     "200 302 302 302 302 302 302 302 302",
    "logout":                    "login login login login login login login login login",
    "password change":           "login 200 200 200 200 200 200 200 200",
    "password changed":          "login 200 200 200 200 200 200 200 200",
    # One self-service reset for everyone (docs/security.md): nothing of anyone's to see.
    "password reset form":       "200 200 200 200 200 200 200 200 200",
    "password reset sent":       "200 200 200 200 200 200 200 200 200",
    "password reset link":       "200 200 200 200 200 200 200 200 200",
    "password reset complete":   "200 200 200 200 200 200 200 200 200",
    "no role":                   "login 200 200 200 200 200 200 200 200",
    "notifications":             "login 200 200 200 200 200 200 200 200",
    "mark read":                 "login 302 302 302 302 302 302 302 302",
    # Anyone may switch the language (the login page too): nothing to protect.
    "switch language":           "302 302 302 302 302 302 302 302 302",
    # The director's ramp-up
    "ramp-up dashboard":         "login 403 403 403 403 200 200 200 403",
    "ramp-up CSV":               "login 403 403 403 403 200 200 200 403",
    "ramp-up XLSX":              "login 403 403 403 403 200 200 200 403",
    "my ramp-up":                "login 302 302 302 302 302 302 302 302",
    "A's drill-down":            "login 200 404 200 404 200 200 200 404",
    "sign off A (drill-down)":   "login 403 404 302 404 403 403 302 404",
    # Who did what, when and why: the staff who oversee every trainee.
    "audit history":             "login 403 403 403 403 200 200 200 403",
    # Courses
    "my onboarding":             "login 200 200 403 403 403 403 403 403",
    "enrollments":               "login 403 403 403 403 200 200 200 403",
    "my tasks":                  "login 403 403 403 403 200 403 403 403",
    "job description signatures": "login 403 403 403 403 200 200 200 403",
    "enrollment import":         "login 403 403 403 403 200 403 403 403",
    "A's enrollment":            "login 200 404 200 404 200 200 200 404",
    "drop A":                    "login 403 403 403 403 302 403 403 403",
    "reactivate A":              "login 403 403 403 403 302 403 403 403",
    "tick A's item":             "login 302 404 403 404 403 403 403 404",
    "sign A's job description":  "login 302 404 403 404 403 403 403 404",
    "sign off A":                "login 403 404 302 404 403 403 302 404",
    "program page":              "login 200 200 200 200 200 200 200 404",
    "stage page":                "login 200 200 200 200 200 200 200 404",
    "A's stage page":            "login 200 404 200 404 200 200 200 404",
    "job description page":      "login 200 200 200 200 200 200 200 404",
    # Quizzes
    "my quizzes":                "login 200 200 404 404 404 404 404 404",
    "quiz":                      "login 200 200 302 302 302 302 302 404",
    "start attempt":             "login 302 302 404 404 404 404 404 404",
    "quiz results":              "login 404 404 200 200 200 200 200 404",
    "quiz preview":              "login 404 404 404 404 200 404 404 404",
    "extra attempt for A":       "login 404 404 404 404 200 404 404 404",
    # Booked by whoever grades A: A's mentor, HR, directors (the head of sales mentors others).
    "book A's role-play":        "login 404 404 200 404 200 404 200 404",
    # The world's quiz is written: the graders are sent back with the reason (302).
    "hold A's oral survey":      "login 404 404 302 404 302 404 302 404",
    # Directors only; the empty form comes back as a message (302).
    "review A's attempt":        "login 404 404 404 404 404 404 302 404",
    "A's attempt":               "login 200 404 200 404 200 200 200 404",
    "save A's attempt":          "login 302 404 404 404 404 404 404 404",
    "submit A's attempt":        "login 302 404 404 404 404 404 404 404",
    # Recordings (docs/coaching.md): the trainee, their active mentor, HR and directors hear
    # them; the head of sales does not. Posts without a file or text come back as a message.
    "record A's answer":         "login 302 404 404 404 404 404 404 404",
    "record A's role-play":      "login 404 404 302 404 302 404 302 404",
    "comment A's recording":     "login 404 404 302 404 302 404 302 404",
    "A's recording":             "login 200 404 200 404 200 404 200 404",
    "grading queue":             "login 404 404 200 200 200 200 200 404",
    "overdue grading":           "login 404 404 404 404 200 404 200 404",
    "grade A's attempt":         "login 404 404 200 404 200 404 200 404",
    # Only a graded attempt can be overridden; A's is awaiting grading.
    "override A's response":     "login 404 404 404 404 404 404 404 404",
    # Mentors: activity, mentorships, bonuses
    "my activity":               "login 200 200 403 403 403 403 403 403",
    "A's activity":              "login 302 404 200 404 200 200 200 404",
    # 302 with an error message for those who see the entry but did not log it (the row
    # stays: test_idor.py::test_refused_activity_delete_keeps_the_entry).
    "delete A's activity":       "login 302 404 302 404 302 302 302 302",
    "activity import":           "login 403 403 403 403 200 200 403 403",
    # Background imports: everyone's list shows only their own; HR's job is HR's and the head
    # of sales's (they see every import), anyone else gets 404.
    "import jobs":               "login 200 200 200 200 200 200 200 200",
    "HR's import job":           "login 404 404 404 404 200 200 404 404",
    "HR's import job status":    "login 404 404 404 404 200 200 404 404",
    "cancel HR's import job":    "login 404 404 404 404 302 302 404 404",
    # HR and the head of sales confirm typed activity (never their own or their mentee's).
    "confirm activity":          "login 403 403 403 403 200 200 403 403",
    "my mentees":                "login 403 403 200 200 403 200 403 403",
    "A's call":                  "login 200 404 200 404 200 404 200 404",
    "A's call recording":        "login 200 404 200 404 200 404 200 404",
    "calls to review":           "login 404 404 200 200 200 200 200 404",
    "mentorships":               "login 403 403 403 403 200 200 403 403",
    "end A's mentorship":        "login 403 403 403 403 200 200 403 403",
    "mentor bonuses":            "login 403 403 403 403 403 200 200 403",
    "bonus action":              "login 403 403 403 403 403 302 302 403",
    # Nothing approved in the world: a message that nothing is new, no empty batch.
    "bonus export":              "login 403 403 403 403 403 302 302 403",
    "payroll batches":           "login 403 403 403 403 403 200 200 403",
    "payroll batch download":    "login 403 403 403 403 403 404 404 403",
    "payroll batch paid":        "login 403 403 403 403 403 404 404 403",
    # Careers: the ladder is for everyone; the team for those who oversee it; one person's
    # page for them (sent to "My career"), their mentor and the team's viewers. No ladder in
    # this world: nothing to propose (a form error), decide or confirm.
    "my career":                 "login 200 200 200 200 200 200 200 200",
    "career ladder":             "login 200 200 200 200 200 200 200 200",
    "career team":               "login 403 403 403 403 200 200 200 403",
    "career team export":        "login 403 403 403 403 200 200 200 403",
    "A's career":                "login 302 404 200 404 200 200 200 404",
    "propose A's promotion":     "login 403 404 400 404 403 400 400 404",
    "decide A's promotion":      "login 403 404 403 404 403 403 403 404",
    "A's career evidence":       "login 403 404 403 404 403 403 403 404",
    # API (lists are scoped: test_idor.py checks their content)
    "API schema":                "200 200 200 200 200 200 200 200 200",
    "API docs":                  "200 200 200 200 200 200 200 200 200",
    "API activities":            "login 200 200 200 200 200 200 200 200",
    "API activity create":       "login 403 403 403 403 400 400 403 400",
    "API bonus rules":           "login 200 200 200 200 200 200 200 200",
    "API bonus statements":      "login 200 200 200 200 200 200 200 200",
    "API enrollments":           "login 200 200 200 200 200 200 200 200",
    "API A's ramp":              "login 200 404 200 404 200 200 200 200",
    "API career ladders":        "login 200 200 200 200 200 200 200 200",
    "API A's career":            "login 200 404 200 404 200 200 200 404",
    # Wagtail's serving views
    "document":                  "200 200 200 200 200 200 200 200 200",
    "document password":         "404 404 404 404 404 404 404 404 404",
    "page password":             "404 404 404 404 404 404 404 404 404",
    "page login":                "200 200 200 200 200 200 200 200 200",
    # The Wagtail admin: one probe per area (per viewset for the project's own data)
    "admin home":                "login login login login login 200 200 200 login",
    "admin 404 test":            "login login login login login 200 200 200 login",
    # Wagtail's deliberate error page for checking error reporting.
    "admin failwhale":           "login login login login login 500 500 500 login",
    "admin pages API":           "login login login login login 200 200 200 login",
    "admin pages":               "login login login login login 200 302 302 login",
    "admin bulk action":         "login login login login login 200 200 200 login",
    "page chooser":              "login login login login login 200 200 200 login",
    "link chooser":              "login login login login login 200 200 200 login",
    "e-mail chooser":            "login login login login login 200 200 200 login",
    "phone chooser":             "login login login login login 200 200 200 login",
    "anchor chooser":            "login login login login login 200 200 200 login",
    "tags":                      "login login login login login 200 200 200 login",
    "collections":               "login login login login login 302 302 302 login",
    "workflows":                 "login login login login login 302 302 302 login",
    "site history":              "login login login login login 200 200 200 login",
    "account":                   "login login login login login 200 200 200 login",
    "admin logout":              "login login login login login login login login login",
    "dismissibles":              "login login login login login 405 405 405 login",
    "editing session ping":      "login login login login login 200 404 404 login",
    "block preview":             "login login login login login 404 404 404 login",
    "move question":             "login login login login login 302 404 404 login",
    "import questions":          "login login login login login 200 302 302 login",
    "export questions":          "login login login login login 200 302 302 login",
    "form submissions":          "login login login login login 200 302 302 login",
    "redirects":                 "login login login login login 302 302 302 login",
    "settings":                  "login login login login login 404 404 404 login",
    "embed chooser":             "login login login login login 200 200 200 login",
    # The director sees the snippets for the bonus rules, which only the director changes
    # (BONUS_RULE_EDITOR_ROLES); HR and the head of sales only read them.
    "snippets":                  "login login login login login 200 200 200 login",
    "quizzes":                   "login login login login login 200 302 302 login",
    "written questions":         "login login login login login 200 302 302 login",
    "short-answer questions":    "login login login login login 200 302 302 login",
    "question categories":       "login login login login login 200 302 302 login",
    "bonus rules":               "login login login login login 200 200 200 login",
    "career ladders":            "login login login login login 200 302 302 login",
    "documents":                 "login login login login login 200 302 302 login",
    "images":                    "login login login login login 200 302 302 login",
    "schedule":                  "login login login login login 200 302 302 login",
    "crontabs":                  "login login login login login 200 302 302 login",
    "ramp plans":                "login login login login login 200 302 200 login",
    "admin enrollments":         "login login login login login 200 302 302 login",
    "mentee caps":               "login login login login login 200 200 302 login",
    # Activity sources (docs/sources.md): HR (and superusers) only.
    "activity connectors":       "login login login login login 200 302 302 login",
    "identity mappings":         "login login login login login 200 302 302 login",
    "unknown identities":        "login login login login login 200 302 302 login",
    "re-apply identities":       "login login login login login 302 302 302 login",
    "employee profiles":         "login login login login login 200 302 302 login",
    "offices":                   "login login login login login 200 302 302 login",
    "sites":                     "login login login login login 302 302 302 login",
    "locales":                   "login login login login login 302 302 302 login",
    "translate page":            "login login login login login 302 302 302 login",
    "users":                     "login login login login login 302 302 302 login",
    "groups":                    "login login login login login 302 302 302 login",
    "icon sprite":               "200 200 200 200 200 200 200 200 200",
    "admin login":               "200 200 200 200 200 302 302 302 200",
    # Wagtail's own reset is off (WAGTAIL_PASSWORD_RESET_ENABLED): the site's flow is the one.
    "password reset":            "404 404 404 404 404 404 404 404 404",
    "admin jsi18n":              "200 200 200 200 200 200 200 200 200",
}  # fmt: skip

# Personas who must never see anything of trainee A, whatever the page.
OUTSIDERS = ("anonymous", "trainee_b", "mentor_b")
A_MARKERS = (A_NAME, A_SECRET, "trainee_a@example.com")


def _probes():
    for table in (SITE_PROBES, ADMIN_PROBES):
        for key, probes in table.items():
            for label, method, url in probes:
                yield key, label, method, url


def test_every_url_pattern_is_in_the_matrix():
    """A new page, API endpoint or admin area fails here until its row is added."""
    routes = all_routes()
    site_names = {r.name for r in routes if admin_group(r) is None}
    admin_groups = {admin_group(r) for r in routes} - {None}
    assert site_names - set(SITE_PROBES) == set(), "URL patterns missing from SITE_PROBES"
    assert set(SITE_PROBES) - site_names == set(), "SITE_PROBES lists URLs that are gone"
    assert admin_groups - set(ADMIN_PROBES) == set(), "admin areas missing from ADMIN_PROBES"
    labels = [label for _key, label, _m, _u in _probes()]
    assert sorted(labels) == sorted(EXPECTED), "every probe has exactly one row in EXPECTED"


def test_permission_matrix(world):
    clients = {persona: client_for(world, persona) for persona in PERSONAS}
    mismatches, leaks = [], []
    for _key, label, method, build in _probes():
        url = build(world)
        expected = EXPECTED[label].split()
        assert len(expected) == len(PERSONAS), label
        for persona, want in zip(PERSONAS, expected, strict=True):
            response = request_rolled_back(clients[persona], method, url)
            got = outcome(response)
            if got != want:
                mismatches.append(f"{label} ({method} {url}) as {persona}: {got}, want {want}")
            if persona in OUTSIDERS and not getattr(response, "streaming", False):
                body = response.content.decode("utf-8", "replace")
                shown = [marker for marker in A_MARKERS if marker in body]
                if shown:
                    leaks.append(f"{label} ({method} {url}) as {persona} shows {shown}")
    assert mismatches == []
    assert leaks == []


def test_site_home_page_renders(world):
    client = client_for(world, "trainee_a")
    assert client.get("/learn/").status_code in (200, 302)

"""The concrete requests of the permission matrix: for every URL pattern, the URL built from the
fixture's real objects (trainee A's enrollment, attempt, response, activity, mentorship...)."""

from __future__ import annotations

from django.urls import reverse


def _r(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def _path(path):
    return lambda w: path


A_ENR = lambda w: w.enrollment_a.pk  # noqa: E731
A_ATT = lambda w: w.attempt_a.pk  # noqa: E731
SLUG = lambda w: w.quiz.slug  # noqa: E731
A_PERSON = lambda w: w.enrollment_a.trainee_id  # noqa: E731
JOB = lambda w: w.import_job.pk  # noqa: E731


# route name -> list of (label, method, url builder). Several probes may cover one route
# (Wagtail's page-serving pattern serves the home, program, stage and job pages).
SITE_PROBES = {
    "home": [("home", "GET", _r("home"))],
    "login": [("login", "GET", _r("login"))],
    "logout": [("logout", "POST", _r("logout"))],
    "password_change": [("password change", "GET", _r("password_change"))],
    "password_change_done": [("password changed", "GET", _r("password_change_done"))],
    "password_reset": [("password reset form", "GET", _r("password_reset"))],
    "password_reset_done": [("password reset sent", "GET", _r("password_reset_done"))],
    "password_reset_confirm": [
        ("password reset link", "GET", _r("password_reset_confirm", "MQ", "not-a-token"))
    ],
    "password_reset_complete": [("password reset complete", "GET", _r("password_reset_complete"))],
    "no_role": [("no role", "GET", _r("no_role"))],
    "dashboard": [("ramp-up dashboard", "GET", _r("dashboard"))],
    "dashboard_export_csv": [("ramp-up CSV", "GET", _r("dashboard_export_csv"))],
    "dashboard_export_xlsx": [("ramp-up XLSX", "GET", _r("dashboard_export_xlsx"))],
    "my_ramp": [("my ramp-up", "GET", _r("my_ramp"))],
    "ramp_drilldown": [("A's drill-down", "GET", _r("ramp_drilldown", A_ENR))],
    "ramp_sign_off": [("sign off A (drill-down)", "POST", _r("ramp_sign_off", A_ENR))],
    "audit": [("audit history", "GET", _r("audit"))],
    "notifications": [("notifications", "GET", _r("notifications"))],
    "notifications_read": [("mark read", "POST", _r("notifications_read"))],
    "language_set": [("switch language", "POST", _r("language_set"))],
    "courses:my_onboarding": [("my onboarding", "GET", _r("courses:my_onboarding"))],
    "courses:enrollments": [("enrollments", "GET", _r("courses:enrollments"))],
    "courses:my_tasks": [("my tasks", "GET", _r("courses:my_tasks"))],
    "courses:job_description_signatures": [
        ("job description signatures", "GET", _r("courses:job_description_signatures"))
    ],
    "courses:enrollments_import": [("enrollment import", "GET", _r("courses:enrollments_import"))],
    "courses:enrollment_detail": [
        ("A's enrollment", "GET", _r("courses:enrollment_detail", A_ENR))
    ],
    "courses:enrollment_drop": [("drop A", "POST", _r("courses:enrollment_drop", A_ENR))],
    "courses:enrollment_reactivate": [
        ("reactivate A", "POST", _r("courses:enrollment_reactivate", A_ENR))
    ],
    "courses:checklist_tick": [
        (
            "tick A's item",
            "POST",
            _r("courses:checklist_tick", A_ENR, lambda w: w.stage1.pk, lambda w: w.item_id),
        )
    ],
    "courses:job_description_sign": [
        ("sign A's job description", "POST", _r("courses:job_description_sign", A_ENR))
    ],
    "courses:readiness_sign_off": [("sign off A", "POST", _r("courses:readiness_sign_off", A_ENR))],
    "quizzes:my_quizzes": [("my quizzes", "GET", _r("quizzes:my_quizzes"))],
    "quizzes:quiz": [("quiz", "GET", _r("quizzes:quiz", SLUG))],
    "quizzes:attempt_start": [("start attempt", "POST", _r("quizzes:attempt_start", SLUG))],
    "quizzes:quiz_results": [("quiz results", "GET", _r("quizzes:quiz_results", SLUG))],
    "quizzes:quiz_preview": [("quiz preview", "GET", _r("quizzes:quiz_preview", SLUG))],
    "quizzes:extra_attempt": [
        ("extra attempt for A", "GET", _r("quizzes:extra_attempt", SLUG, A_ENR))
    ],
    "quizzes:roleplay_schedule": [
        ("book A's role-play", "GET", _r("quizzes:roleplay_schedule", SLUG, A_ENR))
    ],
    "quizzes:oral_start": [("hold A's oral survey", "POST", _r("quizzes:oral_start", SLUG, A_ENR))],
    "quizzes:attempt_review": [("review A's attempt", "POST", _r("quizzes:attempt_review", A_ATT))],
    "quizzes:attempt": [("A's attempt", "GET", _r("quizzes:attempt", A_ATT))],
    "quizzes:attempt_save": [("save A's attempt", "POST", _r("quizzes:attempt_save", A_ATT))],
    "quizzes:attempt_submit": [("submit A's attempt", "POST", _r("quizzes:attempt_submit", A_ATT))],
    "quizzes:recording_upload": [
        (
            "record A's answer",
            "POST",
            _r("quizzes:recording_upload", A_ATT, lambda w: w.response_a.pk),
        )
    ],
    "quizzes:live_recording_upload": [
        ("record A's role-play", "POST", _r("quizzes:live_recording_upload", A_ATT))
    ],
    "quizzes:recording_comment": [
        (
            "comment A's recording",
            "POST",
            _r("quizzes:recording_comment", lambda w: w.recording_a.pk),
        )
    ],
    "quizzes:recording_file": [
        ("A's recording", "GET", _r("quizzes:recording_file", lambda w: w.recording_a.pk))
    ],
    "mentors:call": [("A's call", "GET", _r("mentors:call", lambda w: w.activity_a.pk))],
    "mentors:call_file": [
        ("A's call recording", "GET", _r("mentors:call_file", lambda w: w.activity_a.pk))
    ],
    "mentors:call_reviews": [("calls to review", "GET", _r("mentors:call_reviews"))],
    "quizzes:grading_queue": [("grading queue", "GET", _r("quizzes:grading_queue"))],
    "quizzes:overdue_grading": [("overdue grading", "GET", _r("quizzes:overdue_grading"))],
    "quizzes:grade": [("grade A's attempt", "GET", _r("quizzes:grade", A_ATT))],
    "quizzes:override": [
        (
            "override A's response",
            "GET",
            _r("quizzes:override", A_ATT, lambda w: w.response_a.pk),
        )
    ],
    "mentors:activity": [("my activity", "GET", _r("mentors:activity"))],
    "mentors:mentee_activity": [("A's activity", "GET", _r("mentors:mentee_activity", A_ENR))],
    "mentors:activity_delete": [
        ("delete A's activity", "POST", _r("mentors:activity_delete", lambda w: w.activity_a.pk))
    ],
    "mentors:import": [("activity import", "GET", _r("mentors:import"))],
    "mentors:import_jobs": [("import jobs", "GET", _r("mentors:import_jobs"))],
    "mentors:import_job": [("HR's import job", "GET", _r("mentors:import_job", JOB))],
    "mentors:import_job_status": [
        ("HR's import job status", "GET", _r("mentors:import_job_status", JOB))
    ],
    "mentors:import_job_cancel": [
        ("cancel HR's import job", "POST", _r("mentors:import_job_cancel", JOB))
    ],
    "mentors:confirm": [("confirm activity", "GET", _r("mentors:confirm"))],
    "mentors:mentees": [("my mentees", "GET", _r("mentors:mentees"))],
    "mentors:mentorships": [("mentorships", "GET", _r("mentors:mentorships"))],
    "mentors:mentorship_end": [
        ("end A's mentorship", "GET", _r("mentors:mentorship_end", lambda w: w.mentorship_a.pk))
    ],
    "mentors:bonuses": [("mentor bonuses", "GET", _r("mentors:bonuses"))],
    "mentors:bonuses_action": [("bonus action", "POST", _r("mentors:bonuses_action"))],
    "mentors:bonuses_export": [("bonus export", "POST", _r("mentors:bonuses_export"))],
    "mentors:payroll_batches": [("payroll batches", "GET", _r("mentors:payroll_batches"))],
    # The world has no batch: approvers get 404, everyone else 403 before the lookup
    # (tests/mentors/test_payroll.py downloads and pays real ones).
    "mentors:payroll_batch_download": [
        ("payroll batch download", "GET", _r("mentors:payroll_batch_download", 1))
    ],
    "mentors:payroll_batch_mark_paid": [
        ("payroll batch paid", "POST", _r("mentors:payroll_batch_mark_paid", 1))
    ],
    "careers:my_career": [("my career", "GET", _r("careers:my_career"))],
    "careers:ladder": [("career ladder", "GET", _r("careers:ladder"))],
    "careers:team": [("career team", "GET", _r("careers:team"))],
    "careers:team_export": [("career team export", "GET", _r("careers:team_export"))],
    "careers:person": [("A's career", "GET", _r("careers:person", A_PERSON))],
    "careers:propose": [("propose A's promotion", "POST", _r("careers:propose", A_PERSON))],
    "careers:decide": [("decide A's promotion", "POST", _r("careers:decide", A_PERSON))],
    "careers:evidence": [("A's career evidence", "POST", _r("careers:evidence", A_PERSON))],
    "api-career-ladders": [("API career ladders", "GET", _r("api-career-ladders"))],
    "api-career-person": [("API A's career", "GET", _r("api-career-person", A_PERSON))],
    "api-schema": [("API schema", "GET", _r("api-schema"))],
    "api-docs": [("API docs", "GET", _r("api-docs"))],
    "api-activities": [
        ("API activities", "GET", _r("api-activities")),
        ("API activity create", "POST", _r("api-activities")),
    ],
    "api-bonus-rules": [("API bonus rules", "GET", _r("api-bonus-rules"))],
    "api-bonus-statements": [("API bonus statements", "GET", _r("api-bonus-statements"))],
    "api-enrollments": [("API enrollments", "GET", _r("api-enrollments"))],
    "api-enrollment-ramp": [("API A's ramp", "GET", _r("api-enrollment-ramp", A_ENR))],
    "wagtaildocs_serve": [("document", "GET", lambda w: w.document.url)],
    "wagtaildocs_authenticate_with_password": [
        ("document password", "GET", _path("/documents/authenticate_with_password/999999/"))
    ],
    "wagtailcore_authenticate_with_password": [
        (
            "page password",
            "GET",
            lambda w: f"/learn/_util/authenticate_with_password/999999/{w.stage1.pk}/",
        )
    ],
    "wagtailcore_login": [("page login", "GET", _path("/learn/_util/login/"))],
    "wagtail_serve": [
        ("program page", "GET", lambda w: w.program.url),
        ("stage page", "GET", lambda w: w.stage1.url),
        ("A's stage page", "GET", lambda w: f"{w.stage1.url}?enrollment={w.enrollment_a.pk}"),
        ("job description page", "GET", lambda w: w.job.url),
    ],
}

# Admin area -> representative URLs (one per viewset that holds the project's data).
ADMIN_PROBES = {
    "admin/": [("admin home", "GET", _path("/admin/"))],
    "admin/test404": [("admin 404 test", "GET", _path("/admin/test404/"))],
    "admin/failwhale": [("admin failwhale", "GET", _path("/admin/failwhale/"))],
    "admin/api": [("admin pages API", "GET", _path("/admin/api/main/pages/"))],
    "admin/pages": [("admin pages", "GET", _path("/admin/pages/"))],
    "admin/bulk": [
        ("admin bulk action", "GET", _path("/admin/bulk/wagtailcore/page/delete/?id=1"))
    ],
    "admin/choose-page": [("page chooser", "GET", _path("/admin/choose-page/"))],
    "admin/choose-external-link": [("link chooser", "GET", _path("/admin/choose-external-link/"))],
    "admin/choose-email-link": [("e-mail chooser", "GET", _path("/admin/choose-email-link/"))],
    "admin/choose-phone-link": [("phone chooser", "GET", _path("/admin/choose-phone-link/"))],
    "admin/choose-anchor-link": [("anchor chooser", "GET", _path("/admin/choose-anchor-link/"))],
    "admin/tag-autocomplete": [("tags", "GET", _path("/admin/tag-autocomplete/"))],
    "admin/collections": [("collections", "GET", _path("/admin/collections/"))],
    "admin/workflows": [("workflows", "GET", _path("/admin/workflows/list/"))],
    "admin/reports": [("site history", "GET", _path("/admin/reports/site-history/"))],
    "admin/account": [("account", "GET", _path("/admin/account/"))],
    "admin/logout": [("admin logout", "POST", _path("/admin/logout/"))],
    "admin/dismissibles": [("dismissibles", "POST", _path("/admin/dismissibles/"))],
    "admin/editing-sessions": [
        (
            "editing session ping",
            "POST",
            lambda w: f"/admin/editing-sessions/ping/wagtailcore/page/{w.stage1.pk}/0/",
        )
    ],
    "admin/block-preview": [("block preview", "GET", _path("/admin/block-preview/"))],
    "admin/quizzes": [
        (
            "move question",
            "POST",
            lambda w: f"/admin/quizzes/questions/{w.question.pk}/move/up/",
        ),
        ("import questions", "GET", _path("/admin/quizzes/questions/import/")),
        ("export questions", "GET", _path("/admin/quizzes/questions/export/")),
    ],
    "admin/forms": [("form submissions", "GET", _path("/admin/forms/"))],
    "admin/redirects": [("redirects", "GET", _path("/admin/redirects/"))],
    "admin/settings": [("settings", "GET", _path("/admin/settings/"))],
    "admin/embeds": [("embed chooser", "GET", _path("/admin/embeds/chooser/"))],
    "admin/snippets": [
        ("snippets", "GET", _path("/admin/snippets/")),
        ("quizzes", "GET", _path("/admin/snippets/quizzes/quiz/")),
        ("written questions", "GET", _path("/admin/snippets/quizzes/writtenquestion/")),
        ("short-answer questions", "GET", _path("/admin/snippets/quizzes/shortanswerquestion/")),
        ("question categories", "GET", _path("/admin/snippets/quizzes/questioncategory/")),
        ("bonus rules", "GET", _path("/admin/snippets/mentors/bonusrule/")),
        ("career ladders", "GET", _path("/admin/snippets/careers/ladder/")),
    ],
    "admin/documents": [("documents", "GET", _path("/admin/documents/"))],
    "admin/images": [("images", "GET", _path("/admin/images/"))],
    "admin/periodic_tasks": [("schedule", "GET", _path("/admin/periodic_tasks/"))],
    "admin/crontabs": [("crontabs", "GET", _path("/admin/crontabs/"))],
    "admin/ramp_plans": [("ramp plans", "GET", _path("/admin/ramp_plans/"))],
    "admin/enrollments": [("admin enrollments", "GET", _path("/admin/enrollments/"))],
    "admin/mentoring": [
        ("mentee caps", "GET", _path("/admin/mentoring/mentee-caps/")),
        ("activity connectors", "GET", _path("/admin/mentoring/connectors/")),
        ("identity mappings", "GET", _path("/admin/mentoring/identities/")),
        ("unknown identities", "GET", _path("/admin/mentoring/unknown-identities/")),
        ("re-apply identities", "POST", _path("/admin/mentoring/unknown-identities/reapply/")),
    ],
    "admin/people": [("employee profiles", "GET", _path("/admin/people/profiles/"))],
    "admin/careers": [
        ("offices", "GET", _path("/admin/careers/offices/")),
    ],
    "admin/sites": [("sites", "GET", _path("/admin/sites/"))],
    "admin/locales": [("locales", "GET", _path("/admin/locales/"))],
    "admin/translation": [
        ("translate page", "GET", lambda w: f"/admin/translation/submit/page/{w.stage1.pk}/")
    ],
    "admin/users": [("users", "GET", _path("/admin/users/"))],
    "admin/groups": [("groups", "GET", _path("/admin/groups/"))],
    "admin/sprite": [("icon sprite", "GET", _path("/admin/sprite/"))],
    "admin/login": [("admin login", "GET", _path("/admin/login/"))],
    "admin/password_reset": [("password reset", "GET", _path("/admin/password_reset/"))],
    "admin/jsi18n": [("admin jsi18n", "GET", _path("/admin/jsi18n/"))],
}

"""Walking the URL resolver and requesting a URL as one persona (shared by the matrix tests)."""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PERSONAS = (
    "anonymous",
    "trainee_a",
    "trainee_b",
    "mentor_a",
    "mentor_b",
    "hr",
    "head_of_sales",
    "director",
    "integration",
)


@dataclass(frozen=True)
class Route:
    name: str  # namespaced ("courses:enrollment_detail"), or the raw pattern when unnamed
    pattern: str  # the full pattern, e.g. "enrollments/<int:pk>/"


def all_routes() -> list[Route]:
    """Every URL pattern of the site, the API and the admin, from the resolver."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                full = prefix + str(p.pattern)
                yield Route(name=f"{namespace}{p.name}" if p.name else full, pattern=full)

    return list(walk(get_resolver().url_patterns, "", ""))


def admin_group(route: Route) -> str | None:
    """The admin area a route belongs to ("admin/snippets"), or None outside /admin/."""
    if not route.pattern.startswith("admin/"):
        return None
    rest = route.pattern[len("admin/") :]
    head = re.split(r"[/<^(]", rest, maxsplit=1)[0]
    return f"admin/{head}" if head else "admin/"


def client_for(world, persona: str) -> Client:
    if persona == "anonymous":
        return Client(raise_request_exception=False)
    user = world.user(persona)
    if persona == "integration":
        # How integrations call: a DRF token. It is also logged in, so the site's pages are
        # probed with a session of this account as well.
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {world.token}")
    else:
        client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def outcome(response) -> str:
    """200, "login" (302 to a login page), "302" (another redirect), 403, 404, 405..."""
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        if "/login/" in location:
            return "login"
        return "302"
    if response.status_code == 401:
        return "login"
    return str(response.status_code)


def request_rolled_back(client: Client, method: str, url: str, data=None):
    """Make the request inside a transaction that is rolled back, so one persona's successful
    write (a drop, a sign-off, a logout) does not change what the next persona finds."""
    cookies = deepcopy(client.cookies)
    with transaction.atomic():
        try:
            send = client.post if method == "POST" else client.get
            response = send(url, data or {})
        finally:
            transaction.set_rollback(True)
            client.cookies = cookies
    return response


def upload_activities(client, content: bytes) -> tuple[int, str]:
    """Upload an activity file on the import page as a person does, and let its background
    job run (tasks run eagerly when the upload commits): the upload's status code, and the
    page the person reads, the form again (a file refused at once) or the job's page."""
    upload = SimpleUploadedFile("activities.csv", content, content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("mentors:import"), {"file": upload})
    if response.status_code != 302:
        return response.status_code, response.content.decode()
    page = client.get(response["Location"])
    assert page.status_code == 200
    return response.status_code, page.content.decode()

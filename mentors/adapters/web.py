"""Asking a CRM's API: one GET, its JSON, and every failure as a SourceError."""

from __future__ import annotations

import os

import requests
from django.utils.translation import gettext as _

from .base import SourceError

TIMEOUT_SECONDS = (5, 30)
MAX_PAGES = 200  # per stream and run: the next run resumes from the cursor


def secret(name: str) -> str:
    """The secret an environment variable holds (its name is the connector's setting)."""
    value = os.environ.get(name or "", "").strip()
    if not value:
        raise SourceError(
            _("The environment variable %(name)s holding the secret is not set.")
            % {"name": name or "—"}
        )
    return value


def get_json(url: str, *, params=None, headers=None):
    """The JSON of a GET; None for 204 No Content (amoCRM's answer to an empty list)."""
    try:
        response = requests.get(
            url, params=params, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False
        )
    except requests.RequestException as exc:
        raise SourceError(
            _("The service could not be reached: %(error)s") % {"error": type(exc).__name__}
        ) from exc
    if response.status_code == 204:
        return None
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code != 200:
        raise SourceError(
            _("The service answered %(status)s: %(detail)s")
            % {"status": response.status_code, "detail": _detail(data)}
        )
    if data is None:
        raise SourceError(_("The service's answer is not JSON."))
    return data


def _detail(data) -> str:
    if isinstance(data, dict):
        for key in ("error_description", "detail", "title", "error"):
            if data.get(key):
                return str(data[key])[:300]
    return "—"

"""Site-wide API pieces: the schema's scope."""


def only_public_api(endpoints):
    """drf-spectacular hook: document /api/ endpoints, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]

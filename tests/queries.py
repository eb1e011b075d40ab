"""What every signed-in page costs in queries, for the tests that pin a page's count exactly."""

from django.conf import settings

# Reading the session: one query, or none when sessions are read from a shared cache
# (Django's cached_db, chosen in lms/settings/base.py when CACHE_URL names one).
SESSION = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
# The session; the user with their roles and the header's unread count (people/auth.py).
SIGNED_IN = SESSION + 1

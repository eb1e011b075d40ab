"""Site-wide API pieces: the schema's scope, and the JSON parser every endpoint reads with."""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def only_public_api(endpoints):
    """drf-spectacular hook: document /api/ endpoints, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


class GuardedJSONParser(JSONParser):
    """DRF's JSON parser, with two bodies it lets through as a server error answered as a 400:
    JSON nested deeper than Python's recursion limit (``[[[[...]]]]``: a RecursionError, not the
    ValueError DRF catches), and a lone surrogate (``"\\ud800"``), which JSON allows and no
    database or page can hold (the write or the render would fail later, with a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            # One C-speed pass over every string: UTF-8 refuses exactly the lone surrogates.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            raise ParseError(_("JSON parse error - the JSON is nested too deeply.")) from None
        except UnicodeEncodeError:
            raise ParseError(
                _("JSON parse error - a string holds a lone surrogate (\\ud800-\\udfff).")
            ) from None
        return data

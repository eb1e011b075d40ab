"""Numbers, money and percentages as the reader's language writes them.

Django's localisation formats numbers without grouping unless ``USE_THOUSAND_SEPARATOR`` is
on, and it is off on purpose: it would also group the ids rendered into URLs and forms. So what
people read goes through these helpers (and the ``num``, ``money`` and ``percent`` template
filters of ``people_tags``), which group explicitly:

- ``number(25000)`` → «25 000» in Russian, «25,000» in English; ``number(Decimal("0.56"))`` →
  «0,56» / «0.56»;
- ``money(25000, "RUB")`` → «25 000 ₽» / «25,000 ₽»; kopecks only when the amount has them;
- ``percent(74)`` → «74 %» (with a non-breaking space) / «74%». A percentage is given in
  points, 0-100 (``Attempt.percent``, a share already multiplied by 100).

The separators come from the format modules (``people/formats/<lang>/formats.py``): their
``DECIMAL_SEPARATOR``, ``THOUSAND_SEPARATOR``, and the ``PERCENT_FORMAT`` and ``MONEY_FORMAT``
patterns kept there too. Nothing (``None``, "") is written «—»; a value that is not a number is
shown as it is rather than failing the page.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats, translation

EMPTY = "—"
NBSP = "\xa0"

# The sign written after an amount; another currency is written by its code: «1 200 USD».
CURRENCY_SYMBOLS = {"RUB": "₽"}

_DEFAULT_PATTERNS = {
    "PERCENT_FORMAT": "{number}%",
    "MONEY_FORMAT": "{amount}" + NBSP + "{currency}",
}


def _pattern(name: str) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    for module in formats.get_format_modules(language):
        value = getattr(module, name, None)
        if value:
            return value
    return _DEFAULT_PATTERNS[name]


def as_decimal(value) -> Decimal | None:
    """``value`` as a finite Decimal; None for nothing or for what is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        else:
            number = Decimal(str(value).strip().replace(NBSP, "").replace(" ", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _fallback(value) -> str:
    return EMPTY if value is None or value == "" else str(value)


def _grouped(number: Decimal, places: int | None) -> str:
    if places is not None:
        # number_format cuts extra places off; a figure read by people is rounded.
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # never «-0»
    return formats.number_format(number, decimal_pos=places, force_grouping=True)


def number(value, places: int | None = None) -> str:
    """An integer or a decimal with the reader's separators and grouping: «11 607», «0,56».

    ``places`` rounds to that many decimal places (half up); by default the value keeps the
    places it has (``Decimal("0.50")`` → «0,50»)."""
    parsed = as_decimal(value)
    if parsed is None:
        return _fallback(value)
    return _grouped(parsed, places)


def money(amount, currency: str | None = None) -> str:
    """An amount with its currency: «25 000 ₽», «1 250,50 ₽»; «25,000 ₽» in English.

    Whole amounts are written without kopecks, others with two places. ``currency`` is the ISO
    code (``settings.DEFAULT_CURRENCY`` when not given)."""
    parsed = as_decimal(amount)
    if parsed is None:
        return _fallback(amount)
    places = 0 if parsed == parsed.to_integral_value() else 2
    code = (currency or settings.DEFAULT_CURRENCY).strip()
    symbol = CURRENCY_SYMBOLS.get(code.upper(), code)
    return _pattern("MONEY_FORMAT").format(amount=_grouped(parsed, places), currency=symbol)


def percent(value, places: int | None = None) -> str:
    """A percentage given in points (0-100): «74 %» in Russian, «74%» in English; «84,8 %»
    keeps the places the value has unless ``places`` is given."""
    parsed = as_decimal(value)
    if parsed is None:
        return _fallback(value)
    return _pattern("PERCENT_FORMAT").format(number=_grouped(parsed, places))

"""The one way numbers and points are written: Vietnamese decimal comma, no trailing zeros, never an exponent.

Screens follow the active language (83,5 in Vietnamese, 83.5 in English); printed documents are always
Vietnamese (decree 30/2020: decimal comma, thousands with dots), whatever the reader's language.
"""

from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format, number_format


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _plain(value: Decimal, places: int | None) -> Decimal:
    if places is not None:
        return value.quantize(Decimal(1).scaleb(-places))
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def number(value, *, places: int | None = None, empty: str = "") -> str:
    """A number for the screen, in the active language: 100.00 → "100", 0.50 → "0,5", 7.25 → "7,25"."""
    d = _decimal(value)
    if d is None:
        return empty if value in (None, "") else str(value)
    return number_format(_plain(d, places), use_l10n=True)


def points(value) -> str:
    """A score on screen; a missing one reads as a dash."""
    return number(value, empty="—")


def vn_number(value, places: int | None = None) -> str:
    """A number as printed on a Vietnamese document: "83,5", "100", "1.250,5" (thousands with dots)."""
    d = _decimal(value)
    if d is None:
        return "" if value in (None, "") else str(value)
    d = _plain(d, places)
    sign = "-" if d < 0 else ""
    integer, _sep, fraction = format(abs(d), "f").partition(".")
    groups: list[str] = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def plain(value) -> str:
    """A number for machines (CSV, snapshots): "83.5", "100", never "1E+2"."""
    d = _decimal(value)
    if d is None:
        return ""
    d = d.normalize()
    return "0" if d.is_zero() else format(d, "f")


def short_date(day) -> str:
    """A date on screen: 16/05/2017 in Vietnamese (the active language's short format)."""
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""

"""Cron fields shared by both dialects: the day rule, and rendering value sets as text."""

from __future__ import annotations

from collections.abc import Container, Iterable
from datetime import date


def days_match(day: date, days_of_month: Container[int], days_of_week: Container[int],
               both: bool) -> bool:
    """The cron day rule, the same in Vixie cron and robfig (they differ in what sets ``both``).

    Args:
        day: A calendar day.
        days_of_month: Days 1-31 that fire.
        days_of_week: Weekdays 0-6 that fire (0 = Sunday).
        both: Whether both fields must match (a field was a star); else either suffices.

    Returns:
        Whether the day fields accept ``day``.
    """
    dom_ok = day.day in days_of_month
    dow_ok = (day.weekday() + 1) % 7 in days_of_week
    return (dom_ok and dow_ok) if both else (dom_ok or dow_ok)


def render_values(values: Iterable[int], lo: int, hi: int, *, allow_star: bool = True) -> str:
    """Render a set of field values as cron text.

    The full range becomes ``*`` (if ``allow_star``); an arithmetic
    progression over the whole range from ``lo`` becomes ``*/step`` (if
    ``allow_star``); any other progression of three or more values with a
    step of 2 or more becomes ``a-b/step``; otherwise a comma list in which runs of three or more
    consecutive values become ``a-b``.

    Args:
        values: The values (non-empty, within ``lo``-``hi``).
        lo: The field's minimum.
        hi: The field's maximum.
        allow_star: Whether ``*`` forms may be used (robfig's starBit matters
            in the day fields).

    Returns:
        The field text.

    Raises:
        ValueError: If ``values`` is empty.
    """
    ordered = sorted(set(values))
    if not ordered:
        raise ValueError("cannot render an empty field")
    if allow_star:
        if ordered == list(range(lo, hi + 1)):
            return "*"
        if len(ordered) >= 3 and ordered[0] == lo:
            step = ordered[1] - ordered[0]
            if ordered == list(range(lo, hi + 1, step)):
                return f"*/{step}"
    if len(ordered) >= 3:
        step = ordered[1] - ordered[0]
        if step >= 2 and ordered == list(range(ordered[0], ordered[-1] + 1, step)):
            return f"{ordered[0]}-{ordered[-1]}/{step}"
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{ordered[i]}-{ordered[j]}")
        else:
            parts.extend(str(v) for v in ordered[i : j + 1])
        i = j + 1
    return ",".join(parts)


def star_step_text(values: Iterable[int], lo: int, hi: int) -> str | None:
    """Return ``*/step`` if ``values`` is exactly that progression (step >= 2), else None.

    Args:
        values: The values.
        lo: The field's minimum.
        hi: The field's maximum.

    Returns:
        The ``*/step`` text or None.
    """
    ordered = sorted(set(values))
    if not ordered or ordered[0] != lo:
        return None
    if len(ordered) == 1:
        return f"*/{hi - lo + 1}"
    step = ordered[1] - ordered[0]
    if step >= 2 and ordered == list(range(lo, hi + 1, step)):
        return f"*/{step}"
    return None

"""Rendering of cron field value sets as compact text."""

from __future__ import annotations

from collections.abc import Iterable


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

"""IANA time-zone lookup and offset-change detection (pure, deterministic).

Only :mod:`zoneinfo` lookups touch the disk; "now" is always a parameter.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from absa_pipeline.scheduling.errors import CronError

#: How far ahead :func:`offset_changes` looks for DST or other offset changes.
HORIZON = timedelta(days=3 * 366)

_STEP = 12 * 3600  # sampling step in seconds; offsets never change twice within 12 h


@functools.lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(name: str) -> ZoneInfo:
    """Return the IANA zone called ``name`` or raise :class:`CronError`.

    Args:
        name: An IANA time-zone name such as ``"Asia/Seoul"`` or ``"UTC"``.

    Returns:
        The zone.

    Raises:
        CronError: If the name is empty, malformed or unknown.
    """
    if not isinstance(name, str) or not name.strip():
        raise CronError('time zone is empty; give an IANA name such as "Asia/Seoul" or "UTC"')
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    raise CronError(
        f'unknown time zone "{name}"{hint}; give an IANA name such as "Asia/Seoul" or "UTC"'
    )


@dataclass(frozen=True)
class OffsetChange:
    """A change of a zone's UTC offset.

    Attributes:
        at: The first instant (UTC) at which ``after`` applies.
        before: The UTC offset just before ``at``.
        after: The UTC offset from ``at`` on.
    """

    at: datetime
    before: timedelta
    after: timedelta


def _offset(zone: ZoneInfo, epoch: int) -> timedelta:
    off = datetime.fromtimestamp(epoch, timezone.utc).astimezone(zone).utcoffset()
    assert off is not None
    return off


def _require_aware(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise CronError(
            f"now={now!r} is not a time-zone-aware datetime; pass e.g. datetime.now(timezone.utc)"
        )


def offset_changes(
    zone: ZoneInfo, now: datetime, horizon: timedelta = HORIZON
) -> tuple[OffsetChange, ...]:
    """List every UTC-offset change of ``zone`` in ``(now, now + horizon]``.

    Samples the offset every 12 hours and bisects each change to the second,
    so the result is exact for any zone whose offset does not change twice
    within 12 hours (every real zone).  Results are cached.

    Args:
        zone: The zone to inspect.
        now: Start of the window (aware).
        horizon: Length of the window.

    Returns:
        The changes in time order (empty for a fixed-offset zone).

    Raises:
        CronError: If ``now`` is naive.
    """
    _require_aware(now)
    return _offset_changes(zone, int(now.timestamp()), int(horizon.total_seconds()))


@functools.lru_cache(maxsize=256)
def _offset_changes(zone: ZoneInfo, start: int, length: int) -> tuple[OffsetChange, ...]:
    end = start + length
    changes: list[OffsetChange] = []
    prev_t, prev_off = start, _offset(zone, start)
    t = start
    while t < end:
        t = min(t + _STEP, end)
        off = _offset(zone, t)
        if off != prev_off:
            lo, hi = prev_t, t  # offset(lo) == prev_off, offset(hi) != prev_off
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(zone, mid) == prev_off:
                    lo = mid
                else:
                    hi = mid
            changes.append(OffsetChange(datetime.fromtimestamp(hi, timezone.utc), prev_off, off))
        prev_t, prev_off = t, off
    return tuple(changes)


def format_offset(offset: timedelta) -> str:
    """Format an offset as ``UTC+05:45`` / ``UTC-05:00``.

    Args:
        offset: A UTC offset.

    Returns:
        The formatted offset.
    """
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    text = f"UTC{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"
    return text + (f":{total % 60:02d}" if total % 60 else "")

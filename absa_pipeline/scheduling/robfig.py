"""KFP's cron dialect: robfig/cron **v1.2.0** ``cron.Parse`` and ``Next``.

Kubeflow Pipelines (API server validation and the ScheduledWorkflow
controller) parse a recurring run's cron with robfig/cron v1
``cron.Parse``, i.e. ``NewParser(Second | Minute | Hour | Dom | Month |
DowOptional | Descriptor)``:

* 5 or 6 whitespace-separated fields: ``second minute hour day-of-month
  month [day-of-week]``; a missing day-of-week is ``*``.  So the standard
  crontab ``0 3 * * *`` is *accepted* and means second 0 of minute 3 of
  every hour.
* Fields are comma lists (empty items are skipped, as Go's
  ``strings.FieldsFunc`` does) of ``*`` / ``?`` / ``N`` / ``N-M``, each
  optionally ``/step``.  ``N/step`` means ``N-max/step``.  Numbers follow
  Go's ``strconv.Atoi`` (``+5`` and ``05`` are fine, negatives are not).
  Month names ``jan``-``dec`` and weekday names ``sun``-``sat`` are
  case-insensitive; day-of-week is 0-6 (7 is rejected).  Step 0 is
  rejected.  A range whose start is ``*`` or ``?`` ignores what follows the
  hyphen (``*-5`` is ``*``).
* ``*`` or ``?`` anywhere in a field sets robfig's *starBit* -- also for
  ``*/2`` in v1 (v3 dropped it for steps > 1).  If day-of-month or
  day-of-week has the starBit, a day must match both; otherwise either.
* Descriptors must be the whole string, lower-case, no extra spaces:
  ``@yearly @annually @monthly @weekly @daily @midnight @hourly`` and
  ``@every <Go duration>`` (durations below 1 s, including 0 and negatives,
  become 1 s; fractions of a second are dropped).

``Next`` is emulated step by step (month, day, hour, minute, second walks,
Go's ``time.Date`` normalisation, a five-year search limit), so it also
reproduces v1's behaviour around DST changes in the controller's zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

from absa_pipeline.scheduling.errors import CronError
from absa_pipeline.scheduling.fields import days_match

__all__ = [
    "KfpCron",
    "KfpEvery",
    "KfpSpec",
    "parse_go_duration",
    "parse_kfp_cron",
]

_MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DOW_ABBR = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELD_NAMES = ("second", "minute", "hour", "day-of-month", "month", "day-of-week")
_MONTH_NAMES: Mapping[str, int] = MappingProxyType({n: i + 1 for i, n in enumerate(_MONTH_ABBR)})
_DOW_NAMES: Mapping[str, int] = MappingProxyType({n: i for i, n in enumerate(_DOW_ABBR)})
_NO_NAMES: Mapping[str, int] = MappingProxyType({})
_BOUNDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, _NO_NAMES),
    (0, 59, _NO_NAMES),
    (0, 23, _NO_NAMES),
    (1, 31, _NO_NAMES),
    (1, 12, _MONTH_NAMES),
    (0, 6, _DOW_NAMES),
)
# Go's unicode.IsSpace differs from str.isspace only in U+001C..U+001F.
_GO_SPACE = frozenset(chr(c) for c in range(0x3001) if chr(c).isspace()) - set("\x1c\x1d\x1e\x1f")
_ATOI = re.compile(r"[+-]?[0-9]+")
_INT64_MAX = (1 << 63) - 1
_SECOND_NS = 10**9
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

_HINT = (
    'KFP wants 6 fields "second minute hour day-of-month month day-of-week", '
    'e.g. "0 0 3 * * *" for 03:00 daily'
)


class _RobfigError(Exception):
    """A parse failure, worded like robfig's own error."""


def go_fields(text: str) -> list[str]:
    """Split like Go's ``strings.Fields`` (runs of Unicode white space).

    Args:
        text: The text to split.

    Returns:
        The non-empty fields.
    """
    fields: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in _GO_SPACE:
            if current:
                fields.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        fields.append("".join(current))
    return fields


def _atoi(text: str) -> int:
    if _ATOI.fullmatch(text) is None or not -(1 << 63) <= int(text) <= _INT64_MAX:
        raise _RobfigError(f'"{text}" is not a number')
    value = int(text)
    if value < 0:
        raise _RobfigError(f'negative number "{text}"')
    return value


def _int_or_name(text: str, names: Mapping[str, int]) -> int:
    named = names.get(text.lower())
    return named if named is not None else _atoi(text)


def _parse_range(expr: str, lo: int, hi: int, names: Mapping[str, int]) -> tuple[set[int], bool]:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    star = low_and_high[0] in ("*", "?")
    if star:
        start, end = lo, hi
    else:
        start = _int_or_name(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], names)
        else:
            raise _RobfigError(f'too many hyphens in "{expr}"')
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if single:
            end = hi
    else:
        raise _RobfigError(f'too many slashes in "{expr}"')
    if start < lo:
        raise _RobfigError(f'"{expr}" starts below the minimum {lo}')
    if end > hi:
        raise _RobfigError(f'"{expr}" ends above the maximum {hi}')
    if start > end:
        raise _RobfigError(f'"{expr}" has its start after its end')
    if step == 0:
        raise _RobfigError(f'"{expr}" has step 0')
    return set(range(start, end + 1, step)), star


def _parse_field(text: str, index: int) -> tuple[frozenset[int], bool]:
    lo, hi, names = _BOUNDS[index]
    values: set[int] = set()
    star = False
    for item in text.split(","):
        if not item:
            continue  # strings.FieldsFunc drops empty items
        try:
            bits, item_star = _parse_range(item, lo, hi, names)
        except _RobfigError as exc:
            raise _RobfigError(f"{_FIELD_NAMES[index]} field: {exc} (allowed {lo}-{hi})") from None
        values |= bits
        star = star or item_star
    return frozenset(values), star


@dataclass(frozen=True)
class KfpSpec:
    """A parsed robfig v1 field schedule (``SpecSchedule``).

    Attributes:
        expr: The expression as given.
        seconds: Seconds 0-59 that fire.
        minutes: Minutes 0-59 that fire.
        hours: Hours 0-23 that fire.
        days_of_month: Days 1-31 that fire.
        months: Months 1-12 that fire.
        days_of_week: Weekdays 0-6 (0 = Sunday) that fire.
        dom_star: Whether day-of-month carries robfig's starBit.
        dow_star: Whether day-of-week carries robfig's starBit.
    """

    expr: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]
    dom_star: bool
    dow_star: bool

    @property
    def day_and(self) -> bool:
        """Whether both day fields must match (robfig: either has the starBit)."""
        return self.dom_star or self.dow_star

    def day_matches(self, day: date) -> bool:
        """Apply robfig's ``dayMatches`` to a calendar day.

        Args:
            day: The day.

        Returns:
            Whether the day fields accept ``day``.
        """
        return days_match(day, self.days_of_month, self.days_of_week, self.day_and)

    def next_after(self, t: datetime, zone: ZoneInfo) -> datetime | None:
        """Emulate robfig v1 ``SpecSchedule.Next`` with ``t`` in ``zone``.

        Args:
            t: An aware datetime; the result is strictly later.
            zone: The controller's zone (``CRON_SCHEDULE_TIMEZONE``).

        Returns:
            The next fire time in ``zone``, or ``None`` when robfig finds none
            within five years (it returns Go's zero time).
        """
        return _spec_next(self, t, zone)


@dataclass(frozen=True)
class KfpEvery:
    """A parsed ``@every <duration>`` (robfig ``ConstantDelaySchedule``).

    Attributes:
        expr: The expression as given.
        seconds: The delay in whole seconds (at least 1).
    """

    expr: str
    seconds: int

    def next_after(self, t: datetime, zone: ZoneInfo) -> datetime | None:
        """Emulate ``ConstantDelaySchedule.Next``: ``t`` rounded down to the second plus the delay.

        Args:
            t: An aware datetime (KFP passes the last run's time).
            zone: Zone for the returned datetime.

        Returns:
            The next fire time in ``zone``.
        """
        return datetime.fromtimestamp(_floor_epoch(t) + self.seconds, zone)


KfpCron = KfpSpec | KfpEvery


def _full(index: int) -> frozenset[int]:
    lo, hi, _ = _BOUNDS[index]
    return frozenset(range(lo, hi + 1))


def _descriptor_spec(
    expr: str, minute: bool, hour: bool, dom: bool, month: bool, dow: bool
) -> KfpSpec:
    # True = "all values + starBit", False = "the minimum only" (robfig's descriptors)
    def pick(is_all: bool, index: int) -> frozenset[int]:
        return _full(index) if is_all else frozenset({_BOUNDS[index][0]})

    return KfpSpec(
        expr=expr,
        seconds=frozenset({0}),
        minutes=pick(minute, 1),
        hours=pick(hour, 2),
        days_of_month=pick(dom, 3),
        months=pick(month, 4),
        days_of_week=pick(dow, 5),
        dom_star=dom,
        dow_star=dow,
    )


_DESCRIPTORS: Mapping[str, tuple[bool, bool, bool, bool, bool]] = MappingProxyType(
    {
        "@yearly": (False, False, False, False, True),
        "@annually": (False, False, False, False, True),
        "@monthly": (False, False, False, True, True),
        "@weekly": (False, False, True, True, False),
        "@daily": (False, False, True, True, True),
        "@midnight": (False, False, True, True, True),
        "@hourly": (False, True, True, True, True),
    }
)

_GO_UNITS: Mapping[str, int] = MappingProxyType(
    {
        "ns": 1,
        "us": 1_000,
        "\u00b5s": 1_000,
        "\u03bcs": 1_000,
        "ms": 1_000_000,
        "s": _SECOND_NS,
        "m": 60 * _SECOND_NS,
        "h": 3600 * _SECOND_NS,
    }
)


def parse_go_duration(text: str) -> int:
    """Parse a Go ``time.ParseDuration`` string into nanoseconds.

    Args:
        text: E.g. ``"1h30m"``, ``"90s"``, ``"1.5h"``, ``"-2m"``, ``"0"``.

    Returns:
        The duration in nanoseconds (may be negative).

    Raises:
        ValueError: Where Go returns an error (no unit, unknown unit, overflow).
    """
    orig, s, total, neg = text, text, 0, False
    if s[:1] in ("+", "-"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'invalid duration "{orig}"')
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise ValueError(f'invalid duration "{orig}"')
        i = 0
        value = 0
        while i < len(s) and "0" <= s[i] <= "9":
            if value > (1 << 63) // 10:
                raise ValueError(f'invalid duration "{orig}"')
            value = value * 10 + int(s[i])
            if value > 1 << 63:
                raise ValueError(f'invalid duration "{orig}"')
            i += 1
        pre, s = i > 0, s[i:]
        frac, scale, post = 0, 1.0, False
        if s[:1] == ".":
            s = s[1:]
            i, overflow = 0, False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    if frac > _INT64_MAX // 10:
                        overflow = True
                    else:
                        frac, scale = frac * 10 + int(s[i]), scale * 10
                i += 1
            post, s = i > 0, s[i:]
        if not pre and not post:
            raise ValueError(f'invalid duration "{orig}"')
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError(f'missing unit in duration "{orig}"')
        unit_name, s = s[:i], s[i:]
        unit = _GO_UNITS.get(unit_name)
        if unit is None:
            raise ValueError(f'unknown unit "{unit_name}" in duration "{orig}"')
        if value > (1 << 63) // unit:
            raise ValueError(f'invalid duration "{orig}"')
        value *= unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > 1 << 63:
                raise ValueError(f'invalid duration "{orig}"')
        total += value
        if total > 1 << 63:
            raise ValueError(f'invalid duration "{orig}"')
    if neg:
        return -total
    if total > _INT64_MAX:
        raise ValueError(f'invalid duration "{orig}"')
    return total


def _parse_descriptor(expr: str) -> KfpCron:
    flags = _DESCRIPTORS.get(expr)
    if flags is not None:
        return _descriptor_spec(expr, *flags)
    if expr.startswith("@every "):
        try:
            ns = parse_go_duration(expr[len("@every ") :])
        except ValueError as exc:
            raise CronError(
                f'KFP cron "{expr}": {exc}; write a Go duration such as "@every 1h30m"'
                ' or "@every 90s"'
            ) from None
        return KfpEvery(expr=expr, seconds=max(ns, _SECOND_NS) // _SECOND_NS)
    raise CronError(
        f'KFP cron "{expr}" is not a known descriptor; use @yearly, @annually, @monthly, '
        "@weekly, @daily, @midnight, @hourly or @every <duration> (exact, lower-case)"
    )


def parse_kfp_cron(expr: str) -> KfpCron:
    """Parse ``expr`` exactly as robfig/cron v1.2.0 ``cron.Parse`` does.

    Accepts what robfig accepts (see the module docstring), with one
    deliberate exception: nothing.  Rejections raise :class:`CronError`
    naming the offending field.

    Args:
        expr: A KFP cron, e.g. ``"0 0 3 * * *"`` or ``"@every 1h"``.

    Returns:
        A :class:`KfpSpec` or :class:`KfpEvery`.

    Raises:
        CronError: If robfig v1 would reject ``expr``.
    """
    if not isinstance(expr, str) or expr == "":
        raise CronError(f"KFP cron is empty; {_HINT}")
    if expr[0] == "@":
        return _parse_descriptor(expr)
    if expr.lstrip().startswith("@"):
        raise CronError(f'KFP cron "{expr}" has white space before the descriptor; remove it')
    fields = go_fields(expr)
    if len(fields) not in (5, 6):
        raise CronError(f'KFP cron "{expr}" has {len(fields)} fields, not 5 or 6; {_HINT}')
    if len(fields) == 5:
        fields.append("*")
    parsed: list[tuple[frozenset[int], bool]] = []
    for index, text in enumerate(fields):
        try:
            parsed.append(_parse_field(text, index))
        except _RobfigError as exc:
            raise CronError(f'KFP cron "{expr}": {exc}; {_HINT}') from None
    return KfpSpec(
        expr=expr,
        seconds=parsed[0][0],
        minutes=parsed[1][0],
        hours=parsed[2][0],
        days_of_month=parsed[3][0],
        months=parsed[4][0],
        days_of_week=parsed[5][0],
        dom_star=parsed[3][1],
        dow_star=parsed[5][1],
    )


# --- Go time emulation -------------------------------------------------------


def _floor_epoch(t: datetime) -> int:
    if t.tzinfo is None or t.utcoffset() is None:
        raise CronError(f"{t!r} is not time-zone aware; pass an aware datetime")
    return (t - _EPOCH) // timedelta(seconds=1)


def _offset_seconds(epoch: int, zone: ZoneInfo) -> int:
    off = datetime.fromtimestamp(epoch, timezone.utc).astimezone(zone).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def _go_date(
    year: int, month: int, day: int, hour: int, minute: int, second: int, zone: ZoneInfo
) -> int:
    """Go's ``time.Date`` (with its normalisation and gap/overlap choice) as an epoch."""
    m0 = month - 1
    year += m0 // 12
    month = m0 % 12 + 1
    days = date(year, month, 1).toordinal() + day - 1 - _EPOCH_ORDINAL
    unix = days * 86400 + hour * 3600 + minute * 60 + second
    return unix - _offset_seconds(unix - _offset_seconds(unix, zone), zone)


def _spec_next(spec: KfpSpec, t: datetime, zone: ZoneInfo) -> datetime | None:
    e = _floor_epoch(t) + 1  # t.Add(1s - nanos)
    added = False
    w = datetime.fromtimestamp(e, zone)
    year_limit = w.year + 5

    def wall(epoch: int) -> datetime:
        return datetime.fromtimestamp(epoch, zone)

    while True:  # WRAP
        w = wall(e)
        if w.year > year_limit:
            return None
        wrapped = False
        while w.month not in spec.months:
            if not added:
                added = True
                e = _go_date(w.year, w.month, 1, 0, 0, 0, zone)
                w = wall(e)
            e = _go_date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second, zone)
            w = wall(e)
            if w.month == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while not spec.day_matches(w.date()):
            if not added:
                added = True
                e = _go_date(w.year, w.month, w.day, 0, 0, 0, zone)
                w = wall(e)
            e = _go_date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second, zone)
            w = wall(e)
            if w.day == 1:
                wrapped = True
                break
        if wrapped:
            continue
        while w.hour not in spec.hours:
            if not added:
                added = True
                e = _go_date(w.year, w.month, w.day, w.hour, 0, 0, zone)
            e += 3600
            w = wall(e)
            if w.hour == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while w.minute not in spec.minutes:
            if not added:
                added = True
                e -= e % 60
            e += 60
            w = wall(e)
            if w.minute == 0:
                wrapped = True
                break
        if wrapped:
            continue
        while w.second not in spec.seconds:
            added = True
            e += 1
            w = wall(e)
            if w.second == 0:
                wrapped = True
                break
        if wrapped:
            continue
        return w


def iter_kfp(cron: KfpCron, start: datetime, zone: ZoneInfo) -> Iterator[datetime]:
    """Yield successive fire times the way KFP's controller chains ``Next``.

    Args:
        cron: A parsed KFP cron.
        start: Aware start; the first result is strictly later.
        zone: The controller's zone.

    Yields:
        Fire times in ``zone``; stops when robfig would return the zero time.
    """
    t: datetime | None = start
    while t is not None:
        t = cron.next_after(t, zone)
        if t is not None:
            yield t

"""Standard 5-field crontab (Vixie cron / POSIX), and its Kubernetes form.

Grammar accepted by :func:`parse_standard_cron`:

* exactly 5 fields ``minute hour day-of-month month day-of-week``
  (0-59, 0-23, 1-31, 1-12 or ``jan``-``dec``, 0-7 or ``sun``-``sat`` with
  0 and 7 both Sunday), separated by spaces or tabs; surrounding white space
  is ignored;
* each field a comma list of ``*``, ``*/step``, ``N``, ``N-M`` or
  ``N-M/step`` (names allowed as ``N``/``M``, case-insensitive);
* or one of ``@yearly @annually @monthly @weekly @daily @midnight @hourly``.

Refused because implementations disagree (say what you mean instead):
``N/step`` (Vixie rejects it, robfig reads ``N-max/step``), ``?``, reversed
ranges, step 0, empty list items, ``@reboot``, ``@every`` and ``TZ=`` /
``CRON_TZ=`` prefixes.

Day rule (Vixie): if the day-of-month or day-of-week field *starts with*
``*`` a day must match both, otherwise either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

from absa_pipeline.scheduling.errors import CronError
from absa_pipeline.scheduling.fields import days_match, render_values

__all__ = ["StandardCron", "parse_standard_cron", "standard_cron"]

_MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DOW_ABBR = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")
_MONTHS: Mapping[str, int] = MappingProxyType({n: i + 1 for i, n in enumerate(_MONTH_ABBR)})
_DOWS: Mapping[str, int] = MappingProxyType({n: i for i, n in enumerate(_DOW_ABBR)})
_NONE: Mapping[str, int] = MappingProxyType({})
_BOUNDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, _NONE),
    (0, 23, _NONE),
    (1, 31, _NONE),
    (1, 12, _MONTHS),
    (0, 7, _DOWS),
)
_DESCRIPTORS: Mapping[str, str] = MappingProxyType(
    {
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    }
)
_ITEM = re.compile(
    r"(?P<lo>\*|[0-9]+|[A-Za-z]+)(?:-(?P<hi>[0-9]+|[A-Za-z]+))?(?:/(?P<step>[0-9]+))?"
)
_FORMAT = (
    'give 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 3 * * *") '
    "or @yearly/@monthly/@weekly/@daily/@hourly"
)
_SEARCH_DAYS = 5 * 366 + 2  # like robfig: give up after about five years


class _FieldError(Exception):
    pass


def _value(text: str, index: int) -> int:
    lo, hi, names = _BOUNDS[index]
    if text.isdigit():
        value = int(text)
    elif text.lower() in names:
        value = names[text.lower()]
    elif names:
        raise _FieldError(f'"{text}" is not a number or a name like "{next(iter(names))}"')
    else:
        raise _FieldError(f'"{text}" is not a number')
    if not lo <= value <= hi:
        raise _FieldError(f"{value} is outside {lo}-{hi}")
    return value


def _parse_field(text: str, index: int) -> frozenset[int]:
    lo, hi, _ = _BOUNDS[index]
    values: set[int] = set()
    for item in text.split(","):
        if item == "":
            raise _FieldError("has an empty list item")
        if item.startswith("?"):
            raise _FieldError('uses "?"; write "*"')
        match = _ITEM.fullmatch(item)
        if match is None:
            raise _FieldError(f'"{item}" is not *, N, N-M, */S or N-M/S')
        start_text, end_text, step_text = match["lo"], match["hi"], match["step"]
        if start_text == "*":
            if end_text is not None:
                raise _FieldError(f'"{item}" is not *, N, N-M, */S or N-M/S')
            start, end = lo, hi
        else:
            start = _value(start_text, index)
            if end_text is None:
                if step_text is not None:
                    raise _FieldError(
                        f'"{item}" (a value with a step) means different things to different crons;'
                        f' write "{start_text}-{hi}/{step_text}"'
                    )
                end = start
            else:
                end = _value(end_text, index)
        if start > end:
            raise _FieldError(f'range "{item}" runs backwards; write it low-high or as a list')
        step = 1 if step_text is None else int(step_text)
        if step == 0:
            raise _FieldError(f'"{item}" has step 0; use a step of 1 or more')
        values.update(range(start, end + 1, step))
    if index == 4 and 7 in values:  # 7 is Sunday, as is 0
        values = (values - {7}) | {0}
    return frozenset(values)


@dataclass(frozen=True)
class StandardCron:
    """A parsed standard crontab schedule.

    Attributes:
        expr: The expression as given (surrounding white space removed).
        fields: The five field texts (a descriptor expanded).
        minutes: Minutes 0-59 that fire.
        hours: Hours 0-23 that fire.
        days_of_month: Days 1-31 that fire.
        months: Months 1-12 that fire.
        days_of_week: Weekdays 0-6 (0 = Sunday; a given 7 is folded to 0).
        dom_star: Whether the day-of-month field starts with ``*`` (Vixie).
        dow_star: Whether the day-of-week field starts with ``*`` (Vixie).
    """

    expr: str
    fields: tuple[str, str, str, str, str]
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]
    dom_star: bool
    dow_star: bool

    @property
    def day_and(self) -> bool:
        """Whether both day fields must match (Vixie: either starts with ``*``)."""
        return self.dom_star or self.dow_star

    def day_matches(self, day: date) -> bool:
        """Whether the month and day fields accept ``day``.

        Args:
            day: A calendar day.

        Returns:
            True if a run is due on that day (at the listed times).
        """
        if day.month not in self.months:
            return False
        return days_match(day, self.days_of_month, self.days_of_week, self.day_and)

    def next_after(self, t: datetime, zone: ZoneInfo) -> datetime | None:
        """The first fire time strictly after ``t``, with the fields read in ``zone``.

        Wall-clock times that do not exist in ``zone`` (DST gaps) are skipped,
        and a repeated wall-clock time fires once, at its first occurrence.

        Args:
            t: An aware datetime.
            zone: The zone whose wall clock the fields describe.

        Returns:
            The next fire time in ``zone``, or ``None`` if none within ~5 years.

        Raises:
            CronError: If ``t`` is naive.
        """
        if t.tzinfo is None or t.utcoffset() is None:
            raise CronError(f"{t!r} is not time-zone aware; pass an aware datetime")
        t_utc = t.astimezone(timezone.utc)
        first = t.astimezone(zone).date() - timedelta(days=1)
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        for offset in range(_SEARCH_DAYS):
            day = first + timedelta(days=offset)
            if not self.day_matches(day):
                continue
            for hour in hours:
                for minute in minutes:
                    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    utc = wall.astimezone(timezone.utc)
                    if utc.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
                        continue  # in a DST gap: this wall-clock time does not exist
                    if utc > t_utc:
                        return utc.astimezone(zone)
        return None

    def iter_after(self, t: datetime, zone: ZoneInfo) -> Iterator[datetime]:
        """Yield successive fire times strictly after ``t`` (see :meth:`next_after`).

        Args:
            t: An aware datetime.
            zone: The zone whose wall clock the fields describe.

        Yields:
            Fire times in ``zone``.
        """
        nxt = self.next_after(t, zone)
        while nxt is not None:
            yield nxt
            nxt = self.next_after(nxt, zone)


def parse_standard_cron(expr: str) -> StandardCron:
    """Parse a standard 5-field crontab or descriptor (see the module docstring).

    Args:
        expr: E.g. ``"0 3 * * 1-5"`` or ``"@daily"``.

    Returns:
        The parsed schedule.

    Raises:
        CronError: If ``expr`` is not a standard crontab expression.
    """
    if not isinstance(expr, str) or not expr.strip():
        raise CronError(f"cron is empty; {_FORMAT}")
    text = expr.strip()
    upper = text.upper()
    if upper.startswith(("TZ=", "CRON_TZ=")):
        raise CronError(
            f'cron "{text}" carries its own time zone; drop the TZ= prefix and pass the zone'
            " separately (--timezone / timeZone)"
        )
    if text.startswith("@"):
        if text in _DESCRIPTORS:
            fields_text = _DESCRIPTORS[text]
        elif text.startswith("@every"):
            raise CronError(
                f'cron "{text}" is robfig\'s interval syntax, not standard crontab;'
                " KFP accepts it as is, CronJob/Argo need 5 fields"
            )
        else:
            raise CronError(f'cron "{text}" is not a supported descriptor; {_FORMAT}')
    else:
        fields_text = text
    fields = fields_text.split()
    if len(fields) != 5:
        raise CronError(
            f'cron "{text}" has {len(fields)} fields; give 5 (minute hour day-of-month month'
            " day-of-week) or 6 (KFP: second minute hour day-of-month month day-of-week)"
        )
    sets: list[frozenset[int]] = []
    for index, field in enumerate(fields):
        try:
            sets.append(_parse_field(field, index))
        except _FieldError as exc:
            raise CronError(f'cron "{text}": {_NAMES[index]} field "{field}": {exc}') from None
    return StandardCron(
        expr=text,
        fields=(fields[0], fields[1], fields[2], fields[3], fields[4]),
        minutes=sets[0],
        hours=sets[1],
        days_of_month=sets[2],
        months=sets[3],
        days_of_week=sets[4],
        dom_star=fields[2].startswith("*"),
        dow_star=fields[4].startswith("*"),
    )


def _robfig_v3_star(field: str) -> bool:
    """Whether robfig/cron v3 (Kubernetes, Argo) sets the starBit for ``field``."""
    for item in field.split(","):
        head, _, step = item.partition("/")
        if head == "*" and (not step or int(step) <= 1):
            return True
    return False


def standard_cron(expr: str) -> str:
    """Validate and normalise a standard cron for Kubernetes CronJob / Argo CronWorkflow.

    Both read the schedule with robfig/cron v3 ``ParseStandard`` and take the
    zone in a separate ``timeZone`` field, so no conversion is done.  The
    result is single-spaced, uses ``0`` rather than ``7`` for Sunday (v3
    rejects 7), keeps descriptors, and is refused when Vixie cron and robfig
    v3 would pick different days (they disagree whether ``*/2`` in a day field
    counts as ``*``).

    Args:
        expr: A 5-field crontab expression or descriptor.

    Returns:
        The normalised expression.

    Raises:
        CronError: If ``expr`` is invalid, or ambiguous between cron implementations.
    """
    cron = parse_standard_cron(expr)
    if cron.expr in _DESCRIPTORS:
        return cron.expr
    minute, hour, dom, month, dow = cron.fields
    if re.search(r"(?<![0-9])7(?![0-9])", dow):  # robfig v3 rejects 7: rewrite as 0
        dow = render_values(cron.days_of_week, 0, 6, allow_star=False)
        if cron.days_of_week == frozenset(range(7)):
            dow = "*"
    v3_and = _robfig_v3_star(dom) or _robfig_v3_star(dow)
    if v3_and != cron.day_and:
        differs = any(
            ((d in cron.days_of_month) and (w in cron.days_of_week))
            != ((d in cron.days_of_month) or (w in cron.days_of_week))
            for d in range(1, 32)
            for w in range(7)
        )
        if differs:
            raise CronError(
                f'cron "{cron.expr}" is ambiguous: crontab(5) requires both day-of-month'
                f' "{cron.fields[2]}" and day-of-week "{cron.fields[4]}" to match (a field'
                ' starts with "*") but'
                " Kubernetes/Argo accept either; spell the range out (e.g. 1-31/2 instead of */2)"
                " for either-day, or use one day field"
            )
    return " ".join((minute, hour, dom, month, dow))

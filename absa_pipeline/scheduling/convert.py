"""Conversion of a user's cron + zone into the KFP cron for the cluster's zone.

A KFP recurring run has no zone of its own: the ScheduledWorkflow controller
evaluates every cron in its own zone (env ``CRON_SCHEDULE_TIMEZONE``, UTC by
default).  :func:`to_kfp_cron` rewrites a cron written for the user's zone
into one that fires at exactly the same instants in the cluster's zone, or
raises :class:`CronError` when no single robfig v1 cron can.

Rules:

* ``@every <duration>`` is zone-independent and passes through unchanged.
* 5 fields or a descriptor are standard crontab (:mod:`.crontab`) and are
  rewritten seconds-first (``0 2 * * *`` -> ``0 0 2 * * *``).
* 6 fields are already KFP's dialect (:mod:`.robfig`); they pass through when
  no shift is needed and are shifted with the same rules as 5-field input
  otherwise (seconds are kept).
* Same zone on both sides (or zones with identical offsets and changes over
  the horizon) needs no shift, even with DST.
* Different zones: both must keep one UTC offset from ``now`` for
  :data:`~.zones.HORIZON` (3 years); then every time is moved by the
  constant difference.  Refused -- never approximated -- are: DST or any
  other offset change; minute/hour lists whose shifted times are not a
  minute x hour cross-product; a day shift that applies to some of the
  listed times but not others (unless every day of every month fires); a day
  shift when the months are restricted (except for pure day-of-month
  schedules that stay inside their month); a day-of-month that could cross a
  month end (e.g. day 1 moved back, day 28+ moved forward, 29 Feb);
  day-of-month AND day-of-week both restricted with a day shift when the
  shifted AND cannot be spelled with robfig's starBit; crons that never fire.

Every successful shifted conversion is also checked by comparing the next
fire times of both crons.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from absa_pipeline.scheduling.crontab import StandardCron, parse_standard_cron
from absa_pipeline.scheduling.errors import CronError
from absa_pipeline.scheduling.fields import render_values, star_step_text
from absa_pipeline.scheduling.robfig import (
    KfpCron,
    KfpEvery,
    KfpSpec,
    go_fields,
    iter_kfp,
    parse_kfp_cron,
)
from absa_pipeline.scheduling.zones import (
    format_offset,
    offset_changes,
    validate_timezone,
)

__all__ = ["KfpSchedule", "next_runs", "to_kfp_cron"]

_FULL_DOM = frozenset(range(1, 32))
_FULL_DOW = frozenset(range(7))
_FULL_MONTHS = frozenset(range(1, 13))
_MIN_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MAX_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_SELF_CHECK = 24


@dataclass(frozen=True)
class KfpSchedule:
    """The result of :func:`to_kfp_cron`.

    Attributes:
        kfp_cron: The cron to give KFP (robfig v1, 6 fields or ``@every``).
        cron: The user's cron, as given.
        timezone: The user's IANA zone.
        cluster_timezone: The KFP controller's IANA zone (``CRON_SCHEDULE_TIMEZONE``).
        explanation: One line saying what was converted and why.
        shift_minutes: Minutes added to the user's wall-clock times (0 if none).
    """

    kfp_cron: str
    cron: str
    timezone: str
    cluster_timezone: str
    explanation: str
    shift_minutes: int = 0


@dataclass(frozen=True)
class _Fields:
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: frozenset[int]
    months: frozenset[int]
    dow: frozenset[int]
    day_and: bool


def _day_kind(f: _Fields) -> str:
    dom_full, dow_full = f.dom == _FULL_DOM, f.dow == _FULL_DOW
    if f.day_and:
        if not f.dom or not f.dow:
            return "never"
        if dom_full and dow_full:
            return "all"
        return "dow" if dom_full else "dom" if dow_full else "and"
    if dom_full or dow_full:
        return "all"
    if not f.dom and not f.dow:
        return "never"
    return "dow" if not f.dom else "dom" if not f.dow else "or"


def _hm(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}h" + (f"{minutes % 60:02d}m" if minutes % 60 else "")


class _Ctx:
    """Wording shared by the refusals of one conversion."""

    def __init__(self, expr: str, tz: str, cluster_tz: str, delta: int) -> None:
        self.head = (
            f'cron "{expr}" in {tz} cannot be moved to cluster zone {cluster_tz} ({_hm(delta)})'
        )
        self.fix = (
            f"split it into crons that each shift cleanly, or write it in {cluster_tz} time"
            f" (timezone {cluster_tz}), or run the KFP ScheduledWorkflow controller with"
            f" CRON_SCHEDULE_TIMEZONE={tz}"
        )

    def refuse(self, problem: str) -> CronError:
        return CronError(f"{self.head}: {problem}; {self.fix}")


def _check_month_ends(f: _Fields, k: int, ctx: _Ctx) -> None:
    for month in sorted(f.months):
        where = "" if f.months == _FULL_MONTHS else f" (month {month})"
        for day in sorted(f.dom):
            if k > 0 and day <= _MAX_DAYS[month] and day + k > _MIN_DAYS[month]:
                raise ctx.refuse(f"day-of-month {day}{where} would move past the end of the month")
            if k < 0 and day + k < 1:
                raise ctx.refuse(f"day-of-month {day} would move into the previous month")
            if k < 0 and day > _MIN_DAYS[month] and day + k <= _MAX_DAYS[month]:
                raise ctx.refuse(
                    f"day-of-month {day}{where} is missing in some months but day {day + k}"
                    " is not, so the shifted cron would fire on extra days"
                )


def _shift(f: _Fields, delta: int, ctx: _Ctx) -> tuple[_Fields, int]:
    """Move every fire time by ``delta`` minutes; returns the new fields and the day shift."""
    if delta == 0:
        return f, 0
    kind = _day_kind(f)
    moved = {h * 60 + m + delta for h in f.hours for m in f.minutes}
    day_shifts = {t // 1440 for t in moved}
    times = {t % 1440 for t in moved}
    hours = frozenset(t // 60 for t in times)
    minutes = frozenset(t % 60 for t in times)
    if len(times) != len(hours) * len(minutes):
        raise ctx.refuse(
            "the listed minutes land on different minutes in different hours, which a"
            " minute x hour cron cannot say"
        )
    every_day = kind == "all" and f.months == _FULL_MONTHS
    if every_day:
        return _Fields(f.seconds, minutes, hours, f.dom, f.months, f.dow, f.day_and), 0
    if len(day_shifts) > 1:
        raise ctx.refuse(
            "the shift crosses midnight for some of the listed times but not others while"
            " the days are restricted"
        )
    k = day_shifts.pop()
    dom, dow = f.dom, f.dow
    if k != 0:
        months_full = f.months == _FULL_MONTHS
        if kind == "all" or (kind in ("dow", "or") and not months_full):
            raise ctx.refuse(
                "the months are restricted and the runs would move across a month boundary"
            )
        if kind in ("dom", "and", "or"):
            _check_month_ends(f, k, ctx)
            dom = frozenset(d + k for d in f.dom)
        if kind in ("dow", "and", "or"):
            dow = frozenset((w + k) % 7 for w in f.dow)
    return _Fields(f.seconds, minutes, hours, dom, f.months, dow, f.day_and), k


def _render(f: _Fields, ctx: _Ctx) -> str:
    kind = _day_kind(f)
    if kind == "all":
        dom, dow = "*", "*"
    elif kind == "dom":
        dom, dow = render_values(f.dom, 1, 31), "*"
    elif kind == "dow":
        dom, dow = "*", render_values(f.dow, 0, 6)
    elif kind == "or":
        dom = render_values(f.dom, 1, 31, allow_star=False)
        dow = render_values(f.dow, 0, 6, allow_star=False)
    else:  # "and": robfig ANDs only if one field has the starBit, i.e. is spelled */N
        dom_star = star_step_text(f.dom, 1, 31)
        dow_star = star_step_text(f.dow, 0, 6)
        if dom_star is not None:
            dom, dow = dom_star, render_values(f.dow, 0, 6, allow_star=False)
        elif dow_star is not None:
            dom, dow = render_values(f.dom, 1, 31, allow_star=False), dow_star
        else:
            raise ctx.refuse(
                "day-of-month and day-of-week must both match, and after the shift KFP's"
                " robfig cron can only AND them when one is written */N"
            )
    return " ".join(
        (
            render_values(f.seconds, 0, 59),
            render_values(f.minutes, 0, 59),
            render_values(f.hours, 0, 23),
            dom,
            render_values(f.months, 1, 12),
            dow,
        )
    )


def _zone_shift(
    tz_name: str, zone: ZoneInfo, cluster_name: str, cluster: ZoneInfo, now: datetime
) -> tuple[int, bool]:
    """Return (shift in minutes, whether both zones are fixed-offset over the horizon)."""
    user_changes = offset_changes(zone, now)
    if tz_name == cluster_name or zone.key == cluster.key:
        return 0, not user_changes
    cluster_changes = offset_changes(cluster, now)
    user_off = now.astimezone(zone).utcoffset()
    cluster_off = now.astimezone(cluster).utcoffset()
    assert user_off is not None and cluster_off is not None
    if user_changes == cluster_changes and user_off == cluster_off:
        return 0, not user_changes  # aliases, e.g. Asia/Calcutta and Asia/Kolkata
    for name, changes, role in (
        (tz_name, user_changes, "the schedule's zone"),
        (cluster_name, cluster_changes, "the cluster's zone"),
    ):
        if changes:
            first = changes[0]
            raise CronError(
                f"{role} {name} changes its UTC offset ({format_offset(first.before)} ->"
                f" {format_offset(first.after)} on {first.at:%Y-%m-%d}), so no single KFP cron"
                f" in {cluster_name} fires at the same {tz_name} times all year; set"
                f" CRON_SCHEDULE_TIMEZONE={tz_name} on the KFP ScheduledWorkflow controller and"
                f" pass the cron with timezone {tz_name}, or use a Kubernetes CronJob / Argo"
                f" CronWorkflow with timeZone: {tz_name}"
            )
    delta = cluster_off - user_off
    seconds = int(delta.total_seconds())
    if seconds % 60:
        raise CronError(
            f"zones {tz_name} and {cluster_name} differ by {delta}, not whole minutes; use zones"
            " whose offsets differ by whole minutes"
        )
    return seconds // 60, True


def _from_standard(cron: StandardCron) -> _Fields:
    return _Fields(
        frozenset({0}),
        cron.minutes,
        cron.hours,
        cron.days_of_month,
        cron.months,
        cron.days_of_week,
        cron.day_and,
    )


def _from_spec(spec: KfpSpec) -> _Fields:
    return _Fields(
        spec.seconds,
        spec.minutes,
        spec.hours,
        spec.days_of_month,
        spec.months,
        spec.days_of_week,
        spec.day_and,
    )


def _require_aware(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise CronError(
            f"now={now!r} is not a time-zone-aware datetime; pass e.g. datetime.now(timezone.utc)"
        )


def to_kfp_cron(
    expr: str,
    timezone: str = "UTC",
    cluster_timezone: str = "UTC",
    *,
    now: datetime,
) -> KfpSchedule:
    """Convert a user's cron in ``timezone`` into KFP's cron for ``cluster_timezone``.

    Args:
        expr: 5-field crontab, descriptor, 6-field KFP cron or ``@every <duration>``.
        timezone: IANA zone the user's cron is written in.
        cluster_timezone: IANA zone of the KFP ScheduledWorkflow controller.
        now: Aware "now"; zones are checked for offset changes from here on.

    Returns:
        The KFP cron with an explanation.

    Raises:
        CronError: If the cron or a zone is invalid, the cron never fires, or no
            single KFP cron fires at the same instants (see the module docstring).
    """
    _require_aware(now)
    zone = validate_timezone(timezone)
    cluster = validate_timezone(cluster_timezone)
    if not isinstance(expr, str) or not expr.strip():
        raise CronError(
            'cron is empty; give 5 fields "minute hour day-of-month month day-of-week"'
            ' (e.g. "0 3 * * *") or 6 (KFP: second first)'
        )
    text = expr.strip()
    if text.startswith("@every"):
        every = parse_kfp_cron(" ".join(["@every", *go_fields(text[len("@every") :])]))
        assert isinstance(every, KfpEvery)
        return KfpSchedule(
            kfp_cron=every.expr,
            cron=expr,
            timezone=timezone,
            cluster_timezone=cluster_timezone,
            explanation=(
                f"{every.expr} repeats every {timedelta(seconds=every.seconds)} after the"
                " previous run; zones do not apply"
            ),
        )
    parsed: StandardCron | KfpSpec
    if text.startswith("@") or len(text.split()) != 6:
        parsed = parse_standard_cron(text)
        fields = _from_standard(parsed)
    else:
        spec = parse_kfp_cron(" ".join(go_fields(text)))
        assert isinstance(spec, KfpSpec)
        parsed, fields = spec, _from_spec(spec)
    if parsed.next_after(now, zone) is None:
        raise CronError(
            f'cron "{text}" never fires (no matching date within 5 years); check the'
            " day-of-month/month combination"
        )
    delta, fixed = _zone_shift(timezone, zone, cluster_timezone, cluster, now)
    ctx = _Ctx(text, timezone, cluster_timezone, delta)
    if isinstance(parsed, KfpSpec) and delta == 0:
        kfp = parsed.expr
    else:
        shifted, day_shift = _shift(fields, delta, ctx)
        kfp = _render(shifted, ctx)
    result_spec = parse_kfp_cron(kfp)
    if fixed:
        _self_check(parsed, zone, result_spec, cluster, now, ctx)
    return KfpSchedule(
        kfp_cron=kfp,
        cron=expr,
        timezone=timezone,
        cluster_timezone=cluster_timezone,
        explanation=_explain(
            text, kfp, parsed, timezone, zone, cluster_timezone, cluster, delta, now
        ),
        shift_minutes=delta,
    )


def _explain(
    text: str,
    kfp: str,
    parsed: StandardCron | KfpSpec,
    tz: str,
    zone: ZoneInfo,
    cluster_tz: str,
    cluster: ZoneInfo,
    delta: int,
    now: datetime,
) -> str:
    dialect = "KFP cron" if isinstance(parsed, KfpSpec) else "crontab"
    if delta == 0:
        same = "same zone" if tz == cluster_tz else "zones with identical offsets"
        note = "" if not offset_changes(zone, now) else "; DST changes are handled by KFP itself"
        return f'{dialect} "{text}" in {tz} -> KFP "{kfp}" in {cluster_tz} ({same}, no shift{note})'
    user_off = now.astimezone(zone).utcoffset()
    cluster_off = now.astimezone(cluster).utcoffset()
    assert user_off is not None and cluster_off is not None
    return (
        f'{dialect} "{text}" in {tz} ({format_offset(user_off)}) -> KFP "{kfp}" in {cluster_tz}'
        f" ({format_offset(cluster_off)}): times moved {_hm(delta)}"
    )


def _self_check(
    parsed: StandardCron | KfpSpec,
    zone: ZoneInfo,
    result: KfpCron,
    cluster: ZoneInfo,
    now: datetime,
    ctx: _Ctx,
) -> None:
    if isinstance(parsed, StandardCron):
        want = list(itertools.islice(parsed.iter_after(now, zone), _SELF_CHECK))
    else:
        want = list(itertools.islice(iter_kfp(parsed, now, zone), _SELF_CHECK))
    got = list(itertools.islice(iter_kfp(result, now, cluster), _SELF_CHECK))
    if want != got:  # pragma: no cover - a bug guard; the rules above should prevent it
        raise ctx.refuse("the converted cron would not fire at the same instants")


def next_runs(schedule: KfpSchedule, start: datetime, count: int) -> list[datetime]:
    """The next ``count`` instants KFP will run ``schedule`` after ``start``.

    Emulates the ScheduledWorkflow controller: robfig v1 ``Next`` evaluated in
    the cluster zone, each run's time feeding the next (for ``@every`` the
    interval counts from ``start``, as from the previous run).

    Args:
        schedule: A result of :func:`to_kfp_cron`.
        start: Aware datetime; all results are strictly later.
        count: How many runs to list (0 or more).

    Returns:
        Aware datetimes in the cluster zone; fewer than ``count`` only if the
        cron stops firing (robfig's five-year search finds nothing).

    Raises:
        CronError: If ``start`` is naive or ``count`` is negative.
    """
    _require_aware(start)
    if count < 0:
        raise CronError(f"count={count} is negative; ask for 0 or more runs")
    cron: KfpCron | KfpEvery = parse_kfp_cron(schedule.kfp_cron)
    cluster = validate_timezone(schedule.cluster_timezone)
    return list(itertools.islice(iter_kfp(cron, start, cluster), count))

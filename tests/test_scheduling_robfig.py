"""robfig/cron v1.2.0 ``cron.Parse`` emulation: accept/reject tables and Next semantics."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from absa_pipeline.scheduling import CronError, KfpEvery, KfpSpec, parse_kfp_cron
from absa_pipeline.scheduling.robfig import iter_kfp, parse_go_duration

UTC = ZoneInfo("UTC")
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
BEFORE_T0 = T0 - timedelta(seconds=1)


def fires(expr: str, n: int, start: datetime = BEFORE_T0, zone: ZoneInfo = UTC) -> list[str]:
    cron = parse_kfp_cron(expr)
    return [
        t.strftime("%Y-%m-%d %a %H:%M:%S") for t in itertools.islice(iter_kfp(cron, start, zone), n)
    ]


ACCEPTED = [
    "0 0 3 * * *",
    "0 3 * * *",  # 5 fields: sec min hour dom month (dow defaults to *)
    "* * * * * ?",
    "? ? ? ? ? ?",
    "0 */15 * * * *",
    "0 0 0 1-31/2 * *",
    "0 0 0 * jan-mar mon-fri",
    "0 0 0 * JAN,Dec SUN",
    "0 5/20 * * * *",  # N/step = N-max/step
    "+5 05 1 1 1 1",  # Go Atoi accepts a sign and leading zeros
    "0 0 0 1,,15 * *",  # empty list items are skipped
    "0 0 0 , * *",  # ... even all of them: accepted, never fires
    "*-5 * * * * *",  # '*' start ignores the rest of the range
    "0 0 0 * * */100",  # step larger than the range
    "\t0  0\n3 * * *  ",  # any Go white space between fields
    "0 0 0 * * 6",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@every 1h30m",
    "@every 90s",
    "@every 0s",
    "@every 0",
    "@every -1h",
    "@every 1.5h",
    "@every 500ms",
    "@every 1h0m0.5s",
]


@pytest.mark.parametrize("expr", ACCEPTED)
def test_accepts_what_robfig_accepts(expr: str) -> None:
    assert parse_kfp_cron(expr) is not None


REJECTED = [
    ("", "empty"),
    ("0 3 * *", "4 fields"),
    ("0 0 0 3 * * * *", "8 fields"),
    ("60 * * * * *", "second field"),
    ("0 60 * * * *", "minute field"),
    ("0 0 24 * * *", "hour field"),
    ("0 0 0 0 * *", "day-of-month field"),
    ("0 0 0 32 * *", "day-of-month field"),
    ("0 0 0 * 0 *", "month field"),
    ("0 0 0 * 13 *", "month field"),
    ("0 0 0 * * 7", "day-of-week field"),  # v1 rejects Sunday-as-7
    ("0 0 0 * * sunday", "day-of-week field"),
    ("0 0 0 * * 5-1", "start after its end"),
    ("0 */0 * * * *", "step 0"),
    ("0 1-2-3 * * * *", "too many hyphens"),
    ("0 */2/3 * * * *", "too many slashes"),
    ("0 -1 * * * *", "not a number"),
    ("0 */-1 * * * *", "negative"),
    ("0 a * * * *", "not a number"),
    ("0 1.5 * * * *", "not a number"),
    ("0 99999999999999999999 * * * *", "not a number"),
    ("0 L * * * *", "not a number"),
    ("0 0 0 ? * MON#2", "not a number"),
    ("@DAILY", "not a known descriptor"),
    ("@daily ", "not a known descriptor"),
    ("@reboot", "not a known descriptor"),
    (" @daily", "white space"),
    ("@every", "not a known descriptor"),
    ("@every  1h", "invalid duration"),
    ("@every 1", "missing unit"),
    ("@every 1d", "unknown unit"),
    ("@every 1h ", "unknown unit"),
    ("@every .s", "invalid duration"),
    ("@every 9999999999h", "invalid duration"),
]


@pytest.mark.parametrize(("expr", "reason"), REJECTED)
def test_rejects_what_robfig_rejects(expr: str, reason: str) -> None:
    with pytest.raises(CronError, match=reason):
        parse_kfp_cron(expr)


@pytest.mark.parametrize(("expr", "_"), REJECTED)
def test_rejection_messages_are_one_line_with_a_fix(expr: str, _: str) -> None:
    with pytest.raises(CronError) as info:
        parse_kfp_cron(expr)
    message = str(info.value)
    assert "\n" not in message
    assert any(word in message for word in ("e.g.", "use", "write", "remove", "such as"))


def test_five_fields_are_seconds_first_not_crontab() -> None:
    # kubeflow/kubeflow#5306: "0 3 * * *" fires at minute 3 of every hour.
    assert fires("0 3 * * *", 3) == [
        "2024-01-01 Mon 00:03:00",
        "2024-01-01 Mon 01:03:00",
        "2024-01-01 Mon 02:03:00",
    ]


def test_parsed_fields() -> None:
    spec = parse_kfp_cron("1 2 3 4 5 6")
    assert isinstance(spec, KfpSpec)
    assert (spec.seconds, spec.minutes, spec.hours) == ({1}, {2}, {3})
    assert (spec.days_of_month, spec.months, spec.days_of_week) == ({4}, {5}, {6})
    assert not spec.dom_star and not spec.dow_star


@pytest.mark.parametrize(
    ("field", "star"),
    [
        ("*", True),
        ("?", True),
        ("*/2", True),
        ("*/1", True),
        ("*-3", True),
        ("1,*", True),
        ("1-31", False),
        ("1-31/2", False),
        ("5/2", False),
        ("1", False),
    ],
)
def test_star_bit_spellings(field: str, star: bool) -> None:
    spec = parse_kfp_cron(f"0 0 0 {field} * 1")
    assert isinstance(spec, KfpSpec)
    assert spec.dom_star is star


def test_star_on_either_day_field_means_and() -> None:
    # "*/2" keeps robfig v1's starBit: odd days that are also Mondays.
    assert fires("0 0 0 */2 * mon", 3) == [
        "2024-01-01 Mon 00:00:00",
        "2024-01-15 Mon 00:00:00",
        "2024-01-29 Mon 00:00:00",
    ]


def test_no_star_means_or() -> None:
    # "1-31/2" has no starBit: odd days OR Mondays.
    assert fires("0 0 0 1-31/2 * mon", 5) == [
        "2024-01-01 Mon 00:00:00",
        "2024-01-03 Wed 00:00:00",
        "2024-01-05 Fri 00:00:00",
        "2024-01-07 Sun 00:00:00",
        "2024-01-08 Mon 00:00:00",
    ]


def test_question_mark_is_a_star() -> None:
    assert fires("0 0 0 ? * 1", 2) == ["2024-01-01 Mon 00:00:00", "2024-01-08 Mon 00:00:00"]


def test_dom_and_dow_both_restricted_is_or() -> None:
    assert fires("0 0 12 13 * 5", 4) == [
        "2024-01-05 Fri 12:00:00",
        "2024-01-12 Fri 12:00:00",
        "2024-01-13 Sat 12:00:00",
        "2024-01-19 Fri 12:00:00",
    ]


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("@yearly", ["2024-01-01 Mon 00:00:00", "2025-01-01 Wed 00:00:00"]),
        ("@annually", ["2024-01-01 Mon 00:00:00", "2025-01-01 Wed 00:00:00"]),
        ("@monthly", ["2024-01-01 Mon 00:00:00", "2024-02-01 Thu 00:00:00"]),
        ("@weekly", ["2024-01-07 Sun 00:00:00", "2024-01-14 Sun 00:00:00"]),
        ("@daily", ["2024-01-01 Mon 00:00:00", "2024-01-02 Tue 00:00:00"]),
        ("@midnight", ["2024-01-01 Mon 00:00:00", "2024-01-02 Tue 00:00:00"]),
        ("@hourly", ["2024-01-01 Mon 00:00:00", "2024-01-01 Mon 01:00:00"]),
    ],
)
def test_descriptors(expr: str, expected: list[str]) -> None:
    assert fires(expr, 2) == expected


def test_leap_day_and_year_wrap() -> None:
    assert fires("0 0 0 29 2 *", 2) == ["2024-02-29 Thu 00:00:00", "2028-02-29 Tue 00:00:00"]
    assert fires("0 0 0 31 12 *", 1) == ["2024-12-31 Tue 00:00:00"]


def test_never_firing_returns_nothing_after_five_years() -> None:
    assert fires("0 0 0 30 2 *", 1) == []
    assert fires("0 0 0 , * *", 1) == []


def test_next_is_strictly_after_and_drops_sub_seconds() -> None:
    start = datetime(2024, 1, 1, 0, 0, 0, 500_000, tzinfo=timezone.utc)
    assert fires("* * * * * *", 1, start) == ["2024-01-01 Mon 00:00:01"]
    assert fires("0 * * * * *", 1, T0) == ["2024-01-01 Mon 00:01:00"]


def test_next_in_a_fixed_offset_zone() -> None:
    assert fires("0 0 3 * * *", 1, T0, ZoneInfo("Asia/Seoul")) == ["2024-01-02 Tue 03:00:00"]


def test_dst_gap_follows_go_time_date() -> None:
    # 02:30 does not exist on 2024-03-10 in New York; robfig v1 walks hour by hour
    # in absolute time, so that day's run is skipped (hour 2 never appears).
    ny = ZoneInfo("America/New_York")
    start = datetime(2024, 3, 9, 12, tzinfo=ny)
    got = [
        t.isoformat()
        for t in itertools.islice(iter_kfp(parse_kfp_cron("0 30 2 * * *"), start, ny), 2)
    ]
    assert got == ["2024-03-11T02:30:00-04:00", "2024-03-12T02:30:00-04:00"]


def test_dst_overlap_fires_twice_like_robfig() -> None:
    # robfig v1 walks absolute minutes, so 01:30 happens (and fires) twice on fall-back day.
    ny = ZoneInfo("America/New_York")
    start = datetime(2024, 11, 3, 0, tzinfo=ny)
    got = list(itertools.islice(iter_kfp(parse_kfp_cron("0 30 1 * * *"), start, ny), 2))
    assert [t.astimezone(timezone.utc).isoformat() for t in got] == [
        "2024-11-03T05:30:00+00:00",
        "2024-11-03T06:30:00+00:00",
    ]


@pytest.mark.parametrize(
    ("expr", "seconds"),
    [
        ("@every 1h30m", 5400),
        ("@every 90s", 90),
        ("@every 0s", 1),
        ("@every -1h", 1),
        ("@every 1500ms", 1),
        ("@every 2.9s", 2),
        ("@every 1.5h", 5400),
        ("@every 1m0.5s", 60),
    ],
)
def test_every_rounds_like_robfig(expr: str, seconds: int) -> None:
    cron = parse_kfp_cron(expr)
    assert cron == KfpEvery(expr=expr, seconds=seconds)


def test_every_counts_from_the_previous_time() -> None:
    start = datetime(2024, 1, 1, 0, 0, 0, 700_000, tzinfo=timezone.utc)
    got = list(itertools.islice(iter_kfp(parse_kfp_cron("@every 90s"), start, UTC), 2))
    assert got == [T0 + timedelta(seconds=90), T0 + timedelta(seconds=180)]


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("0", 0),
        ("1ns", 1),
        ("1us", 1000),
        ("1\u00b5s", 1000),
        ("1\u03bcs", 1000),
        ("1ms", 10**6),
        ("1.5s", 1_500_000_000),
        ("-2m", -120 * 10**9),
        ("+1h", 3600 * 10**9),
        (".5s", 500_000_000),
        ("1.s", 10**9),
        ("1h2m3s", 3723 * 10**9),
    ],
)
def test_go_durations(text: str, ns: int) -> None:
    assert parse_go_duration(text) == ns


@pytest.mark.parametrize("text", ["", "+", "1", "s", "1x", "1h 2m", "1e3s", "-"])
def test_go_duration_errors(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_go_duration(text)


def test_naive_start_is_refused() -> None:
    spec = parse_kfp_cron("0 0 0 * * *")
    with pytest.raises(CronError, match="aware"):
        spec.next_after(datetime(2024, 1, 1), UTC)  # noqa: DTZ001

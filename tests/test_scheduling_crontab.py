"""Standard crontab parsing, fire times, and the CronJob/Argo normaliser."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from absa_pipeline.scheduling import CronError, parse_standard_cron, standard_cron

UTC = ZoneInfo("UTC")
START = datetime(2023, 12, 31, 23, 59, tzinfo=timezone.utc)


def fires(expr: str, n: int, zone: ZoneInfo = UTC, start: datetime = START) -> list[str]:
    cron = parse_standard_cron(expr)
    return [
        t.strftime("%Y-%m-%d %a %H:%M") for t in itertools.islice(cron.iter_after(start, zone), n)
    ]


ACCEPTED = [
    "0 3 * * *",
    "*/15 * * * *",
    "0 0 1-31/2 * *",
    "0 9 * * 1-5",
    "0 9 * * mon-fri",
    "0 9 * JAN-mar SUN",
    "0 0 * * 7",
    "0 0 * * 5-7",
    "  0 3 * * *  ",
    "0\t3 * * *",
    "00 03 * * *",
    "0,30 8-18/2 1,15 * *",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
]


@pytest.mark.parametrize("expr", ACCEPTED)
def test_accepts(expr: str) -> None:
    assert parse_standard_cron(expr) is not None


REJECTED = [
    ("", "empty"),
    ("0 3 * *", "has 4 fields; give 5"),
    ("0 0 3 * * *", "has 6 fields"),
    ("60 * * * *", "minute field"),
    ("0 24 * * *", "hour field"),
    ("0 0 0 * *", "day-of-month field"),
    ("0 0 32 * *", "day-of-month field"),
    ("0 0 * 13 *", "month field"),
    ("0 0 * * 8", "day-of-week field"),
    ("0 0 * * sunday", "day-of-week field"),
    ("0 0 * foo *", "month field"),
    ("5/15 * * * *", 'write "5-59/15"'),
    ("0 0 ? * 1", 'write "\\*"'),
    ("0 0 * * 5-1", "runs backwards"),
    ("*/0 * * * *", "step 0"),
    ("1,,2 * * * *", "empty list item"),
    ("0 L * * *", "hour field"),
    ("*-5 * * * *", "minute field"),
    ("-1 * * * *", "minute field"),
    ("+1 * * * *", "minute field"),
    ("@reboot", "not a supported descriptor"),
    ("@every 1h", "interval syntax"),
    ("TZ=Asia/Seoul 0 3 * * *", "carries its own time zone"),
    ("CRON_TZ=UTC 0 3 * * *", "carries its own time zone"),
]


@pytest.mark.parametrize(("expr", "reason"), REJECTED)
def test_rejects(expr: str, reason: str) -> None:
    with pytest.raises(CronError, match=reason):
        parse_standard_cron(expr)


def test_four_field_message_matches_the_spec() -> None:
    with pytest.raises(CronError) as info:
        parse_standard_cron("0 3 * *")
    assert str(info.value) == (
        'cron "0 3 * *" has 4 fields; give 5 (minute hour day-of-month month day-of-week) '
        "or 6 (KFP: second minute hour day-of-month month day-of-week)"
    )


def test_seven_is_sunday() -> None:
    assert parse_standard_cron("0 0 * * 7").days_of_week == {0}
    assert parse_standard_cron("0 0 * * 5-7").days_of_week == {5, 6, 0}
    assert fires("0 0 * * 7", 2) == fires("0 0 * * 0", 2) == fires("0 0 * * sun", 2)


def test_names_are_case_insensitive() -> None:
    assert parse_standard_cron("0 0 * JaN-MAR Mon").months == {1, 2, 3}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("@yearly", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
    ],
)
def test_descriptors_expand(expr: str, expected: str) -> None:
    assert parse_standard_cron(expr).fields == tuple(expected.split())


def test_both_day_fields_restricted_is_or() -> None:
    assert fires("0 12 13 * 5", 4) == [
        "2024-01-05 Fri 12:00",
        "2024-01-12 Fri 12:00",
        "2024-01-13 Sat 12:00",
        "2024-01-19 Fri 12:00",
    ]


def test_a_star_first_day_field_means_and() -> None:
    # Vixie: "*/2" starts with "*" -> odd days that are also Mondays.
    assert fires("0 0 */2 * 1", 3) == [
        "2024-01-01 Mon 00:00",
        "2024-01-15 Mon 00:00",
        "2024-01-29 Mon 00:00",
    ]
    assert fires("0 0 1-31/2 * 1", 3) == [
        "2024-01-01 Mon 00:00",
        "2024-01-03 Wed 00:00",
        "2024-01-05 Fri 00:00",
    ]


def test_fires_in_the_given_zone() -> None:
    # START is 08:59 on 1 Jan in Seoul, so the next 03:00 there is on 2 Jan.
    assert fires("0 3 * * *", 1, ZoneInfo("Asia/Seoul")) == ["2024-01-02 Tue 03:00"]
    got = next(parse_standard_cron("0 3 * * *").iter_after(START, ZoneInfo("Asia/Seoul")))
    assert got.astimezone(timezone.utc) == datetime(2024, 1, 1, 18, tzinfo=timezone.utc)


def test_leap_day() -> None:
    assert fires("0 0 29 2 *", 2) == ["2024-02-29 Thu 00:00", "2028-02-29 Tue 00:00"]


def test_never_fires() -> None:
    assert fires("0 0 30 2 *", 1) == []


def test_dst_gap_is_skipped_and_overlap_fires_once() -> None:
    ny = ZoneInfo("America/New_York")
    spring = datetime(2024, 3, 9, 12, tzinfo=ny)
    assert fires("30 2 * * *", 2, ny, spring) == ["2024-03-11 Mon 02:30", "2024-03-12 Tue 02:30"]
    autumn = datetime(2024, 11, 3, 0, tzinfo=ny)
    got = list(itertools.islice(parse_standard_cron("30 1 * * *").iter_after(autumn, ny), 2))
    assert [t.astimezone(timezone.utc).hour for t in got] == [5, 6]
    assert [t.day for t in got] == [3, 4]


def test_naive_time_is_refused() -> None:
    with pytest.raises(CronError, match="aware"):
        parse_standard_cron("0 0 * * *").next_after(datetime(2024, 1, 1), UTC)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("0 3 * * *", "0 3 * * *"),
        ("  0\t3  * * 1-5 ", "0 3 * * 1-5"),
        ("0 3 * * 7", "0 3 * * 0"),
        ("0 3 * * 5-7", "0 3 * * 0,5,6"),
        ("0 3 * * 0-7", "0 3 * * *"),
        ("0 3 * * sun", "0 3 * * sun"),
        ("@daily", "@daily"),
        ("*/15 * * * *", "*/15 * * * *"),
        ("0 0 1-31/2 * 1", "0 0 1-31/2 * 1"),
        ("0 0 */2 * *", "0 0 */2 * *"),
        ("0 0 1 * *", "0 0 1 * *"),
    ],
)
def test_standard_cron_normalises(expr: str, expected: str) -> None:
    assert standard_cron(expr) == expected


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("0 0 */2 * 1", "ambiguous"),
        ("0 0 1 * */2", "ambiguous"),
        ("0 3 * *", "4 fields"),
        ("0 0 * * 8", "day-of-week"),
    ],
)
def test_standard_cron_refuses(expr: str, reason: str) -> None:
    with pytest.raises(CronError, match=reason):
        standard_cron(expr)

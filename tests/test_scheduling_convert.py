"""to_kfp_cron / next_runs, every conversion checked by fire times."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from absa_pipeline.scheduling import (
    CronError,
    KfpSchedule,
    next_runs,
    offset_changes,
    parse_kfp_cron,
    parse_standard_cron,
    to_kfp_cron,
    validate_timezone,
)
from absa_pipeline.scheduling.robfig import iter_kfp

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
# Starts so that 50 runs cross a year boundary and the 2028 leap day.
STARTS = (datetime(2027, 12, 20, tzinfo=timezone.utc), datetime(2028, 2, 20, tzinfo=timezone.utc))


def user_fires(expr: str, tz: str, start: datetime, n: int) -> list[datetime]:
    zone = ZoneInfo(tz)
    if len(expr.split()) == 6:
        return list(itertools.islice(iter_kfp(parse_kfp_cron(expr), start, zone), n))
    return list(itertools.islice(parse_standard_cron(expr).iter_after(start, zone), n))


def assert_same_fires(expr: str, tz: str, cluster: str = "UTC", n: int = 50) -> KfpSchedule:
    schedule = to_kfp_cron(expr, tz, cluster, now=NOW)
    for start in STARTS:
        want = user_fires(expr, tz, start, n)
        got = next_runs(schedule, start, n)
        assert len(want) == n
        assert got == want, (expr, tz, schedule.kfp_cron)
    return schedule


@pytest.mark.parametrize(
    ("expr", "tz", "cluster", "kfp"),
    [
        ("0 2 * * *", "UTC", "UTC", "0 0 2 * * *"),
        ("@daily", "UTC", "UTC", "0 0 0 * * *"),
        ("@midnight", "UTC", "UTC", "0 0 0 * * *"),
        ("@hourly", "UTC", "UTC", "0 0 * * * *"),
        ("@weekly", "UTC", "UTC", "0 0 0 * * 0"),
        ("@monthly", "UTC", "UTC", "0 0 0 1 * *"),
        ("@yearly", "UTC", "UTC", "0 0 0 1 1 *"),
        ("0 3 * * *", "Asia/Seoul", "UTC", "0 0 18 * * *"),
        ("0 2 * * 1", "Asia/Seoul", "UTC", "0 0 17 * * 0"),
        ("0 2 * * 0", "Asia/Seoul", "UTC", "0 0 17 * * 6"),  # Sunday - 1 = Saturday
        ("0 2 * * 7", "Asia/Seoul", "UTC", "0 0 17 * * 6"),
        ("0 3 * * *", "Asia/Kolkata", "UTC", "0 30 21 * * *"),
        ("0 9 * * 1-5", "Asia/Kathmandu", "UTC", "0 15 3 * * 1-5"),
        ("*/15 * * * *", "Asia/Kolkata", "UTC", "0 */15 * * * *"),
        ("*/30 * * * *", "Asia/Kolkata", "UTC", "0 0,30 * * * *"),
        ("15 * * * *", "Asia/Kolkata", "UTC", "0 45 * * * *"),
        ("0 22 * * 6", "America/Bogota", "UTC", "0 0 3 * * 0"),  # Saturday + 1 = Sunday
        ("0 22 15 * *", "America/Bogota", "UTC", "0 0 3 16 * *"),
        ("0 1 15 * *", "Asia/Seoul", "UTC", "0 0 16 14 * *"),  # dom 15 -> 14
        ("0 1-5 * * 1", "Asia/Seoul", "UTC", "0 0 16-20 * * 0"),  # all hours cross midnight
        ("0 1-5 10 * *", "Asia/Seoul", "UTC", "0 0 16-20 9 * *"),
        ("0 1 15 6 *", "Asia/Seoul", "UTC", "0 0 16 14 6 *"),  # months + dom inside the month
        ("0 1 10,20 * 3", "Asia/Seoul", "UTC", "0 0 16 9,19 * 2"),  # OR rule shifted
        ("30 12 * * *", "Asia/Seoul", "Asia/Tokyo", "0 30 12 * * *"),  # same offset
        ("0 12 * * *", "Asia/Seoul", "Asia/Kolkata", "0 30 8 * * *"),
        ("0 3 * * *", "UTC", "Asia/Seoul", "0 0 12 * * *"),
        ("0 3 * * *", "Asia/Calcutta", "Asia/Kolkata", "0 0 3 * * *"),  # aliases
        ("0 0 3 * * *", "Asia/Seoul", "UTC", "0 0 18 * * *"),  # 6-field input is shifted too
        ("*/10 0 3 * * 1", "Asia/Seoul", "UTC", "*/10 0 18 * * 0"),
        ("0 0 18 * * *", "UTC", "UTC", "0 0 18 * * *"),  # 6-field, no shift: verbatim
        ("0 0 0 */2 * 1", "UTC", "UTC", "0 0 0 */2 * 1"),
        ("0 0 */2 * 1", "UTC", "UTC", "0 0 0 */2 * 1"),  # Vixie AND kept via starBit
        ("0 0 1-31/2 * 1", "UTC", "UTC", "0 0 0 1-31/2 * 1"),  # OR kept (no starBit)
        ("0 12 1-31 * 1", "UTC", "UTC", "0 0 12 * * *"),  # OR with a full field = every day
    ],
)
def test_conversions_fire_at_the_same_instants(expr: str, tz: str, cluster: str, kfp: str) -> None:
    schedule = assert_same_fires(expr, tz, cluster)
    assert schedule.kfp_cron == kfp
    assert schedule.cron == expr
    assert (schedule.timezone, schedule.cluster_timezone) == (tz, cluster)
    assert kfp in schedule.explanation


def test_large_shift_two_days() -> None:
    # UTC+14 -> UTC-11 is a 25 h shift back: 12:00 becomes 11:00 the previous day.
    schedule = assert_same_fires("0 12 5-15 * *", "Pacific/Kiritimati", "Pacific/Pago_Pago")
    assert schedule.kfp_cron == "0 0 11 4-14 * *"
    with pytest.raises(CronError, match="previous month"):
        to_kfp_cron("0 12 1-15 * *", "Pacific/Kiritimati", "Pacific/Pago_Pago", now=NOW)
    assert schedule.shift_minutes == -25 * 60


def test_same_dst_zone_needs_no_conversion() -> None:
    schedule = to_kfp_cron("0 12 * * *", "America/New_York", "America/New_York", now=NOW)
    assert schedule.kfp_cron == "0 0 12 * * *"
    assert schedule.shift_minutes == 0
    ny = ZoneInfo("America/New_York")
    runs = next_runs(schedule, datetime(2025, 3, 1, tzinfo=ny), 40)
    assert {(t.hour, t.minute) for t in runs} == {(12, 0)}
    assert runs == user_fires("0 12 * * *", "America/New_York", datetime(2025, 3, 1, tzinfo=ny), 40)


def test_every_passes_through() -> None:
    schedule = to_kfp_cron("@every 1h30m", "America/New_York", "UTC", now=NOW)
    assert schedule.kfp_cron == "@every 1h30m"
    runs = next_runs(schedule, NOW, 2)
    assert [r.astimezone(timezone.utc) for r in runs] == [
        datetime(2025, 6, 1, 1, 30, tzinfo=timezone.utc),
        datetime(2025, 6, 1, 3, tzinfo=timezone.utc),
    ]


REFUSALS = [
    ("0 3 * * *", "America/New_York", "UTC", "America/New_York changes its UTC offset"),
    ("0 3 * * *", "Europe/Berlin", "UTC", "Europe/Berlin changes its UTC offset"),
    ("0 3 * * *", "Australia/Sydney", "UTC", "Australia/Sydney changes its UTC offset"),
    ("0 3 * * *", "UTC", "Europe/Berlin", "cluster's zone Europe/Berlin changes"),
    ("0 3 * * *", "America/New_York", "America/Chicago", "changes its UTC offset"),
    ("0 1 1 * *", "Asia/Seoul", "UTC", "day-of-month 1 would move into the previous month"),
    ("0 20 28 * *", "America/Bogota", "UTC", "day-of-month 28 would move past the end"),
    ("0 20 31 1 *", "America/Bogota", "UTC", "past the end"),
    ("0 1 29 2 *", "Asia/Seoul", "UTC", "missing in some months"),
    ("0 1 31 * *", "Asia/Seoul", "UTC", "missing in some months"),
    ("0 1,12 * * 1", "Asia/Seoul", "UTC", "crosses midnight for some of the listed times"),
    ("30 1,5 * * 1", "Asia/Kolkata", "UTC", "crosses midnight for some"),
    ("0,45 3 * * *", "Asia/Kolkata", "UTC", "different minutes in different hours"),
    ("*/15 9-17 * * *", "Asia/Kolkata", "UTC", "different minutes in different hours"),
    ("0 1 * 3 *", "Asia/Seoul", "UTC", "months are restricted"),
    ("0 1 * 3 1", "Asia/Seoul", "UTC", "months are restricted"),
    ("0 1 10 3 1", "Asia/Seoul", "UTC", "months are restricted"),
    ("0 1 */2 * 1", "Asia/Seoul", "UTC", "previous month"),
    ("0 1 2-27/5 * */2", "Asia/Seoul", "UTC", "can only AND them"),
    ("0 0 30 2 *", "UTC", "UTC", "never fires"),
    ("0 0 0 , * *", "UTC", "UTC", "never fires"),
    ("0 3 * *", "UTC", "UTC", "has 4 fields; give 5"),
    ("0 0 0 3 * * 7", "UTC", "UTC", "7 fields"),
    ("0 0 0 * * 7", "UTC", "UTC", "day-of-week field"),
    ("", "UTC", "UTC", "empty"),
    ("0 3 * * *", "Asia/Seol", "UTC", 'unknown time zone "Asia/Seol".*Asia/Seoul'),
    ("0 3 * * *", "UTC", "Mars/Base", 'unknown time zone "Mars/Base".*"Asia/Seoul"'),
    ("0 3 * * *", "", "UTC", "time zone is empty"),
    ("0 3 * * *", "../etc/passwd", "UTC", "unknown time zone"),
]


@pytest.mark.parametrize(("expr", "tz", "cluster", "problem"), REFUSALS)
def test_refusals_name_the_problem(expr: str, tz: str, cluster: str, problem: str) -> None:
    with pytest.raises(CronError, match=problem):
        to_kfp_cron(expr, tz, cluster, now=NOW)


@pytest.mark.parametrize(("expr", "tz", "cluster", "_"), REFUSALS)
def test_refusals_are_one_line(expr: str, tz: str, cluster: str, _: str) -> None:
    with pytest.raises(CronError) as info:
        to_kfp_cron(expr, tz, cluster, now=NOW)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_dst_refusal_suggests_controller_zone_or_cronjob() -> None:
    with pytest.raises(CronError) as info:
        to_kfp_cron("0 3 * * *", "America/New_York", "UTC", now=NOW)
    message = str(info.value)
    assert "CRON_SCHEDULE_TIMEZONE=America/New_York" in message
    assert "CronJob" in message and "timeZone" in message


def test_shift_refusal_suggests_a_fix() -> None:
    with pytest.raises(CronError) as info:
        to_kfp_cron("0 1 1 * *", "Asia/Seoul", "UTC", now=NOW)
    assert "CRON_SCHEDULE_TIMEZONE=Asia/Seoul" in str(info.value)


def test_zone_that_stops_dst_within_the_horizon_is_refused() -> None:
    # Looking ahead from 2021, Mexico City still had DST (abolished in late 2022).
    with pytest.raises(CronError, match="America/Mexico_City changes its UTC offset"):
        to_kfp_cron(
            "0 3 * * *", "America/Mexico_City", "UTC", now=datetime(2021, 1, 1, tzinfo=timezone.utc)
        )


def test_zone_without_dst_today_converts() -> None:
    schedule = to_kfp_cron("0 3 * * *", "America/Mexico_City", "UTC", now=NOW)
    assert schedule.kfp_cron == "0 0 9 * * *"


def test_naive_now_is_refused() -> None:
    with pytest.raises(CronError, match="aware"):
        to_kfp_cron("0 3 * * *", now=datetime(2025, 1, 1))  # noqa: DTZ001


def test_next_runs_arguments() -> None:
    schedule = to_kfp_cron("0 3 * * *", "Asia/Seoul", now=NOW)
    assert next_runs(schedule, NOW, 0) == []
    runs = next_runs(schedule, NOW, 2)
    assert [r.tzinfo for r in runs] == [ZoneInfo("UTC")] * 2
    assert [r.astimezone(ZoneInfo("Asia/Seoul")).hour for r in runs] == [3, 3]
    with pytest.raises(CronError, match="negative"):
        next_runs(schedule, NOW, -1)


def test_validate_timezone() -> None:
    assert validate_timezone("Asia/Seoul") == ZoneInfo("Asia/Seoul")
    with pytest.raises(CronError, match='did you mean "Asia/Seoul"'):
        validate_timezone("Asia/Seol")


def test_offset_changes() -> None:
    assert offset_changes(ZoneInfo("Asia/Kolkata"), NOW) == ()
    changes = offset_changes(ZoneInfo("Europe/Berlin"), NOW)
    assert len(changes) == 6
    assert changes[0].at == datetime(2025, 10, 26, 1, tzinfo=timezone.utc)

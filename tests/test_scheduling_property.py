"""Property: a conversion either raises CronError or fires at exactly the same instants."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from absa_pipeline.scheduling import CronError, next_runs, parse_standard_cron, to_kfp_cron

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
# Zones without DST, spanning -11:00 .. +14:00 including :30 and :45 offsets.
FIXED_ZONES = [
    "UTC",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Dubai",
    "America/Bogota",
    "America/Lima",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Marquesas",
    "Australia/Eucla",
    "Asia/Yangon",
    "Asia/Singapore",
]


def field(values: st.SearchStrategy[int], star_weight: int = 3) -> st.SearchStrategy[str]:
    single = values.map(str)
    listed = st.lists(values, min_size=1, max_size=3, unique=True).map(
        lambda xs: ",".join(str(x) for x in sorted(xs))
    )
    ranged = st.tuples(values, values).map(lambda ab: f"{min(ab)}-{max(ab)}")
    stepped = st.integers(2, 20).map(lambda s: f"*/{s}")
    return st.one_of([st.just("*")] * star_weight + [single, listed, ranged, stepped])


CRONS = st.tuples(
    field(st.integers(0, 59), 1),
    field(st.integers(0, 23), 2),
    field(st.integers(1, 31), 4),
    field(st.integers(1, 12), 6),
    field(st.integers(0, 7), 4),
).map(" ".join)


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    expr=CRONS,
    tz=st.sampled_from(FIXED_ZONES),
    cluster=st.sampled_from(FIXED_ZONES),
    start_days=st.integers(0, 4 * 365),
)
def test_converted_cron_fires_at_the_same_instants(
    expr: str, tz: str, cluster: str, start_days: int
) -> None:
    try:
        schedule = to_kfp_cron(expr, tz, cluster, now=NOW)
    except CronError as exc:
        assert "\n" not in str(exc)
        return
    start = NOW + timedelta(days=start_days, minutes=7)
    want = list(itertools.islice(parse_standard_cron(expr).iter_after(start, ZoneInfo(tz)), 12))
    assert next_runs(schedule, start, 12) == want

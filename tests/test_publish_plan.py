"""Reconcile planning and comparison: pure, exhaustive."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from absa_pipeline.publish.desired import RecurringRunSpec, differences
from absa_pipeline.publish.plan import NEW, LiveRun, Step, plan_recurring_run

DESIRED = RecurringRunSpec(
    display_name="daily", pipeline_id="p1", pipeline_version_id="v1", cron="0 0 2 * * *",
    interval_second=None, start_time=None, end_time=None, parameters={"replicas": 3},
    max_concurrency=1, no_catchup=True, enabled=True)


def live(run_id: str, created: str = "2026-01-01", **changes: object) -> LiveRun:
    return LiveRun(run_id, dataclasses.replace(DESIRED, **changes), created)


def steps(plan) -> list[tuple[str, str]]:
    return [(s.action, s.recurring_run_id) for s in plan.steps]


def test_nothing_live_creates_then_enables() -> None:
    plan = plan_recurring_run(DESIRED, [])
    assert steps(plan) == [("create", NEW), ("enable", NEW)]
    assert plan.reasons == ("missing",) and plan.keep is None and plan.changes


def test_nothing_live_and_disabled_wanted_only_creates() -> None:
    plan = plan_recurring_run(dataclasses.replace(DESIRED, enabled=False), [])
    assert steps(plan) == [("create", NEW)]


def test_an_equal_run_means_no_write() -> None:
    plan = plan_recurring_run(DESIRED, [live("a", parameters={"replicas": 3.0})])
    assert steps(plan) == [] and not plan.changes
    assert plan.keep is not None and plan.keep.recurring_run_id == "a"


@pytest.mark.parametrize(("wanted", "has", "action"), [(True, False, "enable"),
                                                        (False, True, "disable")])
def test_only_the_enabled_state_differs(wanted: bool, has: bool, action: str) -> None:
    plan = plan_recurring_run(dataclasses.replace(DESIRED, enabled=wanted),
                              [live("a", enabled=has)])
    assert steps(plan) == [(action, "a")]


def test_a_different_enabled_run_is_swapped_in_order() -> None:
    plan = plan_recurring_run(DESIRED, [live("old", cron="0 0 3 * * *")])
    assert steps(plan) == [("create", NEW), ("disable", "old"), ("enable", NEW),
                           ("delete", "old")]
    assert plan.reasons == ("cron",)


def test_a_different_disabled_run_is_not_disabled_again() -> None:
    plan = plan_recurring_run(DESIRED, [live("old", max_concurrency=2, enabled=False)])
    assert steps(plan) == [("create", NEW), ("enable", NEW), ("delete", "old")]
    assert plan.reasons == ("max_concurrency", "enabled")


def test_leftover_copies_are_retired_around_the_equal_one() -> None:
    plan = plan_recurring_run(DESIRED, [live("stale", cron="x"), live("good"),
                                        live("stale-off", cron="x", enabled=False)])
    assert plan.keep is not None and plan.keep.recurring_run_id == "good"
    assert steps(plan) == [("disable", "stale"), ("delete", "stale"), ("delete", "stale-off")]


def test_of_equal_copies_the_one_in_the_right_state_then_the_newest_is_kept() -> None:
    plan = plan_recurring_run(DESIRED, [live("older", "2026-01-01"), live("newer", "2026-02-01"),
                                        live("newest-off", "2026-03-01", enabled=False)])
    assert plan.keep is not None and plan.keep.recurring_run_id == "newer"
    assert steps(plan) == [("disable", "older"), ("delete", "older"), ("delete", "newest-off")]


def test_step_description() -> None:
    assert Step("create").describe() == "create new recurring run"
    assert Step("delete", "abc").describe() == "delete abc"


WHEN = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(("field", "value"), [
    ("pipeline_id", "p2"), ("pipeline_version_id", None), ("cron", "0 0 3 * * *"),
    ("interval_second", 60), ("start_time", WHEN), ("end_time", WHEN),
    ("max_concurrency", 2), ("no_catchup", False), ("enabled", False),
    ("parameters", {"replicas": 4}), ("parameters", {}), ("display_name", "other"),
])
def test_every_compared_field_counts(field: str, value: object) -> None:
    assert differences(DESIRED, dataclasses.replace(DESIRED, **{field: value})) == [field]


def test_server_defaults_are_not_compared_unless_asked_for() -> None:
    server = dataclasses.replace(DESIRED, service_account="pipeline-runner",
                                 pipeline_root="minio://x")
    assert differences(DESIRED, server) == []
    asked = dataclasses.replace(DESIRED, service_account="deployer", pipeline_root="minio://y")
    assert differences(asked, server) == ["service_account", "pipeline_root"]


def test_numbers_compare_across_the_wire_but_bools_stay_bools() -> None:
    wanted = dataclasses.replace(DESIRED, parameters={"a": 1, "b": [1, {"c": 2}], "d": True})
    wire = dataclasses.replace(DESIRED, parameters={"a": 1.0, "b": [1.0, {"c": 2.0}], "d": True})
    assert differences(wanted, wire) == []
    assert differences(wanted, dataclasses.replace(wire, parameters={
        "a": 1.0, "b": [1.0, {"c": 2.0}], "d": 1})) == ["parameters"]

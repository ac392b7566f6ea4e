"""The recurring run we want, and how a live one compares with it (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RecurringRunSpec:
    """Everything that defines a recurring run, in comparable form.

    ``None`` in ``service_account`` or ``pipeline_root`` means "the server's
    default": it is not compared (the server fills in its own value).

    Attributes:
        display_name: The recurring run's name (with the experiment, its identity).
        pipeline_id: The pipeline.
        pipeline_version_id: The pinned version, or ``None`` for "the latest
            version at each trigger" (KFP backend >= 2.5).
        cron: KFP cron (6 fields, seconds first), or ``None`` with an interval.
        interval_second: Periodic trigger, or ``None`` with a cron.
        start_time: When the trigger starts (aware), or ``None``.
        end_time: When it ends (aware), or ``None``.
        parameters: Runtime parameters.
        max_concurrency: 1..10.
        no_catchup: KFP's ``no_catchup`` (the inverse of ``--catchup``).
        enabled: Whether the schedule should be enabled.
        service_account: The runner's service account, or ``None``.
        pipeline_root: Pipeline root, or ``None``.
    """

    display_name: str
    pipeline_id: str
    pipeline_version_id: str | None
    cron: str | None
    interval_second: int | None
    start_time: datetime | None
    end_time: datetime | None
    parameters: dict[str, Any] = field(default_factory=dict)
    max_concurrency: int = 1
    no_catchup: bool = True
    enabled: bool = True
    service_account: str | None = None
    pipeline_root: str | None = None


def differences(desired: RecurringRunSpec, live: RecurringRunSpec) -> list[str]:
    """Lists what differs between the desired and a live recurring run.

    Args:
        desired: What we want.
        live: What the server has (from :func:`kfp_api.live_spec`).

    Returns:
        Names of the differing fields (empty: the live one is what we want).
    """
    diffs = []
    for name in ("display_name", "pipeline_id", "pipeline_version_id", "cron",
                 "interval_second", "start_time", "end_time", "max_concurrency", "no_catchup",
                 "enabled"):
        if getattr(desired, name) != getattr(live, name):
            diffs.append(name)
    if _normal(desired.parameters) != _normal(live.parameters):
        diffs.append("parameters")
    for name in ("service_account", "pipeline_root"):
        wanted = getattr(desired, name)
        if wanted is not None and wanted != getattr(live, name):
            diffs.append(name)
    return diffs


def _normal(value: Any) -> Any:
    """Makes JSON-ish values comparable across the wire (3 == 3.0, nested)."""
    if isinstance(value, bool):  # True == 1.0 in Python; not on the wire
        return ("bool", value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value

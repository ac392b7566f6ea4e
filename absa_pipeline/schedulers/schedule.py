"""The schedule of a CronJob / CronWorkflow: a standard cron plus a native time zone.

The same model as ``upload-and-schedule`` (:mod:`absa_pipeline.scheduling`), without its
conversion: both Kubernetes and Argo read the cron with robfig/cron v3 in the zone of their
own time-zone field, so daylight-saving zones just work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from absa_pipeline.scheduling import standard_cron, validate_timezone

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NAME = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Schedule:
    """A validated schedule.

    Attributes:
        cron: Standard 5-field cron (numbers only) or a descriptor such as ``@daily``.
        timezone: IANA zone name the cron is evaluated in.
    """

    cron: str
    timezone: str


def _numeric(cron: str) -> str:
    """Writes month and day names as numbers (Argo's CRD pattern allows digits only)."""
    if cron.startswith("@"):
        return cron
    fields = cron.split(" ")
    fields[3] = _NAME.sub(lambda m: str(_MONTHS.index(m[0].lower()) + 1), fields[3])
    fields[4] = _NAME.sub(lambda m: str(_DAYS.index(m[0].lower())), fields[4])
    return " ".join(fields)


def resolve_schedule(cron: str, timezone: str) -> Schedule:
    """Validates and normalises a cron and a time zone for CronJob / CronWorkflow.

    Args:
        cron: A standard 5-field crontab expression or descriptor, e.g. ``"0 3 * * *"``.
        timezone: An IANA zone name, e.g. ``"Asia/Seoul"``.

    Returns:
        The schedule: :func:`~absa_pipeline.scheduling.standard_cron`'s form with month
        and day names written as numbers, and the zone name.

    Raises:
        CronError: The cron or the zone is invalid (a one-line message).
    """
    normalised = _numeric(standard_cron(cron))
    validate_timezone(timezone)
    return Schedule(cron=normalised, timezone=timezone)

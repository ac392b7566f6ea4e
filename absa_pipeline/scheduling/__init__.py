"""Cron scheduling for KFP recurring runs, CronJobs and CronWorkflows (pure Python).

KFP's recurring-run cron is robfig/cron v1 ``cron.Parse``: 6 fields with
*seconds first* (5 are accepted too, but still seconds first, so a standard
``0 3 * * *`` fires 24 times a day), evaluated in the ScheduledWorkflow
controller's zone (env ``CRON_SCHEDULE_TIMEZONE``, UTC by default).  This
package turns a user's cron + IANA zone into the KFP cron that fires at
exactly the same instants, or refuses with a one-line :class:`CronError`.

Public API:

``CronError(ValueError)``
    Raised for every problem; ``str()`` is one line naming the problem and the fix.
``parse_kfp_cron(expr) -> KfpSpec | KfpEvery``
    Parse like robfig v1.2.0 ``cron.Parse`` (accepts and rejects the same).
    Both results have ``next_after(t, zone)`` emulating robfig's ``Next``.
``parse_standard_cron(expr) -> StandardCron``
    Parse a 5-field Vixie/POSIX crontab or descriptor; ``next_after`` /
    ``iter_after`` give fire times in a zone.
``standard_cron(expr) -> str``
    Validate and normalise a standard cron for Kubernetes CronJob / Argo
    CronWorkflow (robfig v3 ``ParseStandard`` with a native ``timeZone``).
``to_kfp_cron(expr, timezone="UTC", cluster_timezone="UTC", *, now) -> KfpSchedule``
    Convert; see :mod:`absa_pipeline.scheduling.convert` for what is refused.
``next_runs(schedule, start, count) -> list[datetime]``
    The next ``count`` KFP run times (aware, in the cluster zone) for ``--dry-run``.
``validate_timezone(name) -> ZoneInfo``
    IANA zone lookup with a helpful :class:`CronError`.
``offset_changes(zone, now, horizon=HORIZON) -> tuple[OffsetChange, ...]``
    The zone's UTC-offset changes within the look-ahead (3 years by default).

Modules: :mod:`.robfig` (KFP dialect), :mod:`.crontab` (standard crontab),
:mod:`.convert` (zone conversion), :mod:`.zones` (IANA zones),
:mod:`.fields` (field rendering), :mod:`.errors`.
"""

from absa_pipeline.scheduling.convert import KfpSchedule, next_runs, to_kfp_cron
from absa_pipeline.scheduling.crontab import StandardCron, parse_standard_cron, standard_cron
from absa_pipeline.scheduling.errors import CronError
from absa_pipeline.scheduling.robfig import KfpCron, KfpEvery, KfpSpec, parse_kfp_cron
from absa_pipeline.scheduling.zones import (
    HORIZON,
    OffsetChange,
    offset_changes,
    validate_timezone,
)

__all__ = [
    "HORIZON",
    "CronError",
    "KfpCron",
    "KfpEvery",
    "KfpSchedule",
    "KfpSpec",
    "OffsetChange",
    "StandardCron",
    "next_runs",
    "offset_changes",
    "parse_kfp_cron",
    "parse_standard_cron",
    "standard_cron",
    "to_kfp_cron",
    "validate_timezone",
]

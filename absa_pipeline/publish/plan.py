"""Reconcile planning: from the live recurring runs of a name to ordered steps (pure).

Identity is (experiment, display name). The plan never appends:

* a live run equals the desired one (its enabled state aside) and no other copy
  exists: nothing to do, or only enable/disable it;
* one equals it and leftover copies exist (from an interrupted earlier run): keep
  it, disable and delete the others;
* none equals it: create the new one *disabled*, disable the old ones, enable the
  new one, delete the old ones. Until the new one is enabled, the old one stays
  the enabled one; :mod:`absa_pipeline.publish.reconcile` undoes a failed swap.
"""

from __future__ import annotations

from dataclasses import dataclass

from absa_pipeline.publish.desired import RecurringRunSpec, differences

#: The id that a plan uses for the run it creates.
NEW = "<new>"


@dataclass(frozen=True)
class LiveRun:
    """A recurring run on the server.

    Attributes:
        recurring_run_id: Its id.
        spec: Its definition, comparable with the desired one.
        created_at: Creation time (ISO text), to prefer the newest of equals.
    """

    recurring_run_id: str
    spec: RecurringRunSpec
    created_at: str = ""


@dataclass(frozen=True)
class Step:
    """One write: ``create`` (disabled), ``disable``, ``enable`` or ``delete``.

    Attributes:
        action: What to do.
        recurring_run_id: On which run (:data:`NEW` for the created one).
    """

    action: str
    recurring_run_id: str = NEW

    def describe(self) -> str:
        """A short label, e.g. ``disable 5f1c…``."""
        target = "new recurring run" if self.recurring_run_id == NEW else self.recurring_run_id
        return f"{self.action} {target}"


@dataclass(frozen=True)
class Plan:
    """What to do, in order.

    Attributes:
        steps: The writes, in order.
        keep: The live run that already is the desired one, or ``None``.
        reasons: Why a new run is needed (differing fields of the closest live run).
    """

    steps: tuple[Step, ...]
    keep: LiveRun | None
    reasons: tuple[str, ...] = ()

    @property
    def changes(self) -> bool:
        """Whether the plan writes anything."""
        return bool(self.steps)


def plan_recurring_run(desired: RecurringRunSpec, live: list[LiveRun]) -> Plan:
    """Plans the steps from the live runs of the name to exactly the desired one.

    Args:
        desired: The recurring run we want.
        live: The server's recurring runs of that name in the experiment.

    Returns:
        The plan.
    """
    def diff(run: LiveRun) -> list[str]:
        return differences(desired, run.spec)

    same = [run for run in live if set(diff(run)) <= {"enabled"}]
    if same:
        keep = max(same, key=lambda run: (run.spec.enabled == desired.enabled, run.created_at,
                                          run.recurring_run_id))
        others = [run for run in live if run is not keep]
        steps = [Step("disable", run.recurring_run_id) for run in others if run.spec.enabled]
        steps += [Step("delete", run.recurring_run_id) for run in others]
        if keep.spec.enabled != desired.enabled:
            steps.append(Step("enable" if desired.enabled else "disable", keep.recurring_run_id))
        return Plan(steps=tuple(steps), keep=keep)
    reasons: tuple[str, ...] = ("missing",)
    if live:
        closest: list[str] = min((diff(run) for run in live), key=len)
        reasons = tuple(closest)
    steps = [Step("create")]
    steps += [Step("disable", run.recurring_run_id) for run in live if run.spec.enabled]
    if desired.enabled:
        steps.append(Step("enable"))
    steps += [Step("delete", run.recurring_run_id) for run in live]
    return Plan(steps=tuple(steps), keep=None, reasons=reasons)

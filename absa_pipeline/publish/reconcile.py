"""Runs the publish sequence through the KFP adapter: converge, never append.

1. the pipeline (by name; uploaded if absent) and its content-named version
   (uploaded only if absent);
2. the experiment (by name, in the namespace; created if absent);
3. the recurring run of that name in the experiment, planned by
   :mod:`absa_pipeline.publish.plan` and executed so that a failure at any write
   leaves exactly one schedule of the name enabled: before the new one is enabled,
   a failure re-enables the old one and deletes what was half-created; after it,
   only disabled leftovers can remain, which the next run deletes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from absa_pipeline.publish.desired import RecurringRunSpec
from absa_pipeline.publish.kfp_api import KfpApiError
from absa_pipeline.publish.package import PipelinePackage
from absa_pipeline.publish.plan import NEW, LiveRun, Plan, plan_recurring_run


class Api(Protocol):
    """What :func:`publish` needs from the KFP adapter (see :class:`kfp_api.KfpApi`)."""

    def find_pipeline(self, name: str) -> str | None: ...  # noqa: D102
    def upload_pipeline(self, package: Path, name: str) -> str: ...  # noqa: D102
    def find_version(self, pipeline_id: str, name: str) -> str | None: ...  # noqa: D102
    def upload_version(self, package: Path, pipeline_id: str, name: str) -> str: ...  # noqa: D102
    def find_experiment(self, name: str) -> str | None: ...  # noqa: D102
    def create_experiment(self, name: str) -> str: ...  # noqa: D102
    def list_recurring_runs(self, experiment_id: str, name: str) -> list[LiveRun]: ...  # noqa: D102
    def create_recurring_run(self, spec: RecurringRunSpec, experiment_id: str,  # noqa: D102
                             description: str) -> str: ...
    def enable(self, recurring_run_id: str) -> None: ...  # noqa: D102
    def disable(self, recurring_run_id: str) -> None: ...  # noqa: D102
    def delete(self, recurring_run_id: str) -> None: ...  # noqa: D102


class ReconcileError(Exception):
    """Publishing failed part-way; the message says what happened (exit code 1)."""


@dataclass
class Outcome:
    """What publishing found and did.

    Attributes:
        pipeline_id: The pipeline (``None`` in a dry run that would upload it).
        pipeline_version_id: The version (``None`` likewise).
        experiment_id: The experiment (``None`` likewise).
        recurring_run_id: The recurring run now in force (``None`` likewise).
        actions: What was done (or, in a dry run, would be done).
        reasons: Why the recurring run is replaced.
    """

    pipeline_id: str | None = None
    pipeline_version_id: str | None = None
    experiment_id: str | None = None
    recurring_run_id: str | None = None
    actions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) written."""
        return bool(self.actions)


def _is_conflict(exc: KfpApiError) -> bool:
    return "HTTP 409" in str(exc)


def publish(api: Api, package: PipelinePackage, *, pipeline_name: str, version_name: str,
            experiment: str, desired: RecurringRunSpec, pin_version: bool, description: str,
            dry_run: bool = False, log: Callable[[str], None] = lambda _: None) -> Outcome:
    """Converges KFP to: the package uploaded, exactly one recurring run as desired.

    Args:
        api: The KFP adapter.
        package: The compiled pipeline.
        pipeline_name: The pipeline's display name.
        version_name: The version's name (derived from the content by default).
        experiment: The experiment's name.
        desired: The recurring run wanted; its pipeline ids are filled in here.
        pin_version: Reference the version (``True``) or only the pipeline (latest).
        description: Description of a created recurring run.
        dry_run: Read only; report what would be done.
        log: Where progress lines go (stderr).

    Returns:
        What was found and done.

    Raises:
        KfpApiError: A request failed before the recurring run was touched.
        ReconcileError: A write of the recurring-run sequence failed; the
            message says in which state it left the schedule.
    """
    out = Outcome()

    def act(text: str) -> None:
        out.actions.append(text)
        log(("would " if dry_run else "") + text)

    out.pipeline_id = api.find_pipeline(pipeline_name)
    if out.pipeline_id is None:
        act(f"upload pipeline {pipeline_name!r}")
        if not dry_run:
            try:
                out.pipeline_id = api.upload_pipeline(package.path, pipeline_name)
            except KfpApiError as exc:  # someone else uploaded it meanwhile
                out.pipeline_id = api.find_pipeline(pipeline_name) if _is_conflict(exc) else None
                if out.pipeline_id is None:
                    raise
    if out.pipeline_id is not None:
        out.pipeline_version_id = api.find_version(out.pipeline_id, version_name)
    if out.pipeline_version_id is None:
        act(f"upload version {version_name!r}")
        if not dry_run and out.pipeline_id is not None:
            try:
                out.pipeline_version_id = api.upload_version(package.path, out.pipeline_id,
                                                             version_name)
            except KfpApiError as exc:
                out.pipeline_version_id = (api.find_version(out.pipeline_id, version_name)
                                           if _is_conflict(exc) else None)
                if out.pipeline_version_id is None:
                    raise
    out.experiment_id = api.find_experiment(experiment)
    if out.experiment_id is None:
        act(f"create experiment {experiment!r}")
        if not dry_run:
            out.experiment_id = api.create_experiment(experiment)
    wanted = dataclasses.replace(
        desired, pipeline_id=out.pipeline_id or NEW,
        pipeline_version_id=(out.pipeline_version_id or NEW) if pin_version else None)
    live = (api.list_recurring_runs(out.experiment_id, desired.display_name)
            if out.experiment_id is not None else [])
    plan = plan_recurring_run(wanted, live)
    if plan.keep is not None:
        out.recurring_run_id = plan.keep.recurring_run_id
    if plan.steps and plan.steps[0].action == "create":
        out.reasons = list(plan.reasons)
    if dry_run or out.experiment_id is None:
        for step in plan.steps:
            act(f"{step.describe()} ({desired.display_name!r})")
        return out
    _execute(api, plan, wanted, out.experiment_id, description, live, out, act)
    return out


def _execute(api: Api, plan: Plan, desired: RecurringRunSpec, experiment_id: str,
             description: str, live: list[LiveRun], out: Outcome,
             act: Callable[[str], None]) -> None:
    name = desired.display_name
    new_id: str | None = None
    swapped = False
    for step in plan.steps:
        target = new_id if step.recurring_run_id == NEW else step.recurring_run_id
        try:
            if step.action == "create":
                new_id = api.create_recurring_run(desired, experiment_id, description)
                target = new_id
            elif step.action == "disable":
                api.disable(str(target))
            elif step.action == "enable":
                api.enable(str(target))
            else:
                api.delete(str(target))
        except KfpApiError as exc:
            if (new_id is None and step.action != "create") or swapped:
                state = _leftovers_state(api, experiment_id, name)
                raise ReconcileError(f"{exc}; {state}") from None
            undo = _undo_swap(api, experiment_id, name, new_id, live)
            raise ReconcileError(f"{exc}; {undo}") from None
        act(f"{step.action} recurring run {target} ({name!r})")
        if step.action == "enable" and step.recurring_run_id == NEW:
            swapped = True
    out.recurring_run_id = new_id or out.recurring_run_id


def _undo_swap(api: Api, experiment_id: str, name: str, new_id: str | None,
               live: list[LiveRun]) -> str:
    """Restores the old schedule after a failed swap; returns what happened."""
    notes = []
    old_ids = {run.recurring_run_id for run in live}
    try:
        half_made = [new_id] if new_id else [
            run.recurring_run_id for run in api.list_recurring_runs(experiment_id, name)
            if run.recurring_run_id not in old_ids]
        for run_id in half_made:
            api.delete(run_id)
            notes.append(f"deleted the half-created recurring run {run_id}")
    except KfpApiError as exc:
        return (f"could not delete the half-created recurring run ({exc}); the old one may be "
                "disabled: re-run upload-and-schedule to converge")
    for run in live:
        if run.spec.enabled:
            try:
                api.enable(run.recurring_run_id)
            except KfpApiError as exc:
                notes.append(f"could not re-enable the old recurring run {run.recurring_run_id} "
                             f"({exc}): re-run upload-and-schedule to converge")
            else:
                notes.append(f"the old recurring run {run.recurring_run_id} stays enabled")
    if not notes:
        notes.append("nothing was changed")
    return "rolled back: " + "; ".join(notes)


def _leftovers_state(api: Api, experiment_id: str, name: str) -> str:
    """Describes the state after a failure past the swap (only leftovers remain)."""
    try:
        runs = api.list_recurring_runs(experiment_id, name)
    except KfpApiError:
        return "the new recurring run is in force; re-run to delete leftover copies"
    enabled = [r.recurring_run_id for r in runs if r.spec.enabled]
    rest = [r.recurring_run_id for r in runs if not r.spec.enabled]
    return (f"enabled: {', '.join(enabled) or 'none'}; disabled leftovers: "
            f"{', '.join(rest) or 'none'}; re-run upload-and-schedule to delete them")

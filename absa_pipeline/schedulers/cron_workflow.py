"""The deploy schedule as an Argo Workflows ``CronWorkflow``, with its RBAC (pure).

The workflow is a ``steps`` template of two sequential steps, each a container template with
an argv list (no shell): ``apply`` then ``rollout-status``; a failed apply fails the
workflow before the second step. Argo's executor records each step's result as a
``WorkflowTaskResult``, so this bundle's Role adds that (and only that) to the deploy rules.
"""

from __future__ import annotations

import copy
from typing import Any

from absa_pipeline.rbac import render_rbac
from absa_pipeline.schedulers.deploy_steps import (
    DeployTarget,
    apply_argv,
    kubectl_container,
    labels,
    pod_security_context,
    rollout_argv,
    volumes,
)
from absa_pipeline.schedulers.schedule import Schedule

#: What the Argo executor (emissary) needs in the workflow's namespace, beyond the deploy rules.
ARGO_EXECUTOR_RULES: list[dict[str, Any]] = [
    {"apiGroups": ["argoproj.io"], "resources": ["workflowtaskresults"],
     "verbs": ["create", "patch"]},
]
STARTING_DEADLINE_S = 600
ACTIVE_DEADLINE_S = 1800
SUCCESSFUL_HISTORY = 3
FAILED_HISTORY = 3
#: Finished workflows (and their pods) are deleted after this long.
TTL_AFTER_FINISHED_S = 86400
#: Retries of a failed step.
STEP_RETRIES = 2


def _container_template(name: str, container: dict[str, Any]) -> dict[str, Any]:
    container = {k: v for k, v in container.items() if k != "name"}
    return {"name": name, "container": container,
            "retryStrategy": {"limit": STEP_RETRIES, "retryPolicy": "OnFailure"}}


def render_cron_workflow(schedule: Schedule, target: DeployTarget) -> dict[str, Any]:
    """Renders the CronWorkflow.

    Args:
        schedule: Cron and zone (see :func:`~absa_pipeline.schedulers.resolve_schedule`).
        target: What to apply, where, and with which image and names.

    Returns:
        An ``argoproj.io/v1alpha1`` CronWorkflow (``schedules`` list, ``timezone``,
        ``concurrencyPolicy: Forbid``, bounded history, the restricted security context).
    """
    apply = kubectl_container("apply", apply_argv(target), target.kubectl_image,
                              mount_config=True)
    rollout = kubectl_container("rollout-status", rollout_argv(target), target.kubectl_image,
                                mount_config=False)
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "metadata": {"name": target.name, "namespace": target.namespace,
                     "labels": labels(target)},
        "spec": {
            "schedules": [schedule.cron],
            "timezone": schedule.timezone,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": STARTING_DEADLINE_S,
            "successfulJobsHistoryLimit": SUCCESSFUL_HISTORY,
            "failedJobsHistoryLimit": FAILED_HISTORY,
            "workflowMetadata": {"labels": labels(target)},
            "workflowSpec": {
                "entrypoint": "deploy",
                "serviceAccountName": target.name,
                "automountServiceAccountToken": True,
                "activeDeadlineSeconds": ACTIVE_DEADLINE_S,
                "ttlStrategy": {"secondsAfterCompletion": TTL_AFTER_FINISHED_S},
                "podGC": {"strategy": "OnWorkflowSuccess"},
                "securityContext": pod_security_context(),
                "volumes": volumes(target),
                "templates": [
                    {"name": "deploy",
                     "steps": [[{"name": "apply", "template": "apply"}],
                               [{"name": "rollout-status", "template": "rollout-status"}]]},
                    _container_template("apply", apply),
                    _container_template("rollout-status", rollout),
                ],
            },
        },
    }


def render_cron_workflow_bundle(schedule: Schedule,
                                target: DeployTarget) -> list[dict[str, Any]]:
    """Renders the whole bundle: ServiceAccount, Role, RoleBinding and CronWorkflow.

    The Role is :func:`absa_pipeline.rbac.render_rbac`'s (the deploy rules) extended with
    :data:`ARGO_EXECUTOR_RULES`.

    Args:
        schedule: Cron and zone.
        target: What to apply, where, and with which image and names.

    Returns:
        The four objects, in apply order.
    """
    rbac = copy.deepcopy(render_rbac(target.namespace, name=target.name))
    for doc in rbac:
        if doc["kind"] == "Role":
            doc["rules"] = [*doc["rules"], *copy.deepcopy(ARGO_EXECUTOR_RULES)]
    return [*rbac, render_cron_workflow(schedule, target)]

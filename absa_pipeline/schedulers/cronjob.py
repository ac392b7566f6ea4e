"""The deploy schedule as a Kubernetes ``batch/v1`` CronJob, with its RBAC (pure).

Two sequential steps without a shell: an initContainer applies the manifests and the main
container waits for the rollout. Kubernetes runs initContainers to completion, in order,
before the main container, and with ``restartPolicy: Never`` a failed apply fails the pod
(and the Job retries it, up to ``backoffLimit``); so each step is an argv list and the
sequencing comes from the pod itself, not from ``sh -c "a && b"``.
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

#: A missed run may still start this long after its time (e.g. after a controller restart).
STARTING_DEADLINE_S = 600
#: A run (apply + rollout status + retries) is stopped after this long.
ACTIVE_DEADLINE_S = 1800
#: Retries of a failed run.
BACKOFF_LIMIT = 2
#: Finished Jobs (and their pods' logs) are kept this long.
TTL_AFTER_FINISHED_S = 86400
#: Finished Jobs kept by the CronJob.
SUCCESSFUL_HISTORY = 3
FAILED_HISTORY = 3


def render_cronjob(schedule: Schedule, target: DeployTarget) -> dict[str, Any]:
    """Renders the CronJob.

    Args:
        schedule: Cron and zone (see :func:`~absa_pipeline.schedulers.resolve_schedule`).
        target: What to apply, where, and with which image and names.

    Returns:
        A ``batch/v1`` CronJob: native ``timeZone``, ``concurrencyPolicy: Forbid``,
        bounded history, deadlines and TTL, the restricted security context.
    """
    meta = {"name": target.name, "namespace": target.namespace, "labels": labels(target)}
    pod_spec = {
        "serviceAccountName": target.name,
        "automountServiceAccountToken": True,  # kubectl authenticates with it
        "restartPolicy": "Never",
        "securityContext": pod_security_context(),
        "initContainers": [kubectl_container("apply", apply_argv(target),
                                             target.kubectl_image, mount_config=True)],
        "containers": [kubectl_container("rollout-status", rollout_argv(target),
                                         target.kubectl_image, mount_config=False)],
        "volumes": volumes(target),
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta,
        "spec": {
            "schedule": schedule.cron,
            "timeZone": schedule.timezone,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": STARTING_DEADLINE_S,
            "successfulJobsHistoryLimit": SUCCESSFUL_HISTORY,
            "failedJobsHistoryLimit": FAILED_HISTORY,
            "jobTemplate": {
                "metadata": {"labels": labels(target)},
                "spec": {
                    "backoffLimit": BACKOFF_LIMIT,
                    "activeDeadlineSeconds": ACTIVE_DEADLINE_S,
                    "ttlSecondsAfterFinished": TTL_AFTER_FINISHED_S,
                    "template": {"metadata": {"labels": labels(target)}, "spec": pod_spec},
                },
            },
        },
    }


def render_cronjob_bundle(schedule: Schedule, target: DeployTarget) -> list[dict[str, Any]]:
    """Renders the whole bundle: ServiceAccount, Role, RoleBinding and CronJob.

    The Role's rules are :data:`absa_pipeline.rbac.DEPLOYER_RULES`, the deploy step's
    (deep-copied: the result shares no list with that constant).

    Args:
        schedule: Cron and zone.
        target: What to apply, where, and with which image and names.

    Returns:
        The four objects, in apply order.
    """
    return [*copy.deepcopy(render_rbac(target.namespace, name=target.name)),
            render_cronjob(schedule, target)]

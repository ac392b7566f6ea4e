"""The deploy schedule outside KFP: a Kubernetes CronJob or an Argo CronWorkflow (pure builders).

Both bundles run the same two argv-only kubectl steps (apply the ``deployment-config``
ConfigMap's ``deployment.yaml``, then wait for the rollout) under their own least-privilege
ServiceAccount, on the same schedule model as ``upload-and-schedule``
(:func:`absa_pipeline.scheduling.standard_cron` plus a native time-zone field).

Modules: :mod:`.schedule` (cron + zone), :mod:`.deploy_steps` (the shared containers,
security context, volumes), :mod:`.cronjob`, :mod:`.cron_workflow`, :mod:`.cli` (the
``cronjob`` and ``cron-workflow`` commands).
"""

from absa_pipeline.schedulers.cron_workflow import ARGO_EXECUTOR_RULES, render_cron_workflow_bundle
from absa_pipeline.schedulers.cronjob import render_cronjob_bundle
from absa_pipeline.schedulers.deploy_steps import DEFAULT_KUBECTL_IMAGE, DeployTarget
from absa_pipeline.schedulers.schedule import Schedule, resolve_schedule

__all__ = [
    "ARGO_EXECUTOR_RULES",
    "DEFAULT_KUBECTL_IMAGE",
    "DeployTarget",
    "Schedule",
    "render_cron_workflow_bundle",
    "render_cronjob_bundle",
    "resolve_schedule",
]

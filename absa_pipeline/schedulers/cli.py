"""``absa-pipeline cronjob`` and ``absa-pipeline cron-workflow``: print a bundle as YAML.

The commands only parse, call the builders and map errors: bad input (cron, zone, a name
that is not a DNS-1123 label, an unpinned image) exits 2 with one line before anything is
printed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from absa_pipeline.manifests import check_dns1123_label, check_image_reference, manifests_to_yaml
from absa_pipeline.schedulers.cron_workflow import render_cron_workflow_bundle
from absa_pipeline.schedulers.cronjob import render_cronjob_bundle
from absa_pipeline.schedulers.deploy_steps import DEFAULT_KUBECTL_IMAGE, DeployTarget
from absa_pipeline.schedulers.schedule import Schedule, resolve_schedule
from absa_pipeline.scheduling import CronError, validate_timezone

DEFAULT_CRON = "0 3 * * *"
DEFAULT_NAME = "absa-model-deployment-job"
#: CronJob and CronWorkflow names are at most 52 characters (each run's name adds a suffix).
MAX_NAME = 52

Builder = Callable[[Schedule, DeployTarget], list[dict[str, Any]]]


def _label(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        check_dns1123_label(value, (param.name or "value").replace("_", " "))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    _label(ctx, param, value)
    if len(value) > MAX_NAME:
        raise click.BadParameter(f"name {value!r} has {len(value)} characters; a CronJob or "
                                 f"CronWorkflow name has at most {MAX_NAME}")
    return value


def _image(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        check_image_reference(value, "kubectl image")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _options(command: Callable[..., None]) -> Callable[..., None]:
    """Adds the options both commands share."""
    options = [
        click.option("--cron", default=DEFAULT_CRON, show_default=True,
                     help="Standard 5-field cron (minute hour day-of-month month day-of-week) "
                          "or @daily-like, in --timezone."),
        click.option("--timezone", "tz", default="UTC", show_default=True,
                     help="IANA zone of the cron (the native timeZone field; DST is fine)."),
        click.option("--namespace", default="default", show_default=True, callback=_label,
                     help="Namespace of the bundle and of the model server."),
        click.option("--name", default=DEFAULT_NAME, show_default=True, callback=_name,
                     help="Name of the CronJob/CronWorkflow and its ServiceAccount and RBAC."),
        click.option("--config-map", default="deployment-config", show_default=True,
                     callback=_label, help="ConfigMap whose deployment.yaml is applied."),
        click.option("--kubectl-image", default=DEFAULT_KUBECTL_IMAGE, show_default=True,
                     callback=_image, help="kubectl image, pinned by tag or digest."),
        click.option("--deployment-name", default="absa-model", show_default=True,
                     callback=_label, help="Deployment whose rollout is awaited."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _render(builder: Builder, cron: str, tz: str, namespace: str, name: str, config_map: str,
            kubectl_image: str, deployment_name: str) -> None:
    try:
        validate_timezone(tz)
    except CronError as exc:
        raise click.BadParameter(str(exc), param_hint="--timezone") from None
    try:
        schedule = resolve_schedule(cron, tz)
    except CronError as exc:
        raise click.BadParameter(str(exc), param_hint="--cron") from None
    target = DeployTarget(name=name, namespace=namespace, deployment_name=deployment_name,
                          config_map=config_map, kubectl_image=kubectl_image)
    click.echo(manifests_to_yaml(builder(schedule, target)), nl=False)


@click.command("cronjob")
@_options
def cronjob_command(cron: str, tz: str, namespace: str, name: str, config_map: str,
                    kubectl_image: str, deployment_name: str) -> None:
    """Print the deploy schedule as a Kubernetes CronJob with its ServiceAccount and RBAC."""
    _render(render_cronjob_bundle, cron, tz, namespace, name, config_map, kubectl_image,
            deployment_name)


@click.command("cron-workflow")
@_options
def cron_workflow_command(cron: str, tz: str, namespace: str, name: str, config_map: str,
                          kubectl_image: str, deployment_name: str) -> None:
    """Print the deploy schedule as an Argo CronWorkflow with its ServiceAccount and RBAC."""
    _render(render_cron_workflow_bundle, cron, tz, namespace, name, config_map, kubectl_image,
            deployment_name)


def main(argv: Sequence[str] | None = None) -> None:
    """Runs ``cronjob`` (for a console script or ``python -m``).

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    cronjob_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                         prog_name="absa-pipeline cronjob")


def main_cron_workflow(argv: Sequence[str] | None = None) -> None:
    """Runs ``cron-workflow``.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    cron_workflow_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                               prog_name="absa-pipeline cron-workflow")

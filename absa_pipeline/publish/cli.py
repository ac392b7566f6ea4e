"""``upload-and-schedule``: publish the package and keep exactly one recurring run.

The command only parses, calls and maps errors: bad input exits 2 (before any
request), a failure talking to KFP exits 1, done (changed or not) exits 0.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from absa_pipeline.params import ParameterError, parse_overrides
from absa_pipeline.pipeline import PIPELINE_DISPLAY_NAME
from absa_pipeline.publish.desired import RecurringRunSpec
from absa_pipeline.publish.kfp_api import (
    IN_CLUSTER_HOST,
    SA_TOKEN_PATH,
    KfpApi,
    KfpApiError,
    preflight,
    read_token_file,
)
from absa_pipeline.publish.package import PackageError, load_package
from absa_pipeline.publish.reconcile import Outcome, ReconcileError, publish
from absa_pipeline.scheduling import (
    CronError,
    KfpSchedule,
    next_runs,
    to_kfp_cron,
    validate_timezone,
)

DEFAULT_CRON = "0 2 * * *"
DESCRIPTION = "Managed by absa-pipeline upload-and-schedule; do not edit by hand."


def _iso_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not ISO 8601 (e.g. 2027-01-01T00:00:00+09:00)",
                                 param_hint=option) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset; add one, e.g. {value}+00:00",
                                 param_hint=option)
    return parsed


def _host(value: str | None) -> str:
    host = (value or IN_CLUSTER_HOST).rstrip("/")
    if not host.startswith(("http://", "https://")) or len(host.split("://", 1)[1]) == 0:
        raise click.BadParameter(f"{host!r} is not an http(s) URL, e.g. http://localhost:8888",
                                 param_hint="--host")
    return host


def _next_run_times(schedule: KfpSchedule | None, interval: int | None,
                    start: datetime | None, now: datetime, count: int = 5) -> list[datetime]:
    if schedule is not None:
        return next_runs(schedule, max(now, start) if start else now, count)
    assert interval is not None
    first = start if start and start > now else now + timedelta(seconds=interval)
    return [first + timedelta(seconds=interval * i) for i in range(count)]


def _report(outcome: Outcome, kfp_cron: str | None, runs: list[datetime], host: str,
            dry_run: bool) -> dict[str, Any]:
    return {
        "pipeline_id": outcome.pipeline_id,
        "pipeline_version_id": outcome.pipeline_version_id,
        "experiment_id": outcome.experiment_id,
        "recurring_run_id": outcome.recurring_run_id,
        "kfp_cron": kfp_cron,
        "changed": outcome.changed,
        "dry_run": dry_run,
        "actions": outcome.actions,
        "next_runs": [t.isoformat() for t in runs],
        "ui": {
            "pipeline": f"{host}/#/pipelines/details/{outcome.pipeline_id}"
            + (f"/version/{outcome.pipeline_version_id}" if outcome.pipeline_version_id else "")
            if outcome.pipeline_id else None,
            "experiment": f"{host}/#/experiments/details/{outcome.experiment_id}"
            if outcome.experiment_id else None,
            "recurring_run": f"{host}/#/recurringrun/details/{outcome.recurring_run_id}"
            if outcome.recurring_run_id else None,
        },
    }


@click.command("upload-and-schedule")
@click.option("--host", envvar="KFP_HOST", default=None,
              help=f"KFP API address [env KFP_HOST; default: {IN_CLUSTER_HOST}].")
@click.option("--namespace", envvar="KFP_NAMESPACE", default=None,
              help="User namespace (multi-user Kubeflow) [env KFP_NAMESPACE].")
@click.option("--existing-token", envvar="KFP_TOKEN", default=None,
              help="Bearer token [env KFP_TOKEN; else the file at KF_PIPELINES_SA_TOKEN_PATH].")
@click.option("--ssl-ca-cert", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CA bundle for an https host.")
@click.option("--package", type=click.Path(path_type=Path),
              default=Path("compiled") / "absa_pipeline.yaml", show_default=True)
@click.option("--pipeline-name", default=PIPELINE_DISPLAY_NAME, show_default=True)
@click.option("--version-name", default=None,
              help="Version name [default: sha256-<12 hex> of the package's bytes].")
@click.option("--experiment", default="absa-model-deployment", show_default=True)
@click.option("--recurring-run-name", default="absa-model-deployment-daily", show_default=True)
@click.option("--cron", "cron", default=None,
              help=f"5 fields (standard crontab) or @daily-like, or 6 fields (KFP: seconds "
                   f"first) [default: {DEFAULT_CRON!r}].")
@click.option("--timezone", "tz", default="UTC", show_default=True,
              help="IANA zone the cron is written in.")
@click.option("--cluster-timezone", default="UTC", show_default=True,
              help="Zone the KFP controller schedules in (its CRON_SCHEDULE_TIMEZONE).")
@click.option("--interval-seconds", type=click.IntRange(min=1), default=None,
              help="A periodic trigger instead of a cron.")
@click.option("--start-time", default=None, help="ISO 8601 with offset.")
@click.option("--end-time", default=None, help="ISO 8601 with offset.")
@click.option("--max-concurrency", type=click.IntRange(1, 10), default=1, show_default=True)
@click.option("--catchup/--no-catchup", default=False, show_default=True,
              help="Run missed triggers after a pause.")
@click.option("--enabled/--disabled", default=True, show_default=True)
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A pipeline parameter, typed by the package (repeatable).")
@click.option("--version-policy", type=click.Choice(["pinned", "latest"]), default="pinned",
              show_default=True,
              help="pinned: run this version; latest: the pipeline's newest at each trigger.")
@click.option("--service-account", default=None, help="Service account of the runs.")
@click.option("--pipeline-root", default=None, help="Pipeline root of the runs.")
@click.option("--dry-run", is_flag=True, help="Read only: print the plan, write nothing.")
@click.option("--output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def upload_and_schedule(host: str | None, namespace: str | None, existing_token: str | None,
                        ssl_ca_cert: str | None, package: Path, pipeline_name: str,
                        version_name: str | None, experiment: str, recurring_run_name: str,
                        cron: str | None, tz: str, cluster_timezone: str,
                        interval_seconds: int | None, start_time: str | None,
                        end_time: str | None, max_concurrency: int, catchup: bool,
                        enabled: bool, params: tuple[str, ...], version_policy: str,
                        service_account: str | None, pipeline_root: str | None, dry_run: bool,
                        output: str) -> None:
    """Upload the pipeline to KFP and keep exactly one recurring run on a schedule."""
    # 1. Everything local first: no request before the input is known to be good.
    base_url = _host(host)
    try:
        pkg = load_package(package)
    except PackageError as exc:
        raise click.BadParameter(str(exc), param_hint="--package") from None
    for option, value in (("--pipeline-name", pipeline_name), ("--experiment", experiment),
                          ("--recurring-run-name", recurring_run_name),
                          ("--version-name", version_name)):
        if value is not None and not value.strip():
            raise click.BadParameter("must not be empty", param_hint=option)
    if cron is not None and interval_seconds is not None:
        raise click.UsageError("give --cron or --interval-seconds, not both")
    now = datetime.now(timezone.utc)
    schedule: KfpSchedule | None = None
    try:
        user_zone = validate_timezone(tz)
        cluster_zone = validate_timezone(cluster_timezone)
        if interval_seconds is None:
            schedule = to_kfp_cron(cron or DEFAULT_CRON, tz, cluster_timezone, now=now)
    except CronError as exc:
        raise click.BadParameter(str(exc), param_hint="--cron/--timezone") from None
    start = _iso_time(start_time, "--start-time")
    end = _iso_time(end_time, "--end-time")
    if start and end and end <= start:
        raise click.BadParameter("must be after --start-time", param_hint="--end-time")
    try:
        parameters = parse_overrides(params, pkg.parameters)
    except ParameterError as exc:
        raise click.BadParameter(str(exc), param_hint="--param") from None
    desired = RecurringRunSpec(
        display_name=recurring_run_name, pipeline_id="", pipeline_version_id=None,
        cron=schedule.kfp_cron if schedule else None, interval_second=interval_seconds,
        start_time=start, end_time=end, parameters=parameters,
        max_concurrency=max_concurrency, no_catchup=not catchup, enabled=enabled,
        service_account=service_account, pipeline_root=pipeline_root)
    runs = [t.astimezone(cluster_zone)
            for t in _next_run_times(schedule, interval_seconds, start, now)]

    def log(line: str) -> None:
        click.echo(line, err=True)

    if schedule is not None:
        log(f"schedule: {schedule.explanation}")
    # 2. Talk to KFP.
    try:
        token = existing_token
        token_path = os.environ.get("KF_PIPELINES_SA_TOKEN_PATH")
        if not token and (token_path or os.path.exists(SA_TOKEN_PATH)):
            token = read_token_file(token_path or SA_TOKEN_PATH)
        health = preflight(base_url, token, ssl_ca_cert)
        if health.get("multi_user") and not namespace:
            raise click.UsageError("this KFP is multi-user: give --namespace (your Kubeflow "
                                   "profile namespace) or KFP_NAMESPACE")
        api = KfpApi(base_url, token, namespace, ssl_ca_cert)
        outcome = publish(api, pkg, pipeline_name=pipeline_name,
                          version_name=version_name or pkg.version_name,
                          experiment=experiment, desired=desired,
                          pin_version=version_policy == "pinned", description=DESCRIPTION,
                          dry_run=dry_run, log=log)
    except (KfpApiError, ReconcileError) as exc:
        raise click.ClickException(str(exc)) from None
    report = _report(outcome, schedule.kfp_cron if schedule else None, runs, base_url, dry_run)
    if output == "json":
        click.echo(json.dumps(report, sort_keys=True))
        return
    verb = "would change" if dry_run else "changed"
    lines = [f"{'dry run: ' if dry_run else ''}"
             f"{verb if outcome.changed else 'up to date, nothing to change'}"]
    lines += [f"  - {a}" for a in outcome.actions]
    if outcome.reasons and outcome.reasons != ["missing"]:
        lines.append(f"  (the recurring run differs in: {', '.join(outcome.reasons)})")
    lines.append(f"KFP cron: {report['kfp_cron'] or f'every {interval_seconds}s'} "
                 f"(in {cluster_timezone})")
    lines.append(f"next runs ({tz} | {cluster_timezone}):")
    lines += [f"  {t.astimezone(user_zone).isoformat()} | {t.astimezone(cluster_zone).isoformat()}"
              for t in runs]
    for label, url in report["ui"].items():
        if url:
            lines.append(f"{label}: {url}")
    click.echo("\n".join(lines))


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the upload-and-schedule command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    upload_and_schedule.main(args=list(argv) if argv is not None else sys.argv[1:],
                             prog_name="upload-and-schedule")


if __name__ == "__main__":
    main()

"""The thin adapter to the KFP API server: kfp.Client and its generated API client.

Everything that talks to KFP is here; every failure becomes a :class:`KfpApiError`
whose message is one line (what was being done, the HTTP status, the server's
message). No secret is ever part of a message or a log line.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from absa_pipeline.publish.desired import RecurringRunSpec
from absa_pipeline.publish.plan import LiveRun

#: kfp.Client's in-cluster address of the KFP API server.
IN_CLUSTER_HOST = "http://ml-pipeline.kubeflow.svc.cluster.local:8888"
#: Where kfp reads a projected service-account token in a pod (env KF_PIPELINES_SA_TOKEN_PATH).
SA_TOKEN_PATH = "/var/run/secrets/kubeflow/pipelines/token"  # noqa: S105 - a path

T = TypeVar("T")


class KfpApiError(Exception):
    """A failure talking to the KFP API server (exit code 1)."""


class AuthError(KfpApiError):
    """The server refused the credentials (HTTP 401/403)."""


def read_token_file(path: str) -> str:
    """Reads a service-account token file, as kfp does with KF_PIPELINES_SA_TOKEN_PATH.

    Args:
        path: The token file.

    Returns:
        The token, stripped.

    Raises:
        KfpApiError: The file cannot be read or is empty.
    """
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise KfpApiError(f"cannot read the service-account token {path} "
                          f"({exc.strerror}); check KF_PIPELINES_SA_TOKEN_PATH") from None
    if not token:
        raise KfpApiError(f"the service-account token file {path} is empty")
    return token


def _filter(key: str, value: str) -> str:
    return json.dumps({"predicates": [{"key": key, "operation": "EQUALS",
                                       "string_value": value}]})


def _error_message(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    body = getattr(exc, "body", None)
    detail = ""
    if body:
        try:
            parsed = json.loads(body)
            detail = str(parsed.get("message") or parsed.get("error_message")
                         or parsed.get("error") or "")
        except (ValueError, AttributeError):
            detail = str(body)
    detail = detail or str(getattr(exc, "reason", "") or exc)
    detail = " ".join(detail.split())[:300]
    return f"HTTP {status}: {detail}" if status else detail


def preflight(host: str, token: str | None, ssl_ca_cert: str | None,
              timeout_s: float = 10.0) -> dict[str, Any]:
    """Makes one healthz request with the given credentials, failing fast.

    kfp.Client retries healthz for about 25 s on a bad token and then raises
    a vague TimeoutError; this says "authentication failed" at once.

    Args:
        host: The KFP API address, e.g. ``http://localhost:8888``.
        token: A bearer token, or ``None``.
        ssl_ca_cert: A CA bundle for https, or ``None``.
        timeout_s: Seconds to wait for an answer.

    Returns:
        The healthz response (``multi_user`` tells whether namespaces are needed).

    Raises:
        AuthError: HTTP 401 or 403.
        KfpApiError: Unreachable, too slow, or not a KFP API server.
    """
    request = urllib.request.Request(  # noqa: S310 - the CLI admits http(s) hosts only
        f"{host}/apis/v2beta1/healthz", method="GET")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    context = ssl.create_default_context(cafile=ssl_ca_cert) if ssl_ca_cert else None
    try:
        opened = urllib.request.urlopen(  # noqa: S310 - the CLI admits http(s) hosts only
            request, timeout=timeout_s, context=context)
        with opened as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise AuthError(
                f"authentication failed at {host} (HTTP {exc.code}): give a valid token with "
                "--existing-token or KFP_TOKEN (multi-user Kubeflow: a service-account token "
                "with access to the profile namespace)") from None
        raise KfpApiError(f"{host} answered HTTP {exc.code} to /apis/v2beta1/healthz; is it "
                          "the KFP API server (ml-pipeline, port 8888)?") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KfpApiError(f"cannot reach KFP at {host} ({reason}); check --host/KFP_HOST, or "
                          "port-forward: kubectl -n kubeflow port-forward svc/ml-pipeline "
                          "8888:8888") from None
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise KfpApiError(f"{host}/apis/v2beta1/healthz did not answer JSON; is it the KFP "
                          "API server?")
    return answer


class KfpApi:
    """The KFP operations upload-and-schedule needs, on one kfp.Client."""

    def __init__(self, host: str, token: str | None, namespace: str | None,
                 ssl_ca_cert: str | None) -> None:
        """Connects a kfp.Client (call :func:`preflight` first).

        Args:
            host: The KFP API address.
            token: A bearer token, or ``None``.
            namespace: The user namespace (multi-user Kubeflow), or ``None``.
            ssl_ca_cert: A CA bundle for https, or ``None``.
        """
        import warnings

        import kfp

        self.host = host
        self.namespace = namespace
        with self._quiet(), warnings.catch_warnings():
            # "This client only works with Kubeflow Pipeline v2.0.0-beta.2 and later": said
            # on every construction, whatever the server; the v2beta1 API we use says it.
            warnings.filterwarnings("ignore", category=FutureWarning, module="kfp.client")
            self.client = kfp.Client(host=host, existing_token=token,
                                     namespace=namespace or "kubeflow",
                                     ssl_ca_cert=ssl_ca_cert)
        # The SDK refuses a pipeline-only version reference (always the latest version),
        # which the backend accepts since 2.5: create recurring runs with the generated client.
        self._recurring_runs = self.client._recurring_run_api
        self._experiments = self.client._experiment_api

    @staticmethod
    @contextlib.contextmanager
    def _quiet() -> Iterator[None]:
        """kfp.Client prints links to stdout; keep stdout for our own report."""
        with contextlib.redirect_stdout(sys.stderr):
            yield

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        import kfp_server_api
        import urllib3

        try:
            with self._quiet():
                return fn(*args, **kwargs)
        except kfp_server_api.ApiException as exc:
            if exc.status in (401, 403):
                raise AuthError(f"{what}: authentication failed ({_error_message(exc)})") \
                    from None
            raise KfpApiError(f"{what} failed: {_error_message(exc)}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise KfpApiError(f"{what} failed: cannot reach {self.host} ({exc})") from None

    def find_pipeline(self, name: str) -> str | None:
        """Returns the id of the pipeline with this display name, or ``None``."""
        result = self._call(f"looking up pipeline {name!r}", self.client.list_pipelines,
                            page_size=2, filter=_filter("display_name", name),
                            namespace=self.namespace)
        pipelines = result.pipelines or []
        return str(pipelines[0].pipeline_id) if pipelines else None

    def upload_pipeline(self, package: Path, name: str) -> str:
        """Uploads a new pipeline; returns its id."""
        pipeline = self._call(f"uploading pipeline {name!r}", self.client.upload_pipeline,
                              str(package), pipeline_name=name, namespace=self.namespace)
        return str(pipeline.pipeline_id)

    def find_version(self, pipeline_id: str, name: str) -> str | None:
        """Returns the id of the pipeline's version with this name, or ``None``."""
        result = self._call(f"looking up version {name!r}", self.client.list_pipeline_versions,
                            pipeline_id, page_size=2, filter=_filter("display_name", name))
        versions = result.pipeline_versions or []
        return str(versions[0].pipeline_version_id) if versions else None

    def upload_version(self, package: Path, pipeline_id: str, name: str) -> str:
        """Uploads a new version of a pipeline; returns its id."""
        version = self._call(f"uploading version {name!r}", self.client.upload_pipeline_version,
                             str(package), pipeline_version_name=name, pipeline_id=pipeline_id)
        return str(version.pipeline_version_id)

    def find_experiment(self, name: str) -> str | None:
        """Returns the id of the experiment with this name in the namespace, or ``None``."""
        result = self._call(f"looking up experiment {name!r}", self.client.list_experiments,
                            page_size=2, filter=_filter("display_name", name),
                            namespace=self.namespace)
        experiments = result.experiments or []
        return str(experiments[0].experiment_id) if experiments else None

    def create_experiment(self, name: str) -> str:
        """Creates an experiment in the namespace; returns its id."""
        import kfp_server_api

        body = kfp_server_api.V2beta1Experiment(display_name=name, namespace=self.namespace)
        experiment = self._call(f"creating experiment {name!r}",
                                self._experiments.experiment_service_create_experiment, body)
        return str(experiment.experiment_id)

    def list_recurring_runs(self, experiment_id: str, name: str) -> list[LiveRun]:
        """Lists the recurring runs of this name in the experiment (all pages)."""
        runs: list[LiveRun] = []
        token = ""
        while True:
            result = self._call(f"listing recurring runs named {name!r}",
                                self.client.list_recurring_runs, page_token=token,
                                page_size=100, experiment_id=experiment_id,
                                namespace=self.namespace,
                                filter=_filter("display_name", name))
            for run in result.recurring_runs or []:
                if run.display_name == name:  # the server filter is case-insensitive
                    runs.append(LiveRun(str(run.recurring_run_id), live_spec(run),
                                        str(run.created_at or "")))
            token = result.next_page_token or ""
            if not token:
                return runs

    def create_recurring_run(self, spec: RecurringRunSpec, experiment_id: str,
                             description: str) -> str:
        """Creates the recurring run *disabled*; returns its id."""
        import kfp_server_api

        trigger = kfp_server_api.V2beta1Trigger()
        if spec.cron is not None:
            trigger.cron_schedule = kfp_server_api.V2beta1CronSchedule(
                cron=spec.cron, start_time=spec.start_time, end_time=spec.end_time)
        else:
            trigger.periodic_schedule = kfp_server_api.V2beta1PeriodicSchedule(
                interval_second=str(spec.interval_second), start_time=spec.start_time,
                end_time=spec.end_time)
        body = kfp_server_api.V2beta1RecurringRun(
            display_name=spec.display_name,
            description=description,
            pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
                pipeline_id=spec.pipeline_id, pipeline_version_id=spec.pipeline_version_id),
            runtime_config=kfp_server_api.V2beta1RuntimeConfig(
                parameters=spec.parameters, pipeline_root=spec.pipeline_root),
            service_account=spec.service_account,
            max_concurrency=str(spec.max_concurrency),
            trigger=trigger,
            mode="DISABLE",
            no_catchup=spec.no_catchup,
            experiment_id=experiment_id,
            namespace=self.namespace,
        )
        run = self._call(f"creating recurring run {spec.display_name!r}",
                         self._recurring_runs.recurring_run_service_create_recurring_run, body)
        return str(run.recurring_run_id)

    def enable(self, recurring_run_id: str) -> None:
        """Enables a recurring run."""
        self._call(f"enabling recurring run {recurring_run_id}",
                   self.client.enable_recurring_run, recurring_run_id)

    def disable(self, recurring_run_id: str) -> None:
        """Disables a recurring run."""
        self._call(f"disabling recurring run {recurring_run_id}",
                   self.client.disable_recurring_run, recurring_run_id)

    def delete(self, recurring_run_id: str) -> None:
        """Deletes a recurring run."""
        self._call(f"deleting recurring run {recurring_run_id}",
                   self.client.delete_recurring_run, recurring_run_id)


def _time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def live_spec(run: Any) -> RecurringRunSpec:
    """Turns an API recurring run (``V2beta1RecurringRun``) into a comparable spec.

    Args:
        run: The generated client's recurring run.

    Returns:
        Its definition.
    """
    trigger = run.trigger
    cron = getattr(trigger, "cron_schedule", None)
    periodic = getattr(trigger, "periodic_schedule", None)
    schedule = cron or periodic
    reference = run.pipeline_version_reference
    runtime = run.runtime_config
    status = str(run.status or "")
    return RecurringRunSpec(
        display_name=str(run.display_name or ""),
        pipeline_id=str(getattr(reference, "pipeline_id", "") or ""),
        pipeline_version_id=getattr(reference, "pipeline_version_id", None) or None,
        cron=cron.cron if cron is not None else None,
        interval_second=int(periodic.interval_second)
        if periodic is not None and periodic.interval_second else None,
        start_time=_time(getattr(schedule, "start_time", None)),
        end_time=_time(getattr(schedule, "end_time", None)),
        parameters=dict(getattr(runtime, "parameters", None) or {}),
        max_concurrency=int(run.max_concurrency or 1),
        no_catchup=bool(run.no_catchup),
        enabled=status.upper().endswith("ENABLED") and not status.upper().endswith("DISABLED"),
        service_account=run.service_account or None,
        pipeline_root=getattr(runtime, "pipeline_root", None) or None,
    )

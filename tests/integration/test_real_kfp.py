"""Opt-in: upload-and-schedule against a real KFP (runs only when KFP_HOST is set).

    kind create cluster
    KFP=github.com/kubeflow/pipelines/manifests/kustomize
    kubectl apply -k "$KFP/cluster-scoped-resources?ref=2.5.0"
    kubectl wait --for condition=established --timeout=60s crd/applications.app.k8s.io
    kubectl apply -k "$KFP/env/platform-agnostic?ref=2.5.0"
    kubectl -n kubeflow port-forward svc/ml-pipeline 8888:8888 &
    KFP_HOST=http://localhost:8888 python -m pytest -m integration tests/integration
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from absa_pipeline.publish.cli import upload_and_schedule
from absa_pipeline.publish.kfp_api import KfpApi

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("KFP_HOST"), reason="needs a real KFP: set KFP_HOST"),
]
PACKAGE = Path(__file__).resolve().parents[2] / "compiled" / "absa_pipeline.yaml"


def publish_twice(name: str, *extra: str) -> tuple[dict, dict, KfpApi]:
    """Publishes a disabled schedule twice; returns both reports and an API for cleanup."""
    args = ["--package", str(PACKAGE), "--experiment", "absa-integration",
            "--recurring-run-name", name, "--disabled", "--output", "json", *extra]
    first = CliRunner().invoke(upload_and_schedule, args)
    assert first.exit_code == 0, first.output
    api = KfpApi(os.environ["KFP_HOST"].rstrip("/"), os.environ.get("KFP_TOKEN"),
                 os.environ.get("KFP_NAMESPACE"), None)
    again = CliRunner().invoke(upload_and_schedule, args)
    assert again.exit_code == 0, again.output
    return json.loads(first.stdout), json.loads(again.stdout), api


def delete_schedules(api: KfpApi, experiment_id: str, name: str) -> None:
    for run in api.list_recurring_runs(experiment_id, name):
        api.delete(run.recurring_run_id)


def test_publish_is_idempotent_on_a_real_server() -> None:
    name = f"absa-it-{uuid.uuid4().hex[:8]}"
    first, again, api = publish_twice(name, "--cron", "0 3 * * *", "--timezone", "Asia/Seoul")
    try:
        assert first["kfp_cron"] == "0 0 18 * * *"
        assert again["changed"] is False
        (live,) = api.list_recurring_runs(first["experiment_id"], name)
        assert live.spec.cron == "0 0 18 * * *" and live.spec.enabled is False
    finally:
        delete_schedules(api, first["experiment_id"], name)


def test_latest_version_policy_is_idempotent_on_a_real_server() -> None:
    """The backend (>= 2.5) must echo a pipeline-only reference back without a version id."""
    name = f"absa-it-latest-{uuid.uuid4().hex[:8]}"
    first, again, api = publish_twice(name, "--version-policy", "latest")
    try:
        assert again["changed"] is False
        (live,) = api.list_recurring_runs(first["experiment_id"], name)
        assert live.spec.pipeline_version_id is None
    finally:
        delete_schedules(api, first["experiment_id"], name)

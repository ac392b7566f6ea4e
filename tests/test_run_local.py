"""run-local: the whole pipeline through kfp.local, and its input checks."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_kubectl import FakeKubectl

from absa_pipeline import run_local
from absa_pipeline.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(run_local.run_local_command, list(args))


@pytest.mark.slow
def test_whole_pipeline_runs_locally_and_renders(tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    result = invoke("--pipeline-root", str(tmp_path / "root"), "--summary-json",
                    str(summary_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["status"] == "SUCCEEDED"
    assert summary["gate_passed"] is True
    assert summary["deploy"] == {"mode": "render", "ran": True}
    metrics = summary["metrics"]
    assert metrics["accuracy"] >= 0.7 and metrics["macro_f1"] >= 0.6
    assert metrics["n_train"] > 1000 and metrics["n_test"] > 350
    assert summary["duration_s"] > 0
    assert set(summary) == {"status", "metrics", "gate_passed", "deploy", "duration_s"}
    assert "accuracy" in result.output and "deploy      ran (render)" in result.output
    (manifests,) = (tmp_path / "root").glob("*/deploy-model/manifests")
    assert "kind: Deployment" in manifests.read_text(encoding="utf-8")


@pytest.mark.slow
def test_failed_gate_is_a_success_that_skips_deploy(tmp_path: Path,
                                                    fake_kubectl: FakeKubectl) -> None:
    summary_path = tmp_path / "summary.json"
    result = invoke("--min-accuracy", "0.999", "--deploy-mode", "apply", "--pipeline-root",
                    str(tmp_path / "root"), "--summary-json", str(summary_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert (summary["status"], summary["gate_passed"]) == ("SUCCEEDED", False)
    assert summary["deploy"] == {"mode": "apply", "ran": False}
    assert fake_kubectl.calls == []
    assert "skipped (quality gate failed)" in result.output


@pytest.mark.slow
def test_apply_with_a_failing_rollout_undoes_and_fails(tmp_path: Path,
                                                       fake_kubectl: FakeKubectl) -> None:
    fake_kubectl.on("get", stdout="5")
    fake_kubectl.on("rollout", "status", exit=1, times=1, stderr="error: timed out waiting\n")
    summary_path = tmp_path / "summary.json"
    result = CliRunner().invoke(cli, ["run-local", "--deploy-mode", "apply",
                                      "--namespace", "serving", "--pipeline-root",
                                      str(tmp_path / "root"), "--summary-json",
                                      str(summary_path)])
    assert result.exit_code == 1
    assert "the pipeline failed" in result.output
    assert json.loads(summary_path.read_text(encoding="utf-8"))["status"] == "FAILED"
    assert fake_kubectl.verbs == ["get", "apply", "rollout status", "rollout undo",
                                  "rollout status"]
    assert all("serving" in call["argv"] for call in fake_kubectl.calls)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train-data", "/nonexistent/train.xml"], "no such file"),
        (["--param", "replicas=two"], "parameter replicas is an integer"),
        (["--param", "nope=1"], "unknown pipeline parameter 'nope'"),
        (["--param", "namespace=x", "--namespace", "y"], "given both as an option and as"),
        (["--deployment-name", "x; touch /tmp/p"], "deployment_name 'x; touch /tmp/p' is not"),
        (["--serving-image", "repo/x:latest"], "':latest'"),
        (["--deploy-mode", "yolo"], "Invalid value for '--deploy-mode'"),
    ],
)
def test_bad_input_exits_2_with_one_message(args: list[str], message: str,
                                            fake_kubectl: FakeKubectl,
                                            tmp_path: Path) -> None:
    result = invoke(*args, "--pipeline-root", str(tmp_path / "root"))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "root").exists()
    assert fake_kubectl.calls == []


def test_malformed_training_data_names_the_option(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<sentences><sentence>", encoding="utf-8")
    result = invoke("--train-data", str(bad), "--pipeline-root", str(tmp_path / "root"))
    assert result.exit_code == 2
    assert "--train-data" in result.output and "malformed XML" in result.output


def test_missing_component_packages_are_reported(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(run_local, "TRAIN_PACKAGES", ["scikit-learn==0.0.1"])
    result = invoke("--pipeline-root", str(tmp_path / "root"))
    assert result.exit_code == 1
    assert "scikit-learn==0.0.1 (found " in result.output
    assert 'pip install -e ".[dev]"' in result.output


def test_package_mismatches() -> None:
    assert run_local.package_mismatches(["click==0.0.0", "surely-not-installed-pkg==1"]) == [
        f"click==0.0.0 (found {metadata.version('click')})",
        "surely-not-installed-pkg==1 (not installed)",
    ]

"""The compiled package: KFP's own parsers accept it, its structure, and the golden file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from google.protobuf import json_format
from kfp import components as kfp_components
from kfp.kubernetes import kubernetes_executor_config_pb2
from kfp.pipeline_spec import pipeline_spec_pb2

from absa_pipeline import compile as compile_module
from absa_pipeline.images import DEFAULT_DEPLOYER_IMAGE, PYTHON_IMAGE

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "compiled" / "absa_pipeline.yaml"


@pytest.fixture(scope="module")
def compiled() -> str:
    return compile_module.render_pipeline_yaml()


@pytest.fixture(scope="module")
def docs(compiled: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(compiled))


@pytest.fixture(scope="module")
def spec(docs: list[dict[str, Any]]) -> pipeline_spec_pb2.PipelineSpec:
    return json_format.ParseDict(docs[0], pipeline_spec_pb2.PipelineSpec())


def test_golden_file_matches_a_fresh_compile(compiled: str) -> None:
    """compiled/absa_pipeline.yaml is fresh; regenerate with `python -m absa_pipeline.compile`."""
    on_disk = GOLDEN.read_text(encoding="utf-8")
    assert compile_module.normalize_version_noise(on_disk) == \
        compile_module.normalize_version_noise(compiled)


def test_only_version_noise_is_normalised() -> None:
    text = "sdkVersion: kfp-2.17.3\nx: 'kfp==2.17.3'\nimage: python:3.11\n"
    assert compile_module.normalize_version_noise(text) == \
        "sdkVersion: kfp-<version>\nx: 'kfp==<version>'\nimage: python:3.11\n"


def test_compile_is_byte_identical_across_processes_and_environments(
        compiled: str, tmp_path: Path) -> None:
    out = tmp_path / "other.yaml"
    env = {**os.environ, "TZ": "Asia/Seoul", "LANG": "C", "HOME": str(tmp_path),
           "KFP_HOST": "http://elsewhere:8888", "PYTHONHASHSEED": "123"}
    subprocess.run([sys.executable, "-m", "absa_pipeline.compile", "--output", str(out)],
                   check=True, cwd=tmp_path, env=env, capture_output=True)
    assert out.read_text(encoding="utf-8") == compiled


def test_kfp_cli_compiles_the_same_pipeline(compiled: str, tmp_path: Path) -> None:
    out = tmp_path / "cli.yaml"
    kfp_cli = Path(sys.executable).with_name("kfp")
    subprocess.run([str(kfp_cli), "dsl", "compile", "--py", str(ROOT / "absa_pipeline" /
                    "pipeline.py"), "--function", "absa_pipeline", "--output", str(out)],
                   check=True, cwd=tmp_path, capture_output=True)
    assert out.read_text(encoding="utf-8") == compiled


def test_spec_parses_and_loads_as_a_component(spec: pipeline_spec_pb2.PipelineSpec,
                                              tmp_path: Path, compiled: str) -> None:
    assert spec.pipeline_info.name == "absa-model-deployment-pipeline"
    assert spec.pipeline_info.display_name == "ABSA Model Deployment Pipeline"
    path = tmp_path / "p.yaml"
    path.write_text(compiled, encoding="utf-8")
    component = kfp_components.load_component_from_file(str(path))
    assert component.name == "absa-model-deployment-pipeline"


def test_root_parameters_have_the_fixed_names_and_types(
        spec: pipeline_spec_pb2.PipelineSpec) -> None:
    kinds = pipeline_spec_pb2.ParameterType.ParameterTypeEnum
    params = {name: kinds.Name(p.parameter_type)
              for name, p in spec.root.input_definitions.parameters.items()}
    assert params == {
        "train_data_uri": "STRING", "test_data_uri": "STRING",
        "min_accuracy": "NUMBER_DOUBLE", "min_macro_f1": "NUMBER_DOUBLE",
        "namespace": "STRING", "deployment_name": "STRING", "serving_image": "STRING",
        "replicas": "NUMBER_INTEGER", "deploy_mode": "STRING",
        "rollout_timeout_s": "NUMBER_INTEGER", "trainer": "STRING",
    }


def test_task_graph_and_gate(spec: pipeline_spec_pb2.PipelineSpec) -> None:
    tasks = spec.root.dag.tasks
    assert set(tasks) == {"importer", "importer-2", "build-model", "test-model",
                          "condition-1"}
    assert list(tasks["build-model"].dependent_tasks) == ["importer"]
    assert sorted(tasks["test-model"].dependent_tasks) == ["build-model", "importer-2"]
    gate = tasks["condition-1"]
    assert gate.trigger_policy.condition == \
        "inputs.parameter_values['pipelinechannel--test-model-Output'] == true"
    assert gate.inputs.parameters["pipelinechannel--test-model-Output"] \
        .task_output_parameter.producer_task == "test-model"
    inner = spec.components["comp-condition-1"].dag.tasks
    assert set(inner) == {"deploy-model"}
    assert inner["deploy-model"].inputs.artifacts["model"].component_input_artifact == \
        "pipelinechannel--build-model-model"
    for name in ("importer", "importer-2", "build-model", "test-model"):
        assert not tasks[name].caching_options.enable_cache, name
    assert not inner["deploy-model"].caching_options.enable_cache


def test_images_are_pinned(docs: list[dict[str, Any]]) -> None:
    executors = docs[0]["deploymentSpec"]["executors"]
    images = {name: e["container"]["image"] for name, e in executors.items()
              if "container" in e}
    assert images == {"exec-build-model": PYTHON_IMAGE, "exec-test-model": PYTHON_IMAGE,
                      "exec-deploy-model": DEFAULT_DEPLOYER_IMAGE}
    for image in images.values():
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")
    build_command = "".join(executors["exec-build-model"]["container"]["command"])
    assert "'scikit-learn==1.9.1'" in build_command


def test_deploy_task_kubernetes_config(docs: list[dict[str, Any]]) -> None:
    platform = docs[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    config = json_format.ParseDict(platform["exec-deploy-model"],
                                   kubernetes_executor_config_pb2.KubernetesExecutorConfig())
    (volume,) = config.config_map_as_volume
    assert (volume.config_map_name, volume.mount_path, volume.optional) == \
        ("deployment-config", "/app", True)
    assert config.active_deadline_seconds == 1800
    assert config.pod_metadata.labels["app.kubernetes.io/part-of"] == "absa-pipeline"
    assert set(platform) == {"exec-deploy-model"}


def test_no_machine_paths_or_secrets_in_the_package(compiled: str) -> None:
    assert str(ROOT) not in compiled
    assert "/tmp/" not in compiled
    assert os.path.expanduser("~") + "/" not in compiled
    for leak in ("Bearer ", "Authorization", "password", "KFP_TOKEN"):
        assert leak not in compiled


def test_deployer_image_is_overridable_at_compile_time() -> None:
    text = compile_module.render_pipeline_yaml("registry.example/deployer:9.9")
    assert "image: registry.example/deployer:9.9" in text


def test_check_passes_when_fresh_and_fails_with_a_diff_when_stale(
        tmp_path: Path, compiled: str) -> None:
    target = tmp_path / "p.yaml"
    target.write_text(compiled, encoding="utf-8")
    fresh = CliRunner().invoke(compile_module.compile_command,
                               ["--output", str(target), "--check"])
    assert fresh.exit_code == 0, fresh.output
    target.write_text(compiled.replace("defaultValue: 300", "defaultValue: 301"),
                      encoding="utf-8")
    stale = CliRunner().invoke(compile_module.compile_command,
                               ["--output", str(target), "--check"])
    assert stale.exit_code == 1
    assert "-        defaultValue: 301" in stale.output
    assert "is stale; regenerate it with: python -m absa_pipeline.compile" in stale.output


def test_check_on_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(compile_module.compile_command,
                                ["--output", str(tmp_path / "nope.yaml"), "--check"])
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_latest_deployer_image_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(compile_module.compile_command,
                                ["--output", str(tmp_path / "x.yaml"),
                                 "--deployer-image", "bitnami/kubectl:latest"])
    assert result.exit_code == 2
    assert "':latest'" in result.output
    assert not (tmp_path / "x.yaml").exists()

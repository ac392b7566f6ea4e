"""``python -m absa_pipeline.compile --kubernetes-manifest``: KFP's Kubernetes-native resources.

``compiled/absa_pipeline.k8s.yaml`` is committed and kept fresh like the main package
(``--kubernetes-manifest --check`` in CI); regenerate it with
``python -m absa_pipeline.compile --kubernetes-manifest``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from absa_pipeline import compile as compile_module
from absa_pipeline.pipeline import PIPELINE_DISPLAY_NAME, PIPELINE_NAME

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "compiled" / "absa_pipeline.k8s.yaml"
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@pytest.fixture(scope="module")
def manifest() -> str:
    return compile_module.render_kubernetes_manifest()


@pytest.fixture(scope="module")
def docs(manifest: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(manifest))


def test_committed_file_is_fresh(manifest: str) -> None:
    """Regenerate with `python -m absa_pipeline.compile --kubernetes-manifest`."""
    on_disk = COMMITTED.read_text(encoding="utf-8")
    assert compile_module.normalize_version_noise(on_disk) == \
        compile_module.normalize_version_noise(manifest)


def test_pipeline_and_pipeline_version(docs: list[dict[str, Any]]) -> None:
    assert [(d["apiVersion"], d["kind"]) for d in docs] == [
        ("pipelines.kubeflow.org/v2beta1", "Pipeline"),
        ("pipelines.kubeflow.org/v2beta1", "PipelineVersion")]
    pipeline, version = docs
    assert pipeline["metadata"] == {"name": PIPELINE_NAME}  # namespace: kubectl apply -n
    assert pipeline["spec"]["displayName"] == PIPELINE_DISPLAY_NAME
    assert version["spec"]["pipelineName"] == PIPELINE_NAME
    assert "namespace" not in version["metadata"]
    name = version["metadata"]["name"]
    assert re.fullmatch(rf"{PIPELINE_NAME}-[0-9a-f]{{12}}", name)
    assert len(name) <= 253 and SUBDOMAIN.fullmatch(name)


def test_version_holds_the_same_spec_as_the_package(docs: list[dict[str, Any]]) -> None:
    package = list(yaml.safe_load_all(compile_module.render_pipeline_yaml()))
    version = docs[1]["spec"]
    assert version["pipelineSpec"] == package[0]
    assert version["platformSpec"] == package[1]


def test_version_name_follows_the_content() -> None:
    other = list(yaml.safe_load_all(
        compile_module.render_kubernetes_manifest("registry.example/deployer:9.9")))
    default = list(yaml.safe_load_all(COMMITTED.read_text(encoding="utf-8")))
    assert other[0]["metadata"] == default[0]["metadata"]  # one Pipeline
    assert other[1]["metadata"]["name"] != default[1]["metadata"]["name"]  # a new version


def test_written_beside_output_byte_identical_and_checked(tmp_path: Path,
                                                         manifest: str) -> None:
    output = tmp_path / "p.yaml"
    k8s = tmp_path / "p.k8s.yaml"
    assert compile_module.kubernetes_manifest_path(output) == k8s
    run = CliRunner().invoke(compile_module.compile_command,
                             ["--output", str(output), "--kubernetes-manifest"])
    assert run.exit_code == 0, run.output
    assert k8s.read_bytes() == manifest.encode("utf-8")  # two compiles, same bytes
    fresh = CliRunner().invoke(compile_module.compile_command,
                               ["--output", str(output), "--kubernetes-manifest", "--check"])
    assert fresh.exit_code == 0, fresh.output
    assert f"{k8s} is up to date" in fresh.output
    k8s.write_text(manifest.replace("defaultValue: 300", "defaultValue: 301"),
                   encoding="utf-8")
    stale = CliRunner().invoke(compile_module.compile_command,
                               ["--output", str(output), "--kubernetes-manifest", "--check"])
    assert stale.exit_code == 1
    assert "defaultValue: 301" in stale.output
    assert ("is stale; regenerate it with: python -m absa_pipeline.compile "
            "--kubernetes-manifest") in stale.output
    without_flag = CliRunner().invoke(compile_module.compile_command,
                                      ["--output", str(output), "--check"])
    assert without_flag.exit_code == 0, without_flag.output  # the flag is what checks it


def test_check_fails_when_the_manifest_is_missing(tmp_path: Path) -> None:
    output = tmp_path / "p.yaml"
    output.write_text(compile_module.render_pipeline_yaml(), encoding="utf-8")
    result = CliRunner().invoke(compile_module.compile_command,
                                ["--output", str(output), "--kubernetes-manifest", "--check"])
    assert result.exit_code == 1
    assert "p.k8s.yaml does not exist" in result.output


def test_indented_sdk_version_is_version_noise() -> None:
    text = "    sdkVersion: kfp-2.17.3\nsdkVersion: kfp-2.17.3\n"
    assert compile_module.normalize_version_noise(text) == \
        "    sdkVersion: kfp-<version>\nsdkVersion: kfp-<version>\n"

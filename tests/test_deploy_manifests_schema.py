"""The deploy step's manifests and the samples: strict schemas, restricted profile, golden files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from k8s_checks import pod_specs, restricted_violations, validate_strictly
from kubernetes_validate import ValidationError

from absa_pipeline.images import DEFAULT_SERVING_IMAGE
from absa_pipeline.manifests import render_manifests, stamp_manifests
from absa_pipeline.rbac import DEPLOYER_RULES, render_rbac
from absa_pipeline.samples import render_samples, samples_command

ROOT = Path(__file__).resolve().parents[1]


def stamped() -> list[dict]:
    return stamp_manifests(render_manifests("absa-model", "serving", DEFAULT_SERVING_IMAGE, 2),
                           "absa-model", "serving", DEFAULT_SERVING_IMAGE, 2,
                           "minio://mlpipeline/v2/artifacts/absa/run/build-model/model",
                           "0123456789ab", {"absa-pipeline/run-id": "r1"})


def test_stamped_manifests_validate_strictly_and_are_restricted() -> None:
    docs = stamped()
    for doc in docs:
        validate_strictly(doc)
    (pod,) = pod_specs(docs[0])
    assert restricted_violations(pod) == []


def test_the_checks_can_fail() -> None:
    doc = stamped()[0]
    doc["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    (pod,) = pod_specs(doc)
    assert "model-server: allowPrivilegeEscalation must be false" in restricted_violations(pod)
    doc["spec"]["replicaz"] = 1
    with pytest.raises(ValidationError):
        validate_strictly(doc)


def test_config_map_template_without_security_context_becomes_restricted() -> None:
    template = [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                 "spec": {"selector": {"matchLabels": {"app": "x"}},
                          "template": {"metadata": {"labels": {"app": "x"}},
                                       "spec": {"containers": [{"name": "s",
                                                                "image": "a:1"}]}}}}]
    (doc,) = stamp_manifests(template, "absa-model", "serving", "repo/s:1", 1, "gs://b/m",
                             "v1", {})
    validate_strictly(doc)
    (pod,) = pod_specs(doc)
    assert restricted_violations(pod) == []


def test_rbac_is_exactly_what_the_deploy_step_uses() -> None:
    account, role, binding = render_rbac("serving", extra_subjects=[
        {"kind": "ServiceAccount", "name": "pipeline-runner", "namespace": "kubeflow"}])
    for doc in (account, role, binding):
        validate_strictly(doc)
    rules = {(tuple(r["apiGroups"]), r["resources"][0]): set(r["verbs"]) for r in role["rules"]}
    assert rules == {
        (("apps",), "deployments"): {"get", "list", "watch", "create", "patch", "update"},
        (("apps",), "replicasets"): {"get", "list", "watch"},
        (("",), "services"): {"get", "create", "patch"},
        (("",), "configmaps"): {"get"},
    }
    assert "*" not in str(role["rules"])
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert {s["name"] for s in binding["subjects"]} == {"absa-deployer", "pipeline-runner"}
    role["rules"][0]["verbs"].append("delete")
    assert "delete" not in DEPLOYER_RULES[0]["verbs"]  # no shared state


def test_sample_files_are_fresh_and_valid() -> None:
    for name, text in render_samples().items():
        path = ROOT / "manifests" / name
        assert path.read_text(encoding="utf-8") == text, f"regenerate {path}"
        for doc in yaml.safe_load_all(text):
            validate_strictly(doc)


def test_sample_deployment_equals_the_built_in_template_for_the_defaults() -> None:
    text = (ROOT / "manifests" / "deployment.yaml").read_text(encoding="utf-8")
    assert list(yaml.safe_load_all(text)) == render_manifests("absa-model", "default",
                                                              DEFAULT_SERVING_IMAGE, 2)


def test_samples_check_fails_when_stale(tmp_path: Path) -> None:
    assert CliRunner().invoke(samples_command, ["--directory", str(tmp_path)]).exit_code == 0
    assert CliRunner().invoke(samples_command,
                              ["--directory", str(tmp_path), "--check"]).exit_code == 0
    (tmp_path / "rbac.yaml").write_text("stale\n", encoding="utf-8")
    result = CliRunner().invoke(samples_command, ["--directory", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "stale:" in result.output and "rbac.yaml" in result.output

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from absa_pipeline.manifests import (
    check_image_reference,
    manifests_to_yaml,
    render_manifests,
    stamp_manifests,
    validate_deploy_params,
)

GOOD = {"namespace": "serving", "deployment_name": "absa-model",
        "serving_image": "ghcr.io/acme/absa-server:0.1.0", "replicas": 2,
        "rollout_timeout_s": 300, "deploy_mode": "apply"}


def stamped(docs=None):
    docs = docs if docs is not None else render_manifests("absa-model", "serving",
                                                          "repo/server:1.0", 2)
    return stamp_manifests(docs, "absa-model", "serving", "repo/server:1.0", 3,
                           "minio://mlpipeline/v2/artifacts/model", "abc123def456",
                           {"absa-pipeline/run-id": "run-1"})


def test_good_parameters_pass() -> None:
    validate_deploy_params(**GOOD)
    validate_deploy_params(**{**GOOD, "serving_image": "repo/x@sha256:" + "a" * 64})
    validate_deploy_params(**{**GOOD, "serving_image": "localhost:5000/x:1"})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("namespace", "x; touch /tmp/p", "namespace 'x; touch /tmp/p' is not a DNS-1123 label"),
        ("namespace", "$(id)", "namespace"),
        ("deployment_name", "`id`", "deployment_name"),
        ("deployment_name", "absa\nmodel", "deployment_name"),
        ("deployment_name", "a" * 64, "at most 63 characters"),
        ("deployment_name", "Absa", "lowercase"),
        ("deployment_name", "-absa", "deployment_name"),
        ("namespace", "", "namespace"),
        ("serving_image", "repo/server", "has no tag or digest"),
        ("serving_image", "repo/server:latest", "':latest'"),
        ("serving_image", "repo/server:1.0; rm -rf /", "not a valid image reference"),
        ("replicas", 0, "replicas must be an integer >= 1"),
        ("replicas", True, "replicas"),
        ("rollout_timeout_s", 0, "rollout_timeout_s must be an integer > 0"),
        ("deploy_mode", "yolo", "deploy_mode 'yolo' is not one of"),
    ],
)
def test_invalid_parameters_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        validate_deploy_params(**{**GOOD, field: value})
    assert message in str(caught.value)


@given(st.text(min_size=1, max_size=80))
def test_hostile_names_never_validate_unless_dns1123(name: str) -> None:
    import re
    ok = bool(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)) and len(name) <= 63
    try:
        validate_deploy_params(**{**GOOD, "deployment_name": name})
    except ValueError:
        assert not ok
    else:
        assert ok
        assert not set(name) & set(";$`|&<>()'\"\\\n ")


def test_image_reference_field_name_in_message() -> None:
    with pytest.raises(ValueError, match="^--deployer-image 'x' has no tag"):
        check_image_reference("x", "--deployer-image")


def test_built_in_manifests_are_hardened() -> None:
    deployment, service = stamped()
    assert (deployment["kind"], service["kind"]) == ("Deployment", "Service")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "repo/server:1.0"
    assert {"name": "MODEL_URI", "value": "minio://mlpipeline/v2/artifacts/model"} in \
        container["env"]
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    sc = container["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["readOnlyRootFilesystem"] is True
    assert container["readinessProbe"] and container["livenessProbe"]
    assert container["resources"]["limits"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/version"] == "abc123def456"
    assert deployment["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name":
                                                             "absa-model"}
    assert deployment["metadata"]["annotations"]["absa-pipeline/run-id"] == "run-1"
    assert service["metadata"]["namespace"] == "serving"


def test_config_map_template_is_stamped_without_losing_its_own_settings() -> None:
    template = list(yaml.safe_load_all("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: from-configmap}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
      - name: server
        image: old:1
        env: [{name: MODEL_URI, value: stale}, {name: OTHER, value: kept}]
        resources: {limits: {memory: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {selector: {app: x}, ports: [{port: 80}]}
"""))
    deployment, service = stamped(template)
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert deployment["metadata"]["name"] == "absa-model"
    assert container["image"] == "repo/server:1.0"
    assert container["env"] == [{"name": "OTHER", "value": "kept"},
                                {"name": "MODEL_URI",
                                 "value": "minio://mlpipeline/v2/artifacts/model"}]
    assert container["resources"] == {"limits": {"memory": "1Gi"}}
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert service["metadata"]["namespace"] == "serving"
    assert template[0]["metadata"]["name"] == "from-configmap"  # input untouched


@pytest.mark.parametrize("kinds", [["Service"], ["Deployment", "Deployment"]])
def test_template_needs_exactly_one_deployment(kinds: list[str]) -> None:
    docs = [{"kind": k, "metadata": {}, "spec": {}} for k in kinds]
    with pytest.raises(ValueError, match="exactly one Deployment"):
        stamped(docs)


def test_yaml_is_deterministic_and_round_trips() -> None:
    docs = stamped()
    text = manifests_to_yaml(docs)
    assert text == manifests_to_yaml(stamped())
    assert list(yaml.safe_load_all(text)) == docs


SHELL_META = set(";$`|&<>()'\"\\\n\t *?[]{}!#~")


@given(namespace=st.text(max_size=70), image=st.text(max_size=90))
def test_nothing_with_shell_metacharacters_passes_validation(namespace: str, image: str) -> None:
    try:
        validate_deploy_params(namespace, "absa-model", image, 1, 60, "apply")
    except ValueError:
        return
    assert not set(namespace) & SHELL_META
    assert not set(image) & SHELL_META
    assert not image.endswith(":latest")


@given(st.sampled_from(["x; touch /tmp/p", "$(id)", "`id`", "a\nb", "a b", "ns|x", "A" * 70]),
       st.sampled_from(["namespace", "deployment_name"]))
def test_known_hostile_values_are_rejected(value: str, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        validate_deploy_params(**{**GOOD, field: value})

"""Opt-in: the deploy step against a real cluster (runs only when KUBECONFIG is set).

    kind create cluster
    KUBECONFIG=~/.kube/config python -m pytest -m integration tests/integration

It applies a small Deployment (agnhost netexec on 8080) through the real kubectl, proves the
rollout, then applies an image that cannot be pulled and expects the undo.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from absa_pipeline.deploy import apply_and_verify
from absa_pipeline.manifests import manifests_to_yaml, stamp_manifests

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("KUBECONFIG"),
                       reason="needs a real cluster: set KUBECONFIG"),
]
GOOD = "registry.k8s.io/e2e-test-images/agnhost:2.52"
BAD = "registry.k8s.io/e2e-test-images/agnhost:0.0.0-absent"


def manifests(namespace: str, image: str) -> str:
    template = [{
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "absa-it"}},
                 "progressDeadlineSeconds": 30,
                 "template": {"metadata": {"labels": {"app.kubernetes.io/name": "absa-it"}},
                              "spec": {"containers": [{
                                  "name": "server", "image": image,
                                  "args": ["netexec", "--http-port=8080"],
                                  "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
                              }]}}}}]
    docs = stamp_manifests(template, "absa-it", namespace, image, 1, "gs://none/model", "it",
                           {"absa-pipeline/run-id": "integration"})
    return manifests_to_yaml(docs)


def test_apply_rollout_then_failed_rollout_is_undone() -> None:
    namespace = f"absa-it-{uuid.uuid4().hex[:6]}"
    subprocess.run(["kubectl", "create", "namespace", namespace], check=True)
    try:
        ok = apply_and_verify(manifests(namespace, GOOD), namespace, "absa-it", "apply", 180)
        assert ok["ran"] and ok["revision"] >= 1
        with pytest.raises(RuntimeError, match="rolled back to the previous revision"):
            apply_and_verify(manifests(namespace, BAD), namespace, "absa-it", "apply", 45)
        image = subprocess.run(
            ["kubectl", "get", "deployment/absa-it", "-n", namespace, "-o",
             "jsonpath={.spec.template.spec.containers[0].image}"],
            check=True, capture_output=True, text=True).stdout
        assert image == GOOD
    finally:
        subprocess.run(["kubectl", "delete", "namespace", namespace, "--wait=false"],
                       check=False)

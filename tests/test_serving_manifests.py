"""How the model reaches the server's pod: the storage-initializer init container."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from k8s_checks import pod_specs, restricted_violations, validate_strictly

import components
from absa_pipeline.images import DEFAULT_SERVING_IMAGE
from absa_pipeline.manifests import render_manifests, stamp_manifests, storage_uri

MODEL_URI = "minio://mlpipeline/v2/artifacts/absa-pipeline/run-1/build-model/model"


def stamp(docs: list[dict[str, Any]] | None = None,
          model_uri: str = MODEL_URI) -> list[dict[str, Any]]:
    docs = docs if docs is not None else render_manifests("absa-model", "serving",
                                                          DEFAULT_SERVING_IMAGE, 2)
    return stamp_manifests(docs, "absa-model", "serving", DEFAULT_SERVING_IMAGE, 2, model_uri,
                           "0123456789ab", {"absa-pipeline/run-id": "r1"})


def pod_of(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (pod,) = pod_specs(next(d for d in docs if d["kind"] == "Deployment"))
    return pod


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def expand(args: list[str], env: dict[str, Any]) -> list[str]:
    """Kubernetes' $(VAR) expansion of args from the container's env."""
    return [re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                   lambda m: str(env.get(m.group(1), m.group(0))), a) for a in args]


@pytest.mark.parametrize(
    ("model_uri", "source"),
    [
        ("minio://mlpipeline/v2/artifacts/p/r/build-model/model",
         "s3://mlpipeline/v2/artifacts/p/r/build-model/model"),
        ("MINIO://bucket/key", "s3://bucket/key"),
        ("minio://bucket/dir/with space/model", "s3://bucket/dir/with space/model"),
        ("s3://bucket/key/model", "s3://bucket/key/model"),
        ("gs://bucket/key/model", "gs://bucket/key/model"),
        ("https://models.example.com/absa/model", "https://models.example.com/absa/model"),
        ("http://minio.local:9000/b/model", "http://minio.local:9000/b/model"),
        ("/home/me/local_outputs/run/build-model/model",
         "/home/me/local_outputs/run/build-model/model"),
        ("file:///tmp/model", "file:///tmp/model"),
    ],
)
def test_storage_uri_maps_minio_to_s3_and_keeps_the_rest(model_uri: str, source: str) -> None:
    assert storage_uri(model_uri) == source


@pytest.mark.parametrize("bad", ["", "   ", "minio://", "minio://bucket", "minio://bucket/",
                                 "minio:///key"])
def test_storage_uri_refuses_what_names_no_object(bad: str) -> None:
    with pytest.raises(ValueError, match="model URI"):
        storage_uri(bad)


def test_the_init_container_downloads_the_mapped_uri_into_models() -> None:
    pod = pod_of(stamp())
    (init,) = pod["initContainers"]
    server = pod["containers"][0]
    assert init["name"] == "storage-initializer"
    assert init["image"] == "kserve/storage-initializer:v0.15.2"
    env = env_of(init)
    assert env["STORAGE_URI"] == MODEL_URI.replace("minio://", "s3://", 1)
    assert expand(init["args"], env) == [env["STORAGE_URI"], "/models"]
    assert env_of(server)["MODEL_URI"] == MODEL_URI
    assert server["args"] == ["--model-dir", "/models", "--port", "8080"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes["models"]
    init_mounts = {m["mountPath"]: m for m in init["volumeMounts"]}
    server_mounts = {m["mountPath"]: m for m in server["volumeMounts"]}
    assert init_mounts["/models"]["name"] == "models"
    assert not init_mounts["/models"].get("readOnly", False)
    assert server_mounts["/models"] == {"name": "models", "mountPath": "/models",
                                        "readOnly": True}


def test_minio_endpoint_and_credentials_come_from_the_kfp_secret() -> None:
    (init,) = pod_of(stamp())["initContainers"]
    env = env_of(init)
    assert env["AWS_ENDPOINT_URL"] == "http://minio-service.kubeflow:9000"
    assert env["S3_ENDPOINT"] == "minio-service.kubeflow:9000"
    assert env["S3_USE_HTTPS"] == "0"
    assert env["AWS_ACCESS_KEY_ID"] == {"secretKeyRef": {"name": "mlpipeline-minio-artifact",
                                                         "key": "accesskey"}}
    assert env["AWS_SECRET_ACCESS_KEY"] == {"secretKeyRef": {
        "name": "mlpipeline-minio-artifact", "key": "secretkey"}}


def test_the_template_validates_strictly_and_every_container_is_restricted() -> None:
    for docs in (render_manifests("absa-model", "serving", DEFAULT_SERVING_IMAGE, 2), stamp()):
        for doc in docs:
            validate_strictly(doc)
    pod = pod_of(stamp())
    assert restricted_violations(pod) == []
    for container in [*pod["initContainers"], *pod["containers"]]:
        sc = container["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"] == {"drop": ["ALL"]}
        assert sc["runAsNonRoot"] is True
        assert container["resources"]["limits"]
    assert pod["securityContext"]["runAsUser"] == 65532


def test_restamping_keeps_one_source_and_configmap_args() -> None:
    again = stamp(stamp(), "gs://bucket/other/model")
    (init,) = pod_of(again)["initContainers"]
    sources = [e for e in init["env"] if e["name"] == "STORAGE_URI"]
    assert sources == [{"name": "STORAGE_URI", "value": "gs://bucket/other/model"}]
    template = yaml.safe_load("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      initContainers:
      - {name: storage-initializer, image: 'mirror/storage-initializer:v0.15.2'}
      - {name: warmup, image: 'busybox:1.36', args: [sh, -c, 'true']}
      containers: [{name: server, image: 'a:1'}]
""")
    pod = pod_of(stamp([template]))
    init, warmup = pod["initContainers"]
    assert init["args"] == ["$(STORAGE_URI)", "/models"]
    assert env_of(init) == {"STORAGE_URI": MODEL_URI.replace("minio://", "s3://", 1)}
    assert "env" not in warmup and warmup["securityContext"]["runAsNonRoot"] is True
    assert restricted_violations(pod) == []


def test_the_shipped_deploy_code_is_self_contained_and_maps_the_uri() -> None:
    program = components.deploy_model.component_spec.implementation.container.command[-1]
    assert "def storage_uri(" in program
    namespace: dict[str, Any] = {}
    exec(compile(program, "ephemeral_component.py", "exec"), namespace)  # noqa: S102
    docs = namespace["stamp_manifests"](
        namespace["render_manifests"]("absa-model", "serving", DEFAULT_SERVING_IMAGE, 1),
        "absa-model", "serving", DEFAULT_SERVING_IMAGE, 1, MODEL_URI, "v1", {})
    assert docs == stamp_manifests(
        render_manifests("absa-model", "serving", DEFAULT_SERVING_IMAGE, 1),
        "absa-model", "serving", DEFAULT_SERVING_IMAGE, 1, MODEL_URI, "v1", {})

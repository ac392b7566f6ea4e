"""Kubernetes manifests for the model server: validation, rendering, stamping.

Pure functions (no I/O), shipped verbatim into the ``deploy_model`` component
(``additional_funcs``): each is self-contained and refers to no module-level
name but the other functions of this module.
"""

from __future__ import annotations

from typing import Any


def check_image_reference(image: str, field: str = "image") -> None:
    """Checks that an image reference is well-formed and pinned.

    Args:
        image: The reference, e.g. ``registry/repo:1.2.3`` or ``repo@sha256:...``.
        field: The parameter's name, for the message.

    Raises:
        ValueError: Malformed, without a tag or digest, or ``:latest``.
    """
    import re

    pattern = re.compile(
        r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
        r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?")
    match = pattern.fullmatch(image) if isinstance(image, str) else None
    if match is None:
        raise ValueError(f"{field} {image!r} is not a valid image reference "
                         "(registry/repository:tag or @sha256:digest)")
    if not match.group("tag") and not match.group("digest"):
        raise ValueError(f"{field} {image!r} has no tag or digest; pin it, "
                         "e.g. repo/absa-server:0.1.0 or repo/absa-server@sha256:...")
    if match.group("tag") == "latest" and not match.group("digest"):
        raise ValueError(f"{field} {image!r} uses ':latest'; pin a version tag or digest "
                         "so a rollout runs a known image")


def check_dns1123_label(value: str, field: str) -> None:
    """Checks that a name is a DNS-1123 label (namespaces, most object names).

    Args:
        value: The name.
        field: The parameter's name, for the message.

    Raises:
        ValueError: Not a string, longer than 63 characters, or not lowercase
            alphanumerics and '-' starting and ending with an alphanumeric.
    """
    import re

    label = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
    if not isinstance(value, str) or len(value) > 63 or not label.fullmatch(value):
        raise ValueError(
            f"{field} {value!r} is not a DNS-1123 label: at most 63 characters, "
            "lowercase letters, digits and '-', starting and ending with a letter or digit"
        )


def validate_deploy_params(namespace: str, deployment_name: str, serving_image: str,
                           replicas: int, rollout_timeout_s: int, deploy_mode: str) -> None:
    """Checks the deploy parameters before anything talks to a cluster.

    Args:
        namespace: Target namespace (a DNS-1123 label).
        deployment_name: Name of the Deployment and Service (a DNS-1123 label).
        serving_image: The model server image; needs a tag or digest, not ``:latest``.
        replicas: Pod replicas, at least 1.
        rollout_timeout_s: Seconds to wait for the rollout, more than 0.
        deploy_mode: ``apply``, ``server-dry-run`` or ``render``.

    Raises:
        ValueError: A parameter is invalid; the message names the field.
    """
    for field, value in (("namespace", namespace), ("deployment_name", deployment_name)):
        check_dns1123_label(value, field)
    check_image_reference(serving_image, "serving_image")
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1:
        raise ValueError(f"replicas must be an integer >= 1, got {replicas!r}")
    if (isinstance(rollout_timeout_s, bool) or not isinstance(rollout_timeout_s, int)
            or rollout_timeout_s <= 0):
        raise ValueError(f"rollout_timeout_s must be an integer > 0, got {rollout_timeout_s!r}")
    if deploy_mode not in ("apply", "server-dry-run", "render"):
        raise ValueError(f"deploy_mode {deploy_mode!r} is not one of apply, server-dry-run, render")


def storage_uri(model_uri: str) -> str:
    """Maps a KFP artifact URI to the URI KServe's storage initializer downloads.

    KFP writes artifacts to its MinIO as ``minio://bucket/key``, a scheme the
    storage initializer does not know; MinIO speaks S3, so it becomes
    ``s3://bucket/key`` (the endpoint and credentials come from the init
    container's env). ``s3://``, ``gs://``, ``http(s)://`` and local paths
    are returned unchanged.

    Args:
        model_uri: The model artifact's URI (``model.uri``, env ``MODEL_URI``).

    Returns:
        The source URI for the storage initializer.

    Raises:
        ValueError: Empty, or a ``minio://`` URI without a bucket or key.
    """
    if not isinstance(model_uri, str) or not model_uri.strip():
        raise ValueError(f"model URI {model_uri!r} is empty; expected e.g. "
                         "minio://mlpipeline/v2/artifacts/.../model")
    scheme, sep, rest = model_uri.partition("://")
    if sep and scheme.lower() == "minio":
        bucket, _, key = rest.partition("/")
        if not bucket or not key.strip("/"):
            raise ValueError(f"model URI {model_uri!r} names no bucket and object key; "
                             "expected minio://bucket/key")
        return f"s3://{bucket}/{key}"
    return model_uri


def render_manifests(deployment_name: str, namespace: str, serving_image: str,
                     replicas: int) -> list[dict[str, Any]]:
    """Renders the built-in Deployment and Service of the model server.

    The result carries no model yet: :func:`stamp_manifests` adds the model
    URI, version and run metadata. The model reaches the pod through the init
    container ``storage-initializer`` (KServe's storage initializer, pinned):
    it downloads ``$(STORAGE_URI)`` (stamped: :func:`storage_uri` of the
    model URI) into the ``models`` emptyDir, which the server mounts
    read-only at ``/models``. Its env points at KFP standalone's MinIO
    (``minio-service.kubeflow:9000``, plain HTTP) with the credentials of the
    Secret ``mlpipeline-minio-artifact`` (keys ``accesskey``/``secretkey``),
    which must exist in ``namespace``.

    Args:
        deployment_name: Name of the Deployment and the Service.
        namespace: Their namespace.
        serving_image: The model server image.
        replicas: Pod replicas.

    Returns:
        ``[Deployment, Service]`` as plain dicts.
    """
    selector = {"app.kubernetes.io/name": deployment_name}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": deployment_name, "namespace": namespace,
                     "labels": dict(selector)},
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": dict(selector)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": dict(selector)},
                "spec": {
                    "automountServiceAccountToken": False,
                    "initContainers": [{
                        "name": "storage-initializer",
                        "image": "kserve/storage-initializer:v0.15.2",
                        "args": ["$(STORAGE_URI)", "/models"],
                        "env": [
                            {"name": "AWS_ENDPOINT_URL",
                             "value": "http://minio-service.kubeflow:9000"},
                            {"name": "S3_ENDPOINT", "value": "minio-service.kubeflow:9000"},
                            {"name": "S3_USE_HTTPS", "value": "0"},
                            {"name": "S3_VERIFY_SSL", "value": "0"},
                            {"name": "AWS_DEFAULT_REGION", "value": "us-east-1"},
                            {"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {
                                "name": "mlpipeline-minio-artifact", "key": "accesskey"}}},
                            {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {
                                "name": "mlpipeline-minio-artifact", "key": "secretkey"}}},
                        ],
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "100Mi"},
                            "limits": {"cpu": "1", "memory": "1Gi"}},
                        "volumeMounts": [{"name": "models", "mountPath": "/models"},
                                         {"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
                    }],
                    "containers": [{
                        "name": "model-server",
                        "image": serving_image,
                        "args": ["--model-dir", "/models", "--port", "8080"],
                        "ports": [{"name": "http", "containerPort": 8080,
                                   "protocol": "TCP"}],
                        "env": [],
                        "readinessProbe": {
                            "httpGet": {"path": "/v1/models/absa", "port": "http"},
                            "periodSeconds": 5, "failureThreshold": 3},
                        "livenessProbe": {
                            "httpGet": {"path": "/healthz", "port": "http"},
                            "initialDelaySeconds": 10, "periodSeconds": 10,
                            "failureThreshold": 3},
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "256Mi"},
                            "limits": {"cpu": "1", "memory": "512Mi"}},
                        "volumeMounts": [
                            {"name": "models", "mountPath": "/models", "readOnly": True},
                            {"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108
                    }],
                    "volumes": [{"name": "models", "emptyDir": {"sizeLimit": "1Gi"}},
                                {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": deployment_name, "namespace": namespace,
                     "labels": dict(selector)},
        "spec": {"type": "ClusterIP", "selector": dict(selector),
                 "ports": [{"name": "http", "port": 80, "targetPort": "http",
                            "protocol": "TCP"}]},
    }
    return [deployment, service]


def stamp_manifests(docs: list[dict[str, Any]], deployment_name: str, namespace: str,
                    serving_image: str, replicas: int, model_uri: str, model_version: str,
                    annotations: dict[str, str]) -> list[dict[str, Any]]:
    """Stamps manifests (built-in or from the ConfigMap) with what this run deploys.

    Every object gets the namespace and the ``app.kubernetes.io`` labels. The
    one Deployment gets the name, replicas, the image of its first container,
    env ``MODEL_URI``, the model version label, the run annotations, the Pod
    Security *restricted* security context (enforced, init containers
    included), and resources and probes where the template has none. An init
    container named ``storage-initializer`` gets env ``STORAGE_URI``, the
    model URI mapped by :func:`storage_uri` (``minio://`` -> ``s3://``), which
    its args reference as ``$(STORAGE_URI)`` (set when it has no args).

    Args:
        docs: The manifests; exactly one must be an ``apps/v1`` Deployment.
        deployment_name: Name of the Deployment.
        namespace: Namespace of every object.
        serving_image: The model server image.
        replicas: Pod replicas.
        model_uri: URI of the model artifact (env ``MODEL_URI``).
        model_version: Model version, a label value (``app.kubernetes.io/version``).
        annotations: Extra annotations for the Deployment and its pods.

    Returns:
        New, stamped manifests (the input is not modified).

    Raises:
        ValueError: The manifests hold no Deployment, or more than one, or the
            model URI cannot be mapped for the storage initializer.
    """
    import copy

    out = copy.deepcopy([d for d in docs if d])
    deployments = [d for d in out if d.get("kind") == "Deployment"]
    if len(deployments) != 1:
        raise ValueError(f"the deployment template must hold exactly one Deployment, "
                         f"found {len(deployments)}")
    labels = {"app.kubernetes.io/name": deployment_name,
              "app.kubernetes.io/version": model_version,
              "app.kubernetes.io/component": "model-server",
              "app.kubernetes.io/managed-by": "absa-pipeline"}
    for doc in out:
        meta = doc.setdefault("metadata", {})
        meta["namespace"] = namespace
        meta.setdefault("labels", {}).update(labels)
    dep = deployments[0]
    dep["metadata"]["name"] = deployment_name
    dep["metadata"].setdefault("annotations", {}).update(annotations)
    spec = dep.setdefault("spec", {})
    spec["replicas"] = replicas
    pod_meta = spec.setdefault("template", {}).setdefault("metadata", {})
    pod_meta.setdefault("labels", {}).update(labels)
    pod_meta.setdefault("annotations", {}).update(annotations)
    pod = spec["template"].setdefault("spec", {})
    pod["securityContext"] = {"runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532,
                              "fsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}}
    containers = pod.get("containers") or []
    if not containers:
        raise ValueError("the Deployment in the template has no containers")
    restricted = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                  "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
                  "seccompProfile": {"type": "RuntimeDefault"}}
    for container in containers + (pod.get("initContainers") or []):
        container["securityContext"] = dict(restricted)
        container.setdefault("resources", {
            "requests": {"cpu": "100m", "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"}})
    main = containers[0]
    main["image"] = serving_image
    env = [e for e in main.get("env") or [] if e.get("name") != "MODEL_URI"]
    main["env"] = [*env, {"name": "MODEL_URI", "value": model_uri}]
    for init in pod.get("initContainers") or []:
        if init.get("name") != "storage-initializer":
            continue
        env = [e for e in init.get("env") or [] if e.get("name") != "STORAGE_URI"]
        init["env"] = [*env, {"name": "STORAGE_URI", "value": storage_uri(model_uri)}]
        if not init.get("args"):
            init["args"] = ["$(STORAGE_URI)", "/models"]
    return out


def manifests_to_yaml(docs: list[dict[str, Any]]) -> str:
    """Serialises manifests as one multi-document YAML stream (for ``kubectl -f -``).

    Args:
        docs: The manifests.

    Returns:
        Deterministic YAML (sorted keys), documents separated by ``---``.
    """
    import yaml

    return yaml.safe_dump_all(docs, sort_keys=True, default_flow_style=False)

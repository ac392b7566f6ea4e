"""The two deploy steps both schedulers run, and the pod hardening they share (pure).

Step 1 applies ``/app/deployment.yaml`` from the ``deployment-config`` ConfigMap
(``kubectl apply --server-side --field-manager=absa-pipeline``); step 2 waits for
``kubectl rollout status``. Each is a container whose argv is a list: the image
(``registry.k8s.io/kubectl``) has no shell, and no parameter is ever interpolated into a
shell string. The pod and containers meet the Pod Security *restricted* profile.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

#: kubectl image of both steps: the official one (Kubernetes SIG Release, registry.k8s.io),
#: pinned; the same kubectl version as the deployer image (images/deployer/Dockerfile).
DEFAULT_KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.32.4"
#: Field manager of the server-side apply, as in the deploy step.
FIELD_MANAGER = "absa-pipeline"
#: Where the ConfigMap is mounted, and the file applied (as in the pipeline's deploy step).
CONFIG_MOUNT = "/app"
MANIFEST_FILE = "deployment.yaml"
#: How long ``kubectl rollout status`` waits (the pipeline's rollout_timeout_s default).
ROLLOUT_TIMEOUT_S = 300
#: Non-root user and group of the pods (the restricted profile; "nonroot" in distroless).
RUN_AS_USER = 65532

POD_SECURITY_CONTEXT: dict[str, Any] = {
    "runAsNonRoot": True,
    "runAsUser": RUN_AS_USER,
    "runAsGroup": RUN_AS_USER,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY_CONTEXT: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
RESOURCES: dict[str, Any] = {
    "requests": {"cpu": "50m", "memory": "64Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}


@dataclass(frozen=True)
class DeployTarget:
    """What the scheduled deploy applies, where, and with what.

    Attributes:
        name: Name of the CronJob/CronWorkflow and of its ServiceAccount, Role and RoleBinding.
        namespace: Namespace of everything (the model server's namespace).
        deployment_name: The Deployment whose rollout is awaited.
        config_map: The ConfigMap holding ``deployment.yaml``.
        kubectl_image: The kubectl image, pinned.
    """

    name: str
    namespace: str
    deployment_name: str
    config_map: str
    kubectl_image: str = DEFAULT_KUBECTL_IMAGE


def labels(target: DeployTarget) -> dict[str, str]:
    """Returns the labels of every object of a bundle.

    Args:
        target: The deploy target.

    Returns:
        ``app.kubernetes.io`` name, component and part-of labels.
    """
    return {"app.kubernetes.io/name": target.name,
            "app.kubernetes.io/component": "scheduled-deploy",
            "app.kubernetes.io/part-of": "absa-pipeline"}


def apply_argv(target: DeployTarget) -> list[str]:
    """Returns step 1's argv: server-side apply of the ConfigMap's manifests.

    Args:
        target: The deploy target.

    Returns:
        ``kubectl apply --server-side ...`` as a list (no shell).
    """
    return ["kubectl", "apply", "--server-side", f"--field-manager={FIELD_MANAGER}",
            "-n", target.namespace, "-f", f"{CONFIG_MOUNT}/{MANIFEST_FILE}"]


def rollout_argv(target: DeployTarget) -> list[str]:
    """Returns step 2's argv: wait for the Deployment's rollout.

    Args:
        target: The deploy target.

    Returns:
        ``kubectl rollout status deployment/NAME ...`` as a list (no shell).
    """
    return ["kubectl", "rollout", "status", f"deployment/{target.deployment_name}",
            "-n", target.namespace, f"--timeout={ROLLOUT_TIMEOUT_S}s"]


def kubectl_container(name: str, argv: list[str], image: str,
                      mount_config: bool) -> dict[str, Any]:
    """Builds one hardened kubectl container.

    ``command`` is the argv's first element and ``args`` the rest, so the container
    runs exactly that argv (the kubectl image has no shell). ``HOME`` is the writable
    ``/tmp`` emptyDir (kubectl's discovery cache), since the root filesystem is read-only.

    Args:
        name: Container name.
        argv: The command line, as a list.
        image: The kubectl image.
        mount_config: Whether to mount the ConfigMap at ``/app`` (read-only).

    Returns:
        A ``core/v1`` Container.
    """
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]  # noqa: S108
    if mount_config:
        mounts.append({"name": "deployment-config", "mountPath": CONFIG_MOUNT,
                       "readOnly": True})
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": argv[:1],
        "args": argv[1:],
        "env": [{"name": "HOME", "value": "/tmp"}],  # noqa: S108 - an emptyDir
        "resources": copy.deepcopy(RESOURCES),
        "securityContext": copy.deepcopy(CONTAINER_SECURITY_CONTEXT),
        "volumeMounts": mounts,
    }


def volumes(target: DeployTarget) -> list[dict[str, Any]]:
    """Returns the pod volumes: the ConfigMap (required) and a small ``/tmp``.

    Args:
        target: The deploy target.

    Returns:
        ``core/v1`` Volumes.
    """
    return [
        {"name": "deployment-config",
         "configMap": {"name": target.config_map,
                       "items": [{"key": MANIFEST_FILE, "path": MANIFEST_FILE}]}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}},
    ]


def pod_security_context() -> dict[str, Any]:
    """Returns the pod-level security context of the restricted profile.

    Returns:
        A fresh copy of :data:`POD_SECURITY_CONTEXT`.
    """
    return copy.deepcopy(POD_SECURITY_CONTEXT)

"""Offline Kubernetes checks for tests: strict schema validation, Pod Security *restricted*."""

from __future__ import annotations

from typing import Any

import kubernetes_validate

KUBERNETES_VERSION = "1.32"


def validate_strictly(doc: dict[str, Any]) -> None:
    """Raises kubernetes_validate's ValidationError when ``doc`` breaks the schema."""
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def pod_specs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The pod specs inside a Deployment, Job, CronJob or Pod."""
    kind = doc.get("kind")
    spec = doc.get("spec", {})
    if kind == "Pod":
        return [spec]
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        return [spec["template"]["spec"]]
    if kind == "CronJob":
        return [spec["jobTemplate"]["spec"]["template"]["spec"]]
    return []


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """What in a pod spec breaks the Pod Security Standards' *restricted* profile."""
    problems = []
    pod_sc = pod.get("securityContext", {})
    containers = [*pod.get("initContainers", []), *pod.get("containers", [])]
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key):
            problems.append(f"pod {key}")
    for volume in pod.get("volumes", []):
        allowed = {"name", "configMap", "emptyDir", "secret", "projected", "downwardAPI",
                   "persistentVolumeClaim", "csi", "ephemeral"}
        if set(volume) - allowed:
            problems.append(f"volume {volume['name']} type {set(volume) - allowed}")
    for c in containers:
        sc = c.get("securityContext", {})
        name = c.get("name")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation must be false")
        if sc.get("privileged"):
            problems.append(f"{name}: privileged")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            problems.append(f"{name}: capabilities must drop ALL")
        added = set(sc.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}
        if added:
            problems.append(f"{name}: adds capabilities {added}")
        if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
            problems.append(f"{name}: runAsNonRoot")
        if sc.get("runAsUser") == 0 or (pod_sc.get("runAsUser") == 0 and "runAsUser" not in sc):
            problems.append(f"{name}: runs as root")
        profile = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        if profile not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{name}: seccompProfile must be RuntimeDefault")
        if any(p.get("hostPort") for p in c.get("ports", [])):
            problems.append(f"{name}: hostPort")
    return problems

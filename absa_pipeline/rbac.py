"""Least-privilege RBAC for the deploy step (pure).

Exactly what ``deploy_model`` (and the CronJob/CronWorkflow deployers) do with
kubectl in the target namespace: server-side apply of the Deployment and
Service (get, create, patch), ``rollout status`` (watch the Deployment and its
ReplicaSets), ``rollout undo`` (list ReplicaSets, patch the Deployment), and
reading the ConfigMap template. No wildcards.
"""

from __future__ import annotations

import copy
from typing import Any

#: The Role's rules. deployments: apply, status, undo; replicasets: rollout status and undo
#: read them; services: apply; configmaps: the deployment-config template.
DEPLOYER_RULES: list[dict[str, Any]] = [
    {"apiGroups": ["apps"], "resources": ["deployments"],
     "verbs": ["get", "list", "watch", "create", "patch", "update"]},
    {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["services"], "verbs": ["get", "create", "patch"]},
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
]

#: The KFP runner accounts that run the deploy step: KFP standalone's, and (in a profile
#: namespace) multi-user Kubeflow's.
KFP_STANDALONE_RUNNER = {"kind": "ServiceAccount", "name": "pipeline-runner",
                         "namespace": "kubeflow"}


def render_rbac(namespace: str, name: str = "absa-deployer",
                extra_subjects: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Renders the ServiceAccount, Role and RoleBinding of the deployer.

    Args:
        namespace: The target namespace (where the model server runs).
        name: Name of the ServiceAccount, Role and RoleBinding.
        extra_subjects: More subjects for the RoleBinding (e.g. the KFP runner).

    Returns:
        ``[ServiceAccount, Role, RoleBinding]``.
    """
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "absa-pipeline"}
    meta = {"name": name, "namespace": namespace, "labels": labels}
    subjects = [{"kind": "ServiceAccount", "name": name, "namespace": namespace},
                *(extra_subjects or [])]
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(meta),
         "automountServiceAccountToken": True},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": dict(meta),
         "rules": copy.deepcopy(DEPLOYER_RULES)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": dict(meta),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
         "subjects": subjects},
    ]

from __future__ import annotations

import pytest
from fake_kubectl import FakeKubectl

from absa_pipeline.deploy import apply_and_verify

MANIFEST = "apiVersion: v1\nkind: List\nitems: []\n"


def deploy(mode: str = "apply") -> dict:
    return apply_and_verify(MANIFEST, "serving", "absa-model", mode, 120)


def test_render_calls_no_kubectl(fake_kubectl: FakeKubectl) -> None:
    assert deploy("render") == {"mode": "render", "ran": False, "revision": 0,
                                "result": "rendered, not applied"}
    assert fake_kubectl.calls == []


def test_server_dry_run(fake_kubectl: FakeKubectl) -> None:
    assert deploy("server-dry-run")["result"] == "server dry run accepted"
    (call,) = fake_kubectl.calls
    assert call["argv"] == ["apply", "--server-side", "--field-manager=absa-pipeline", "-n",
                            "serving", "-f", "-", "--dry-run=server"]
    assert call["stdin"] == MANIFEST


def test_apply_proves_the_rollout(fake_kubectl: FakeKubectl) -> None:
    fake_kubectl.on("get", exit=0, stdout="3", times=1).on("get", exit=0, stdout="4")
    result = deploy()
    assert result == {"mode": "apply", "ran": True, "revision": 4,
                      "result": "rolled out revision 4"}
    assert fake_kubectl.verbs == ["get", "apply", "rollout status", "get"]
    apply = fake_kubectl.calls[1]
    assert apply["argv"] == ["apply", "--server-side", "--field-manager=absa-pipeline", "-n",
                             "serving", "-f", "-"]
    assert apply["stdin"] == MANIFEST
    assert fake_kubectl.calls[2]["argv"] == ["rollout", "status", "deployment/absa-model", "-n",
                                             "serving", "--timeout=120s"]


def test_failed_rollout_is_undone(fake_kubectl: FakeKubectl) -> None:
    fake_kubectl.on("get", stdout="3")
    fake_kubectl.on("rollout", "status", exit=1, times=1,
                    stderr="error: deployment \"absa-model\" exceeded its progress deadline\n")
    with pytest.raises(RuntimeError) as caught:
        deploy()
    message = str(caught.value)
    assert "exceeded its progress deadline" in message
    assert "rolled back to the previous revision 3: rollback succeeded" in message
    assert fake_kubectl.verbs == ["get", "apply", "rollout status", "rollout undo",
                                  "rollout status"]


def test_failed_first_deploy_has_nothing_to_undo(fake_kubectl: FakeKubectl) -> None:
    fake_kubectl.on("get", exit=1, stderr='Error from server (NotFound): deployments.apps '
                    '"absa-model" not found\n')
    fake_kubectl.on("rollout", "status", exit=1, stderr="error: timed out waiting\n")
    with pytest.raises(RuntimeError, match="first deploy, so there is no previous revision"):
        deploy()
    assert "rollout undo" not in fake_kubectl.verbs


def test_forbidden_apply_fails_with_kubectls_reason(
        fake_kubectl: FakeKubectl, capfd: pytest.CaptureFixture[str]) -> None:
    forbidden = ('Error from server (Forbidden): deployments.apps "absa-model" is forbidden: '
                 'User "system:serviceaccount:kubeflow:pipeline-runner" cannot patch resource\n')
    fake_kubectl.on("apply", exit=1, stderr=forbidden)
    with pytest.raises(RuntimeError, match=r"kubectl apply failed \(exit 1\): .*Forbidden"):
        deploy()
    assert "Forbidden" in capfd.readouterr().err  # kubectl's stderr reaches the task log
    assert "rollout status" not in fake_kubectl.verbs


def test_kubectl_missing(no_kubectl: None) -> None:
    with pytest.raises(RuntimeError, match="kubectl not found on PATH"):
        deploy()


def test_unknown_mode(fake_kubectl: FakeKubectl) -> None:
    with pytest.raises(ValueError, match="not one of"):
        deploy("yolo")
    assert fake_kubectl.calls == []

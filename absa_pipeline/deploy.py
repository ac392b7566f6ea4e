"""The kubectl adapter of ``deploy_model``: apply, prove the rollout, roll back.

Every kubectl call is an argv list (never a shell string); kubectl's own
output reaches the task log. Shipped verbatim into the component
(``additional_funcs``), so each function is self-contained.
"""

from __future__ import annotations

from typing import Any


def run_kubectl(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    """Runs the ``kubectl`` found on PATH with an argv list, echoing its output.

    Args:
        args: Arguments after ``kubectl``.
        stdin: Text for kubectl's standard input.

    Returns:
        ``(exit code, stdout, stderr)``.

    Raises:
        RuntimeError: No kubectl on PATH.
    """
    import shutil
    import subprocess
    import sys

    exe = shutil.which("kubectl")
    if exe is None:
        raise RuntimeError("kubectl not found on PATH; run deploy_model in an image that has "
                           "kubectl (images/deployer/Dockerfile) or use deploy_mode=render")
    print("+ kubectl " + " ".join(args), file=sys.stderr, flush=True)
    proc = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True,
                          check=False)
    if proc.stdout:
        print(proc.stdout, end="" if proc.stdout.endswith("\n") else "\n", flush=True)
    if proc.stderr:
        print(proc.stderr, end="" if proc.stderr.endswith("\n") else "\n", file=sys.stderr,
              flush=True)
    return proc.returncode, proc.stdout, proc.stderr


def apply_and_verify(manifest_yaml: str, namespace: str, deployment_name: str, mode: str,
                     rollout_timeout_s: int) -> dict[str, Any]:
    """Applies the manifests and proves the rollout, rolling back on failure.

    ``render`` calls no kubectl. ``server-dry-run`` asks the API server to
    validate (``kubectl apply --server-side --dry-run=server``). ``apply``
    records the current revision, applies server-side, waits for
    ``kubectl rollout status``; when the rollout fails it runs ``kubectl
    rollout undo`` if there was a previous revision, waits for that, and
    raises.

    Args:
        manifest_yaml: The manifests (YAML stream).
        namespace: Namespace of the Deployment.
        deployment_name: Name of the Deployment.
        mode: ``apply``, ``server-dry-run`` or ``render``.
        rollout_timeout_s: Seconds to wait for each rollout.

    Returns:
        ``{"mode", "ran": bool, "revision": int, "result": str}``.

    Raises:
        RuntimeError: A kubectl call failed; the message says which, why, and
            what happened to the previous revision.
    """
    if mode == "render":
        return {"mode": mode, "ran": False, "revision": 0, "result": "rendered, not applied"}
    apply = ["apply", "--server-side", "--field-manager=absa-pipeline", "-n", namespace,
             "-f", "-"]
    target = f"deployment/{deployment_name}"

    def last_line(text: str) -> str:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        return lines[-1] if lines else "no output"

    if mode == "server-dry-run":
        code, _, err = run_kubectl([*apply, "--dry-run=server"], manifest_yaml)
        if code != 0:
            raise RuntimeError(f"kubectl apply --dry-run=server failed (exit {code}): "
                               f"{last_line(err)}")
        return {"mode": mode, "ran": True, "revision": 0,
                "result": "server dry run accepted"}
    if mode != "apply":
        raise ValueError(f"deploy_mode {mode!r} is not one of apply, server-dry-run, render")
    revision_path = "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"
    code, out, err = run_kubectl(["get", target, "-n", namespace, "-o", revision_path])
    if code != 0 and "NotFound" not in err:
        raise RuntimeError(f"kubectl get {target} failed (exit {code}): {last_line(err)}")
    previous = int(out.strip()) if code == 0 and out.strip().isdigit() else 0
    code, _, err = run_kubectl(apply, manifest_yaml)
    if code != 0:
        raise RuntimeError(f"kubectl apply failed (exit {code}): {last_line(err)}; "
                           "nothing was changed by this step")
    status = ["rollout", "status", target, "-n", namespace,
              f"--timeout={rollout_timeout_s}s"]
    code, _, err = run_kubectl(status)
    if code == 0:
        code, out, _ = run_kubectl(["get", target, "-n", namespace, "-o", revision_path])
        revision = int(out.strip()) if code == 0 and out.strip().isdigit() else 0
        return {"mode": mode, "ran": True, "revision": revision,
                "result": f"rolled out revision {revision}"}
    failure = f"rollout of {target} in {namespace} failed: {last_line(err)}"
    if previous == 0:
        raise RuntimeError(f"{failure}; this was the first deploy, so there is no previous "
                           "revision to roll back to")
    code, _, err = run_kubectl(["rollout", "undo", target, "-n", namespace])
    if code != 0:
        raise RuntimeError(f"{failure}; rollback (kubectl rollout undo) also failed: "
                           f"{last_line(err)}")
    code, _, err = run_kubectl(status)
    result = "succeeded" if code == 0 else f"did not become ready: {last_line(err)}"
    raise RuntimeError(f"{failure}; rolled back to the previous revision {previous}: "
                       f"rollback {result}")

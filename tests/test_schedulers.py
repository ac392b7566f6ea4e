"""The CronJob and CronWorkflow bundles (``absa-pipeline cronjob`` / ``cron-workflow``).

Every Kubernetes object is validated offline and strictly against the Kubernetes 1.32
schemas (``kubernetes_validate``); the CronWorkflow against Argo's own CRD schema, vendored
and trimmed in ``tests/data/argo/`` (see the README there), with ``jsonschema``, its
containers and volumes against the Kubernetes schemas inside a Pod.

Golden files: ``tests/golden/cronjob.yaml`` and ``tests/golden/cron_workflow.yaml`` hold the
default bundles and are compared whole. To regenerate them on purpose, run
``ABSA_UPDATE_GOLDEN=1 python -m pytest tests/test_schedulers.py`` and review the diff.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

import jsonschema
import kubernetes_validate
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from absa_pipeline.cli import cli
from absa_pipeline.rbac import DEPLOYER_RULES
from absa_pipeline.schedulers import (
    ARGO_EXECUTOR_RULES,
    DEFAULT_KUBECTL_IMAGE,
    DeployTarget,
    render_cron_workflow_bundle,
    render_cronjob_bundle,
    resolve_schedule,
)
from absa_pipeline.schedulers.cli import cron_workflow_command, cronjob_command
from absa_pipeline.scheduling import CronError

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
ARGO_CRD = HERE / "data" / "argo" / "argoproj.io_cronworkflows.trimmed.yaml"
K8S_VERSION = "1.32"
SHELLS = {"sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash"}
TARGET = DeployTarget(name="absa-model-deployment-job", namespace="absa-serving",
                      deployment_name="absa-model", config_map="deployment-config")


def _strict(schema: Any) -> Any:
    """Closes every object schema that lists properties (as the API server prunes)."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def argo_validator() -> jsonschema.Draft7Validator:
    crd = yaml.safe_load(ARGO_CRD.read_text(encoding="utf-8"))
    (version,) = crd["spec"]["versions"]
    schema = _strict(version["schema"]["openAPIV3Schema"])
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _render(command: Any, args: list[str]) -> list[dict[str, Any]]:
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    return list(yaml.safe_load_all(result.stdout))


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (doc,) = [d for d in docs if d["kind"] == kind]
    return doc


def _workflow_pod(cron_workflow: dict[str, Any]) -> dict[str, Any]:
    """A Pod holding everything of the workflow that Argo puts into its pods."""
    spec = cron_workflow["spec"]["workflowSpec"]
    containers = [dict(t["container"], name=t["name"]) for t in spec["templates"]
                  if "container" in t]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "wf", "namespace": cron_workflow["metadata"]["namespace"]},
            "spec": {"serviceAccountName": spec["serviceAccountName"],
                     "automountServiceAccountToken": spec["automountServiceAccountToken"],
                     "restartPolicy": "Never", "securityContext": spec["securityContext"],
                     "volumes": spec["volumes"], "containers": containers}}


def _pod_specs(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    specs = []
    for doc in docs:
        if doc["kind"] == "CronJob":
            specs.append(doc["spec"]["jobTemplate"]["spec"]["template"]["spec"])
        elif doc["kind"] == "CronWorkflow":
            specs.append(_workflow_pod(doc)["spec"])
    return specs


def _assert_restricted(pod: dict[str, Any]) -> None:
    sc = pod["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 65532
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
    containers = pod.get("initContainers", []) + pod["containers"]
    assert containers
    for c in containers:
        csc = c["securityContext"]
        assert csc["allowPrivilegeEscalation"] is False
        assert csc["readOnlyRootFilesystem"] is True
        assert csc["capabilities"] == {"drop": ["ALL"]}
        assert "privileged" not in csc and csc.get("runAsUser", 65532) != 0
        assert c["resources"]["requests"] and c["resources"]["limits"]
        assert set(c["resources"]["limits"]) == {"cpu", "memory"}
        image = c["image"]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")
    for volume in pod["volumes"]:
        assert set(volume) - {"name"} <= {"configMap", "emptyDir"}  # no hostPath etc.


def _argvs(pod: dict[str, Any]) -> list[list[str]]:
    return [c["command"] + c.get("args", [])
            for c in pod.get("initContainers", []) + pod["containers"]]


def _assert_argv_only(pod: dict[str, Any]) -> None:
    for argv in _argvs(pod):
        assert argv[0] not in SHELLS, argv
        assert "-c" not in argv, argv
        assert not any(" " in a or ";" in a or "&&" in a for a in argv), argv


def _validate_bundle(docs: list[dict[str, Any]], argo: jsonschema.Draft7Validator) -> None:
    for doc in docs:
        if doc["kind"] == "CronWorkflow":
            argo.validate(doc)
            assert not ("schedule" in doc["spec"] and "schedules" in doc["spec"])  # CEL rule
            kubernetes_validate.validate(_workflow_pod(doc), K8S_VERSION, strict=True)
        else:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


# --- schemas ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [cronjob_command, cron_workflow_command])
def test_default_and_custom_bundles_validate(command: Any,
                                             argo_validator: jsonschema.Draft7Validator) -> None:
    for args in ([], ["--cron", "30 4 * * mon-fri", "--timezone", "America/New_York",
                      "--namespace", "absa-serving", "--name", "nightly",
                      "--config-map", "absa-manifests", "--deployment-name", "absa-v2",
                      "--kubectl-image", "registry.k8s.io/kubectl:v1.32.3@sha256:" + "a" * 64]):
        _validate_bundle(_render(command, args), argo_validator)


def test_argo_schema_rejects_what_argo_rejects(argo_validator: jsonschema.Draft7Validator) -> None:
    (doc,) = [d for d in render_cron_workflow_bundle(resolve_schedule("0 3 * * *", "UTC"),
                                                     TARGET) if d["kind"] == "CronWorkflow"]
    for mutate in (lambda s: s.update(schedules=["0 3 * * MON"]),
                   lambda s: s.update(schedules=[]),
                   lambda s: s.update(concurrencyPolicy="forbid"),
                   lambda s: s.update(timeZone="UTC"),
                   lambda s: s.pop("workflowSpec")):
        bad = copy.deepcopy(doc)
        mutate(bad["spec"])
        assert not argo_validator.is_valid(bad)


# --- content ---------------------------------------------------------------------------


def test_cronjob_bundle_content() -> None:
    docs = render_cronjob_bundle(resolve_schedule("0 3 * * *", "Asia/Seoul"), TARGET)
    assert [d["kind"] for d in docs] == ["ServiceAccount", "Role", "RoleBinding", "CronJob"]
    cronjob = docs[-1]
    spec = cronjob["spec"]
    assert cronjob["apiVersion"] == "batch/v1"
    assert (spec["schedule"], spec["timeZone"]) == ("0 3 * * *", "Asia/Seoul")
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["startingDeadlineSeconds"] > 0
    assert spec["successfulJobsHistoryLimit"] >= 1 and spec["failedJobsHistoryLimit"] >= 1
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] >= 0 and job["activeDeadlineSeconds"] > 0
    assert job["ttlSecondsAfterFinished"] > 0
    pod = job["template"]["spec"]
    assert pod["serviceAccountName"] == docs[0]["metadata"]["name"]
    assert pod["restartPolicy"] == "Never"
    assert _argvs(pod) == [
        ["kubectl", "apply", "--server-side", "--field-manager=absa-pipeline",
         "-n", "absa-serving", "-f", "/app/deployment.yaml"],
        ["kubectl", "rollout", "status", "deployment/absa-model", "-n", "absa-serving",
         "--timeout=300s"],
    ]
    (config,) = [v for v in pod["volumes"] if "configMap" in v]
    assert config["configMap"]["name"] == "deployment-config"
    (mount,) = [m for m in pod["initContainers"][0]["volumeMounts"]
                if m["name"] == config["name"]]
    assert mount["mountPath"] == "/app" and mount["readOnly"] is True
    assert docs[1]["rules"] == DEPLOYER_RULES
    _assert_restricted(pod)
    _assert_argv_only(pod)


def test_cron_workflow_bundle_content() -> None:
    docs = render_cron_workflow_bundle(resolve_schedule("@daily", "Europe/Berlin"), TARGET)
    assert [d["kind"] for d in docs] == ["ServiceAccount", "Role", "RoleBinding", "CronWorkflow"]
    cwf = docs[-1]
    spec = cwf["spec"]
    assert cwf["apiVersion"] == "argoproj.io/v1alpha1"
    assert spec["schedules"] == ["@daily"] and "schedule" not in spec
    assert spec["timezone"] == "Europe/Berlin"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["startingDeadlineSeconds"] > 0
    assert spec["successfulJobsHistoryLimit"] >= 1 and spec["failedJobsHistoryLimit"] >= 1
    wf = spec["workflowSpec"]
    assert wf["serviceAccountName"] == docs[0]["metadata"]["name"]
    (entry,) = [t for t in wf["templates"] if t["name"] == wf["entrypoint"]]
    assert [[s["template"] for s in group] for group in entry["steps"]] == [
        ["apply"], ["rollout-status"]]
    pod = _workflow_pod(cwf)["spec"]
    assert _argvs(pod)[0][:4] == ["kubectl", "apply", "--server-side",
                                  "--field-manager=absa-pipeline"]
    assert _argvs(pod)[1][:4] == ["kubectl", "rollout", "status", "deployment/absa-model"]
    # Role: exactly the shared deploy rules, extended with the Argo executor's.
    assert docs[1]["rules"] == [*DEPLOYER_RULES, *ARGO_EXECUTOR_RULES]
    assert ARGO_EXECUTOR_RULES == [{"apiGroups": ["argoproj.io"],
                                    "resources": ["workflowtaskresults"],
                                    "verbs": ["create", "patch"]}]
    _assert_restricted(pod)
    _assert_argv_only(pod)


def test_no_wildcards_in_any_role() -> None:
    schedule = resolve_schedule("0 3 * * *", "UTC")
    for docs in (render_cronjob_bundle(schedule, TARGET),
                 render_cron_workflow_bundle(schedule, TARGET)):
        role = _by_kind(docs, "Role")
        for rule in role["rules"]:
            for key in ("apiGroups", "resources", "verbs"):
                assert "*" not in rule[key]


def test_builders_are_pure_and_do_not_share_state() -> None:
    schedule = resolve_schedule("0 3 * * *", "UTC")
    first = render_cron_workflow_bundle(schedule, TARGET)
    _by_kind(first, "Role")["rules"][0]["verbs"].append("delete")
    first[-1]["spec"]["workflowSpec"]["securityContext"]["runAsUser"] = 0
    again = render_cron_workflow_bundle(schedule, TARGET)
    assert "delete" not in _by_kind(again, "Role")["rules"][0]["verbs"]
    assert "delete" not in DEPLOYER_RULES[0]["verbs"]
    assert again[-1]["spec"]["workflowSpec"]["securityContext"]["runAsUser"] == 65532
    assert render_cronjob_bundle(schedule, TARGET) == render_cronjob_bundle(schedule, TARGET)


def test_default_image_is_pinned_official_kubectl() -> None:
    assert DEFAULT_KUBECTL_IMAGE.startswith("registry.k8s.io/kubectl:v1.32.")
    for command in (cronjob_command, cron_workflow_command):
        text = CliRunner().invoke(command, []).stdout
        assert "bitnami" not in text and ":latest" not in text


def test_names_are_written_as_numbers_for_argo() -> None:
    assert resolve_schedule("0 3 * JAN-mar sun", "UTC").cron == "0 3 * 1-3 0"
    assert resolve_schedule("0  3 * * 7", "UTC").cron == "0 3 * * 0"
    assert resolve_schedule("@weekly", "UTC").cron == "@weekly"


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize(("command", "golden"), [(cronjob_command, "cronjob.yaml"),
                                                  (cron_workflow_command, "cron_workflow.yaml")])
def test_golden_default_bundle(command: Any, golden: str) -> None:
    first = CliRunner().invoke(command, [])
    second = CliRunner().invoke(command, [])
    assert first.exit_code == 0 and first.stdout == second.stdout  # deterministic
    path = GOLDEN / golden
    if os.environ.get("ABSA_UPDATE_GOLDEN") == "1":
        path.write_text(first.stdout, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == first.stdout, (
        f"{path} is stale; regenerate with ABSA_UPDATE_GOLDEN=1 and review the diff")


def test_group_exposes_both_commands() -> None:
    for name in ("cronjob", "cron-workflow"):
        result = CliRunner().invoke(cli, [name, "--namespace", "absa-serving"])
        assert result.exit_code == 0, result.output
        assert "namespace: absa-serving" in result.stdout


# --- property ---------------------------------------------------------------------------

_ZONES = sorted(z for z in available_timezones() if "/" in z or z == "UTC")[::7]
_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                "dec"]
_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def _field(lo: int, hi: int, names: list[str] | None = None) -> st.SearchStrategy[str]:
    value = st.integers(lo, hi).map(str)
    if names:
        value = value | st.sampled_from(names)
    item = st.one_of(
        st.just("*"),
        st.builds(lambda s: f"*/{s}", st.integers(1, hi)),
        value,
        st.builds(lambda a, b: f"{a}-{b}", value, value),
        st.builds(lambda a, b, s: f"{a}-{b}/{s}", value, value, st.integers(1, 5)),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


_CRONS = st.one_of(
    st.sampled_from(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight",
                     "@hourly"]),
    st.builds(lambda *f: " ".join(f), _field(0, 59), _field(0, 23), _field(1, 31),
              _field(1, 12, _MONTH_NAMES), _field(0, 7, _DAY_NAMES)),
)


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(cron=_CRONS, zone=st.sampled_from(_ZONES))
def test_any_accepted_schedule_yields_valid_bundles(cron: str, zone: str) -> None:
    try:
        schedule = resolve_schedule(cron, zone)
    except CronError:
        assume(False)
        raise  # unreachable: assume(False) stops the example
    validator = jsonschema.Draft7Validator(_strict(
        yaml.safe_load(ARGO_CRD.read_text(encoding="utf-8"))
        ["spec"]["versions"][0]["schema"]["openAPIV3Schema"]))
    cronjob = render_cronjob_bundle(schedule, TARGET)[-1]
    cron_workflow = render_cron_workflow_bundle(schedule, TARGET)[-1]
    kubernetes_validate.validate(cronjob, K8S_VERSION, strict=True)
    validator.validate(cron_workflow)
    assert cronjob["spec"]["schedule"] == cron_workflow["spec"]["schedules"][0] == schedule.cron
    assert (cronjob["spec"]["timeZone"], cron_workflow["spec"]["timezone"]) == (zone, zone)


# --- bad input --------------------------------------------------------------------------

BAD_INPUT = [
    (["--cron", "0 3 * *"], "--cron", "has 4 fields"),
    (["--cron", "0 0 3 * * *"], "--cron", "has 6 fields"),
    (["--cron", "@every 1h"], "--cron", "interval syntax"),
    (["--cron", "61 3 * * *"], "--cron", "outside 0-59"),
    (["--cron", "CRON_TZ=Asia/Seoul 0 3 * * *"], "--cron", "TZ="),
    (["--cron", ""], "--cron", "cron is empty"),
    (["--timezone", "Mars/Olympus"], "--timezone", "unknown time zone"),
    (["--timezone", "Asia/Seol"], "--timezone", 'did you mean "Asia/Seoul"'),
    (["--timezone", ""], "--timezone", "time zone is empty"),
    (["--namespace", "Absa_Serving"], "--namespace", "DNS-1123 label"),
    (["--namespace", "a" * 64], "--namespace", "DNS-1123 label"),
    (["--name", "absa;rm -rf /"], "--name", "DNS-1123 label"),
    (["--name", "a" * 53], "--name", "at most 52"),
    (["--config-map", "deployment.config"], "--config-map", "DNS-1123 label"),
    (["--deployment-name", "absa-model-"], "--deployment-name", "DNS-1123 label"),
    (["--kubectl-image", "registry.k8s.io/kubectl"], "--kubectl-image", "no tag or digest"),
    (["--kubectl-image", "bitnami/kubectl:latest"], "--kubectl-image", "':latest'"),
    (["--kubectl-image", "Not An Image"], "--kubectl-image", "not a valid image reference"),
]


@pytest.mark.parametrize("command", [cronjob_command, cron_workflow_command])
@pytest.mark.parametrize(("args", "option", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_one_line(command: Any, args: list[str], option: str,
                                         message: str) -> None:
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""  # nothing half-printed
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    assert option in errors[0] and message in errors[0], errors[0]

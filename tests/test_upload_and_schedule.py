"""upload-and-schedule against the loopback KFP emulator, through the unmodified kfp.Client."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import kfp_emulator
import pytest
from click.testing import CliRunner, Result

from absa_pipeline.publish.cli import upload_and_schedule
from absa_pipeline.publish.desired import RecurringRunSpec
from absa_pipeline.publish.kfp_api import KfpApi
from absa_pipeline.scheduling import CronError, parse_kfp_cron

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "compiled" / "absa_pipeline.yaml"
TOKEN = "s3cret-token"
NAME = "absa-model-deployment-daily"


def robfig_validator(expr: str) -> None:
    """The API server validates crons with robfig/cron v1; so does the emulator here."""
    try:
        parse_kfp_cron(expr)
    except CronError as exc:
        raise ValueError(str(exc)) from None


@pytest.fixture
def kfp() -> Iterator[kfp_emulator.KfpEmulator]:
    with kfp_emulator.emulator(token=TOKEN, cron_validator=robfig_validator) as emu:
        yield emu


def run(emu: kfp_emulator.KfpEmulator, *args: str, token: str = TOKEN) -> Result:
    return CliRunner().invoke(upload_and_schedule, ["--host", emu.url, "--existing-token", token,
                                                    "--package", str(PACKAGE), *args])


def report(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def runs_named(emu: kfp_emulator.KfpEmulator, name: str = NAME) -> list[dict]:
    return [r for r in emu.recurring_runs() if r["display_name"] == name]


def enabled_named(emu: kfp_emulator.KfpEmulator) -> list[dict]:
    return [r for r in runs_named(emu) if r["status"] == "ENABLED"]


def test_first_publish_uploads_and_schedules_a_seoul_cron(kfp) -> None:
    out = report(run(kfp, "--cron", "0 3 * * *", "--timezone", "Asia/Seoul", "--output",
                     "json", "--param", "min_accuracy=0.75"))
    assert out["kfp_cron"] == "0 0 18 * * *"
    assert out["changed"] is True
    assert all(t.endswith("T18:00:00+00:00") for t in out["next_runs"])
    assert len(out["next_runs"]) == 5
    (pipeline,) = kfp.pipelines()
    assert pipeline["display_name"] == "ABSA Model Deployment Pipeline"
    assert out["pipeline_id"] == pipeline["pipeline_id"]
    versions = {v["display_name"]: v["pipeline_version_id"]
                for v in kfp.pipeline_versions(pipeline["pipeline_id"])}
    content_name = f"sha256-{hashlib.sha256(PACKAGE.read_bytes()).hexdigest()[:12]}"
    assert versions[content_name] == out["pipeline_version_id"]
    (experiment,) = kfp.experiments()
    assert experiment["display_name"] == "absa-model-deployment"
    (rr,) = runs_named(kfp)
    assert rr["recurring_run_id"] == out["recurring_run_id"]
    assert rr["status"] == "ENABLED"
    assert rr["trigger"]["cron_schedule"]["cron"] == "0 0 18 * * *"
    assert rr["max_concurrency"] == "1" and rr["no_catchup"] is True
    assert rr["pipeline_version_reference"] == {"pipeline_id": out["pipeline_id"],
                                                "pipeline_version_id": out["pipeline_version_id"]}
    assert rr["runtime_config"]["parameters"] == {"min_accuracy": 0.75}
    assert out["ui"]["recurring_run"].endswith(f"/#/recurringrun/details/{rr['recurring_run_id']}")


def test_rerun_makes_no_write_and_reports_unchanged(kfp) -> None:
    args = ("--cron", "30 2 * * 1-5", "--param", "replicas=3", "--output", "json")
    first = report(run(kfp, *args))
    kfp.reset_counters()
    again = report(run(kfp, *args))
    assert kfp.write_attempts == 0
    assert again["changed"] is False and again["actions"] == []
    assert again["recurring_run_id"] == first["recurring_run_id"]
    assert len(kfp.requests) <= 7  # healthz x2, pipeline, version, experiment, recurring runs


def test_request_count_does_not_grow_with_objects_on_the_server(kfp) -> None:
    report(run(kfp, "--output", "json"))
    kfp.reset_counters()
    report(run(kfp, "--output", "json"))
    baseline = len(kfp.requests)
    experiment_id = kfp.experiments()[0]["experiment_id"]
    kfp.seed_pipelines(1000)
    kfp.seed_experiments(1000)
    kfp.seed_recurring_runs(1000, experiment_id=experiment_id)
    kfp.seed_recurring_runs(1000)
    kfp.reset_counters()
    out = report(run(kfp, "--output", "json"))
    assert out["changed"] is False
    assert len(kfp.requests) == baseline
    assert kfp.write_attempts == 0


def test_a_changed_cron_replaces_the_schedule_leaving_one(kfp) -> None:
    first = report(run(kfp, "--output", "json"))
    kfp.reset_counters()
    second = report(run(kfp, "--cron", "0 4 * * *", "--output", "json"))
    assert second["recurring_run_id"] != first["recurring_run_id"]
    assert [a.split()[0] for a in second["actions"]] == ["create", "disable", "enable", "delete"]
    (rr,) = runs_named(kfp)
    assert rr["recurring_run_id"] == second["recurring_run_id"]
    assert rr["status"] == "ENABLED" and rr["trigger"]["cron_schedule"]["cron"] == "0 0 4 * * *"
    assert kfp.writes == 4


SWAP_WRITES = [
    ("POST", r"/recurringruns$", "creating recurring run", "old"),
    ("POST", r":disable$", "disabling recurring run", "old"),
    ("POST", r":enable$", "enabling recurring run", "old"),
    ("DELETE", r"/recurringruns/", "deleting recurring run", "new"),
]


@pytest.mark.parametrize("after_apply", [False, True], ids=["rejected", "lost-response"])
@pytest.mark.parametrize(("method", "path", "failing", "survivor"), SWAP_WRITES,
                         ids=[w[2].split()[0] for w in SWAP_WRITES])
def test_a_fault_at_each_write_leaves_exactly_one_enabled_and_the_next_run_converges(
        kfp, method: str, path: str, failing: str, survivor: str, after_apply: bool) -> None:
    old = report(run(kfp, "--output", "json"))["recurring_run_id"]
    kfp.fail(method, path, status=503, after_apply=after_apply)
    failed = run(kfp, "--cron", "0 5 * * *", "--output", "json")
    assert failed.exit_code == 1
    message = failed.stderr.strip().splitlines()[-1]
    assert message.startswith(f"Error: {failing}") and "HTTP 503" in message
    assert "Traceback" not in failed.output
    (on,) = enabled_named(kfp)
    if survivor == "old":
        assert on["recurring_run_id"] == old
        assert "rolled back" in message
        assert len(runs_named(kfp)) == 1  # the half-created one was removed
    else:
        assert on["recurring_run_id"] != old
        assert on["trigger"]["cron_schedule"]["cron"] == "0 0 5 * * *"
    converged = report(run(kfp, "--cron", "0 5 * * *", "--output", "json"))
    (rr,) = runs_named(kfp)
    assert rr["status"] == "ENABLED" and rr["trigger"]["cron_schedule"]["cron"] == "0 0 5 * * *"
    assert converged["recurring_run_id"] == rr["recurring_run_id"]
    kfp.reset_counters()
    assert report(run(kfp, "--cron", "0 5 * * *", "--output", "json"))["changed"] is False
    assert kfp.write_attempts == 0


@pytest.mark.parametrize("path", [r"/pipelines/upload$", r"/pipelines/upload_version$",
                                  r"/experiments$"])
def test_a_fault_before_the_schedule_creates_no_schedule_and_the_rerun_converges(
        kfp, path: str) -> None:
    kfp.fail("POST", path, status=500)
    failed = run(kfp)
    assert failed.exit_code == 1
    assert "HTTP 500" in failed.stderr
    assert runs_named(kfp) == []
    assert run(kfp).exit_code == 0
    assert len(enabled_named(kfp)) == 1
    assert len(kfp.pipelines()) == 1


def test_leftover_copies_of_the_name_are_deleted(kfp) -> None:
    out = report(run(kfp, "--output", "json"))
    api = KfpApi(kfp.url, TOKEN, None, None)
    live = api.list_recurring_runs(out["experiment_id"], NAME)[0]
    extra = api.create_recurring_run(live.spec, out["experiment_id"], "a stray copy")
    api.enable(extra)
    assert len(enabled_named(kfp)) == 2
    again = report(run(kfp, "--output", "json"))
    (rr,) = runs_named(kfp)
    assert rr["status"] == "ENABLED"
    assert again["recurring_run_id"] == rr["recurring_run_id"]
    assert again["changed"] is True


def test_latest_version_policy_references_only_the_pipeline(kfp) -> None:
    out = report(run(kfp, "--version-policy", "latest", "--output", "json"))
    (rr,) = runs_named(kfp)
    assert rr["pipeline_version_reference"] == {"pipeline_id": out["pipeline_id"]}
    kfp.reset_counters()
    assert report(run(kfp, "--version-policy", "latest", "--output", "json"))["changed"] is False
    assert kfp.write_attempts == 0


def test_disabled_interval_schedule_with_window(kfp) -> None:
    out = report(run(kfp, "--interval-seconds", "3600", "--disabled", "--start-time",
                     "2030-01-01T00:00:00+09:00", "--end-time", "2031-01-01T00:00:00Z",
                     "--max-concurrency", "3", "--catchup", "--output", "json"))
    (rr,) = runs_named(kfp)
    assert rr["status"] == "DISABLED"
    assert rr["trigger"]["periodic_schedule"]["interval_second"] == "3600"
    assert rr["max_concurrency"] == "3" and rr.get("no_catchup", False) is False
    assert out["kfp_cron"] is None
    assert out["next_runs"][0] == "2029-12-31T15:00:00+00:00"
    kfp.reset_counters()
    again = run(kfp, "--interval-seconds", "3600", "--disabled", "--start-time",
                "2030-01-01T00:00:00+09:00", "--end-time", "2031-01-01T00:00:00Z",
                "--max-concurrency", "3", "--catchup", "--output", "json")
    assert report(again)["changed"] is False


def test_dry_run_reads_and_writes_nothing(kfp) -> None:
    result = run(kfp, "--dry-run", "--cron", "0 2 * * 1", "--timezone", "Asia/Seoul")
    assert result.exit_code == 0, result.output
    assert kfp.write_attempts == 0
    assert "would change" in result.stdout
    assert "upload pipeline 'ABSA Model Deployment Pipeline'" in result.stdout
    assert "KFP cron: 0 0 17 * * 0 (in UTC)" in result.stdout
    assert "2026" in result.stdout or "20" in result.stdout
    assert result.stdout.count("+09:00 | ") == 5


def test_a_wrong_token_fails_fast_with_authentication_failed(kfp) -> None:
    started = time.monotonic()
    result = run(kfp, token="wrong")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "authentication failed" in result.stderr
    assert "wrong" not in result.output and TOKEN not in result.output
    assert kfp.write_attempts == 0


def test_an_unreachable_host_fails_fast(kfp) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(upload_and_schedule, ["--host", "http://127.0.0.1:9",
                                                      "--package", str(PACKAGE)])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "cannot reach KFP at http://127.0.0.1:9" in result.stderr


def test_service_account_token_file_is_honoured(kfp, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", str(token_file))
    monkeypatch.delenv("KFP_TOKEN", raising=False)
    result = CliRunner().invoke(upload_and_schedule, ["--host", kfp.url, "--package",
                                                      str(PACKAGE), "--output", "json"])
    assert report(result)["changed"] is True


def test_multi_user_needs_a_namespace() -> None:
    with kfp_emulator.emulator(multi_user=True, cron_validator=robfig_validator) as emu:
        missing = CliRunner().invoke(upload_and_schedule, ["--host", emu.url, "--package",
                                                           str(PACKAGE)])
        assert missing.exit_code == 2
        assert "give --namespace" in missing.stderr
        assert emu.write_attempts == 0
        ok = CliRunner().invoke(upload_and_schedule, ["--host", emu.url, "--package",
                                                      str(PACKAGE), "--namespace", "team-a",
                                                      "--output", "json"])
        out = report(ok)
        (experiment,) = emu.experiments()
        assert experiment["namespace"] == "team-a"
        assert out["experiment_id"] == experiment["experiment_id"]


BAD_INPUT = [
    (["--cron", "0 3 * *"], "4 fields"),
    (["--cron", "61 * * * *"], "--cron/--timezone"),
    (["--timezone", "Mars/Olympus"], "Mars/Olympus"),
    (["--timezone", "America/New_York"], "America/New_York changes its UTC offset"),
    (["--cluster-timezone", "Europe/Berlin"], "Europe/Berlin changes its UTC offset"),
    (["--interval-seconds", "60", "--cluster-timezone", "Nowhere/City"], "Nowhere/City"),
    (["--cron", "0 0 1 * *", "--timezone", "Asia/Seoul"], "month"),
    (["--cron", "0 3 * * *", "--interval-seconds", "60"], "not both"),
    (["--interval-seconds", "0"], "--interval-seconds"),
    (["--max-concurrency", "11"], "--max-concurrency"),
    (["--param", "nope=1"], "unknown pipeline parameter 'nope'"),
    (["--param", "replicas=abc"], "parameter replicas is an integer"),
    (["--param", "min_accuracy"], "is not KEY=VALUE"),
    (["--start-time", "2030-01-01T00:00:00"], "has no UTC offset"),
    (["--start-time", "tomorrow"], "not ISO 8601"),
    (["--start-time", "2030-01-02T00:00:00Z", "--end-time", "2030-01-01T00:00:00Z"],
     "must be after --start-time"),
    (["--version-policy", "newest"], "--version-policy"),
    (["--recurring-run-name", " "], "must not be empty"),
    (["--output", "xml"], "--output"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT,
                         ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_with_one_message_and_no_request(kfp, args: list[str],
                                                           message: str) -> None:
    result = run(kfp, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert kfp.requests == []


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    ("a: [unclosed", "not valid YAML"),
    ("kind: Deployment\n", "not a compiled KFP v2 pipeline"),
])
def test_a_bad_package_exits_2(kfp, tmp_path: Path, content: str | None, message: str) -> None:
    package = tmp_path / "p.yaml"
    if content is not None:
        package.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(upload_and_schedule, ["--host", kfp.url, "--package",
                                                      str(package)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert kfp.requests == []


@pytest.mark.parametrize("host", ["ftp://kfp", "localhost:8888", "http://"])
def test_a_bad_host_exits_2(kfp, host: str) -> None:
    result = CliRunner().invoke(upload_and_schedule, ["--host", host, "--package",
                                                      str(PACKAGE)])
    assert result.exit_code == 2
    assert "is not an http(s) URL" in result.stderr


def test_the_script_and_the_group_are_thin_wrappers() -> None:
    for argv in ([sys.executable, str(ROOT / "scripts" / "upload_and_schedule.py"), "--help"],
                 [sys.executable, "-m", "absa_pipeline", "upload-and-schedule", "--help"]):
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert "--recurring-run-name" in result.stdout


def test_live_spec_round_trip_is_equal(kfp) -> None:
    out = report(run(kfp, "--param", "min_macro_f1=0.65", "--service-account", "runner",
                     "--pipeline-root", "minio://mlpipeline/absa", "--output", "json"))
    api = KfpApi(kfp.url, TOKEN, None, None)
    (live,) = api.list_recurring_runs(out["experiment_id"], NAME)
    assert isinstance(live.spec, RecurringRunSpec)
    assert live.spec.parameters == {"min_macro_f1": 0.65}
    assert (live.spec.service_account, live.spec.pipeline_root) == (
        "runner", "minio://mlpipeline/absa")
    kfp.reset_counters()
    again = run(kfp, "--param", "min_macro_f1=0.65", "--service-account", "runner",
                "--pipeline-root", "minio://mlpipeline/absa", "--output", "json")
    assert report(again)["changed"] is False

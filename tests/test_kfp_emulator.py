"""Tests of the KFP v2beta1 API emulator (tests/kfp_emulator) through the real clients.

No ``from __future__ import annotations`` here: KFP reads the component signature at runtime.
"""

import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kfp
import kfp_emulator
import kfp_server_api
import pytest
from kfp import compiler, dsl
from kfp_server_api.exceptions import ApiException

TOKEN = "s3cret-token"
API = "/apis/v2beta1"


@dsl.component(base_image="python:3.11")
def _say(msg: str) -> str:
    return msg


@dsl.pipeline(name="tiny-pipeline", description="emulator test pipeline")
def _tiny(msg: str = "hi", repeats: int = 3) -> None:
    _say(msg=msg)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("pkg") / "tiny.yaml"
    compiler.Compiler().compile(pipeline_func=_tiny, package_path=str(path))
    return str(path)


class FakeClock:
    """Manually advanced clock (epoch seconds)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emu(clock: FakeClock) -> Iterator[kfp_emulator.KfpEmulator]:
    with kfp_emulator.emulator(token=TOKEN, clock=clock) as server:
        yield server


@pytest.fixture
def client(emu: kfp_emulator.KfpEmulator) -> kfp.Client:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return kfp.Client(host=emu.url, existing_token=TOKEN)


def raw_api(emu: kfp_emulator.KfpEmulator, token: str | None = TOKEN) -> kfp_server_api.ApiClient:
    config = kfp_server_api.Configuration(host=emu.url)
    if token is not None:
        config.api_key["authorization"] = token
        config.api_key_prefix["authorization"] = "Bearer"
    return kfp_server_api.ApiClient(config)


def eq_filter(value: str, key: str = "display_name", op: str = "EQUALS") -> str:
    return json.dumps({"predicates": [{"key": key, "operation": op, "string_value": value}]})


def body_of(exc: pytest.ExceptionInfo[ApiException]) -> dict[str, Any]:
    return json.loads(exc.value.body)


def make_recurring_run(**overrides: Any) -> kfp_server_api.V2beta1RecurringRun:
    fields: dict[str, Any] = {
        "display_name": "job",
        "mode": "ENABLE",
        "max_concurrency": 1,
        "trigger": kfp_server_api.V2beta1Trigger(
            cron_schedule=kfp_server_api.V2beta1CronSchedule(cron="0 0 3 * * *")),
    }
    fields.update(overrides)
    return kfp_server_api.V2beta1RecurringRun(**fields)


# ----------------------------------------------------------------------------- health / auth


def test_client_construction_calls_healthz(emu: kfp_emulator.KfpEmulator,
                                           client: kfp.Client) -> None:
    assert emu.requests[0] == ("GET", f"{API}/healthz", {})
    health = client.get_kfp_healthz()
    assert not health.multi_user
    assert health.pipeline_store == "database"


@pytest.mark.parametrize("token", [None, "wrong"])
def test_wrong_or_missing_token_is_401(emu: kfp_emulator.KfpEmulator, token: str | None) -> None:
    api = kfp_server_api.HealthzServiceApi(raw_api(emu, token))
    with pytest.raises(ApiException) as exc:
        api.healthz_service_get_healthz()
    assert exc.value.status == 401
    assert body_of(exc)["code"] == 16


def test_right_token_is_accepted_by_raw_api(emu: kfp_emulator.KfpEmulator) -> None:
    api = kfp_server_api.ExperimentServiceApi(raw_api(emu))
    assert api.experiment_service_list_experiments().experiments is None


# ----------------------------------------------------------------------------- pipelines


def test_upload_pipeline_and_version_returns_parsed_spec(
        client: kfp.Client, emu: kfp_emulator.KfpEmulator, package: str) -> None:
    pipeline = client.upload_pipeline(package, pipeline_name="absa", description="d")
    assert pipeline.display_name == "absa" and pipeline.name == "absa"
    assert pipeline.description == "d"
    assert pipeline.created_at is not None

    version = client.upload_pipeline_version(package, "v2", pipeline_id=pipeline.pipeline_id,
                                             description="second")
    assert version.pipeline_id == pipeline.pipeline_id
    params = version.pipeline_spec["root"]["inputDefinitions"]["parameters"]
    assert set(params) == {"msg", "repeats"}
    assert params["msg"]["defaultValue"] == "hi"

    fetched = client.get_pipeline_version(pipeline.pipeline_id, version.pipeline_version_id)
    assert fetched.pipeline_spec["pipelineInfo"]["name"] == "tiny-pipeline"
    versions = client.list_pipeline_versions(pipeline.pipeline_id)
    assert [v.display_name for v in versions.pipeline_versions] == ["absa", "v2"]
    assert versions.total_size == 2
    assert "tiny-pipeline" in emu.pipeline_package(version.pipeline_version_id)


def test_duplicate_pipeline_name_is_409(client: kfp.Client, package: str) -> None:
    client.upload_pipeline(package, pipeline_name="absa")
    with pytest.raises(ApiException) as exc:
        client.upload_pipeline(package, pipeline_name="absa")
    assert exc.value.status == 409
    assert body_of(exc)["error_message"] == "Failed to create a pipeline and a pipeline version"


def test_duplicate_version_name_is_409(client: kfp.Client, package: str) -> None:
    pipeline = client.upload_pipeline(package, pipeline_name="absa")
    client.upload_pipeline_version(package, "v1", pipeline_id=pipeline.pipeline_id)
    with pytest.raises(ApiException) as exc:
        client.upload_pipeline_version(package, "v1", pipeline_name="absa")
    assert exc.value.status == 409


def test_create_pipeline_json_duplicate_is_grpc_409(emu: kfp_emulator.KfpEmulator) -> None:
    api = kfp_server_api.PipelineServiceApi(raw_api(emu))
    api.pipeline_service_create_pipeline(kfp_server_api.V2beta1Pipeline(display_name="p"))
    with pytest.raises(ApiException) as exc:
        api.pipeline_service_create_pipeline(kfp_server_api.V2beta1Pipeline(display_name="p"))
    assert exc.value.status == 409
    body = body_of(exc)
    assert body["code"] == 6
    assert "already exists" in body["details"][0]["error_message"]


def test_get_pipeline_id_by_name(client: kfp.Client, package: str) -> None:
    pipeline = client.upload_pipeline(package, pipeline_name="absa")
    client.upload_pipeline(package, pipeline_name="absa-other")
    assert client.get_pipeline_id("absa") == pipeline.pipeline_id
    assert client.get_pipeline_id("ABSA") == pipeline.pipeline_id  # LOWER(...) = LOWER(?)
    assert client.get_pipeline_id("missing") is None


def test_plus_in_filter_value_is_unescaped_like_the_server(client: kfp.Client,
                                                           package: str) -> None:
    client.upload_pipeline(package, pipeline_name="a+b")
    # The API server url.QueryUnescape()s the filter once more: '+' becomes ' '.
    assert client.get_pipeline_id("a+b") is None


def test_delete_pipeline_needs_no_versions(client: kfp.Client, package: str) -> None:
    pipeline = client.upload_pipeline(package, pipeline_name="absa")
    with pytest.raises(ApiException) as exc:
        client.delete_pipeline(pipeline.pipeline_id)
    assert exc.value.status == 400
    assert body_of(exc)["code"] == 9
    for version in client.list_pipeline_versions(pipeline.pipeline_id).pipeline_versions:
        client.delete_pipeline_version(pipeline.pipeline_id, version.pipeline_version_id)
    client.delete_pipeline(pipeline.pipeline_id)
    assert client.get_pipeline_id("absa") is None


def test_get_missing_pipeline_is_404(client: kfp.Client) -> None:
    with pytest.raises(ApiException) as exc:
        client.get_pipeline("nope")
    assert exc.value.status == 404
    assert body_of(exc)["code"] == 5


# ----------------------------------------------------------------------------- listing


def test_default_page_size_and_tokens(emu: kfp_emulator.KfpEmulator) -> None:
    emu.seed_pipelines(45)
    api = kfp_server_api.PipelineServiceApi(raw_api(emu))
    first = api.pipeline_service_list_pipelines()
    assert len(first.pipelines) == 20
    assert first.total_size == 45
    assert first.next_page_token
    seen = [p.pipeline_id for p in first.pipelines]
    token = first.next_page_token
    while token:
        page = api.pipeline_service_list_pipelines(page_token=token)
        seen += [p.pipeline_id for p in page.pipelines]
        token = page.next_page_token
    assert len(seen) == len(set(seen)) == 45
    assert [p["pipeline_id"] for p in emu.pipelines()] == seen  # created_at asc by default


def test_page_size_is_capped_at_200_and_negative_rejected(emu: kfp_emulator.KfpEmulator) -> None:
    emu.seed_experiments(230)
    api = kfp_server_api.ExperimentServiceApi(raw_api(emu))
    page = api.experiment_service_list_experiments(page_size=1000)
    assert len(page.experiments) == kfp_emulator.MAX_PAGE_SIZE
    assert page.next_page_token
    with pytest.raises(ApiException) as exc:
        api.experiment_service_list_experiments(page_size=-1)
    assert exc.value.status == 400


def test_filter_operations(client: kfp.Client, emu: kfp_emulator.KfpEmulator) -> None:
    emu.seed_pipelines(5, prefix="alpha")
    emu.seed_pipelines(3, prefix="beta")

    def names(filter_: str) -> list[str]:
        result = client.list_pipelines(filter=filter_, page_size=100)
        return [p.display_name for p in result.pipelines or []]

    assert names(eq_filter("alpha-00002")) == ["alpha-00002"]
    assert len(names(eq_filter("beta", op="IS_SUBSTRING"))) == 3
    assert len(names(eq_filter("alpha-00000", op="NOT_EQUALS"))) == 7
    in_filter = json.dumps({"predicates": [{
        "key": "name", "operation": "IN",
        "stringValues": {"values": ["alpha-00001", "beta-00002", "gamma"]}}]})
    assert names(in_filter) == ["alpha-00001", "beta-00002"]


def test_created_at_filter_and_sort(client: kfp.Client, emu: kfp_emulator.KfpEmulator,
                                    clock: FakeClock) -> None:
    emu.seed_pipelines(2, prefix="old")
    clock.now += 3600
    emu.seed_pipelines(2, prefix="new")
    cutoff = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(clock.now - 60))
    newer = json.dumps({"predicates": [{"key": "created_at", "operation": "GREATER_THAN",
                                        "timestamp_value": cutoff}]})
    result = client.list_pipelines(filter=newer)
    assert [p.display_name for p in result.pipelines] == ["new-00000", "new-00001"]
    by_name = client.list_pipelines(sort_by="name desc")
    assert by_name.pipelines[0].display_name == "old-00001"


def test_bad_filter_key_and_mismatched_token_are_400(client: kfp.Client,
                                                     emu: kfp_emulator.KfpEmulator) -> None:
    emu.seed_pipelines(30)
    with pytest.raises(ApiException) as bad_key:
        client.list_pipelines(filter=eq_filter("x", key="colour"))
    assert bad_key.value.status == 400
    token = client.list_pipelines(page_size=5).next_page_token
    with pytest.raises(ApiException) as mismatch:
        client.list_pipelines(page_token=token, filter=eq_filter("x"))
    assert mismatch.value.status == 400
    with pytest.raises(ApiException) as bad_sort:
        client.list_pipelines(sort_by="colour")
    assert bad_sort.value.status == 400


# ----------------------------------------------------------------------------- experiments


def test_experiments_create_get_and_409(client: kfp.Client, emu: kfp_emulator.KfpEmulator) -> None:
    created = client.create_experiment("absa-exp", description="d")
    assert created.storage_state == "AVAILABLE"
    again = client.create_experiment("absa-exp")  # kfp.Client looks it up by name first
    assert again.experiment_id == created.experiment_id
    assert client.get_experiment(experiment_name="absa-exp").experiment_id == created.experiment_id
    assert client.get_experiment(experiment_id=created.experiment_id).display_name == "absa-exp"
    api = kfp_server_api.ExperimentServiceApi(raw_api(emu))
    with pytest.raises(ApiException) as exc:
        api.experiment_service_create_experiment(
            kfp_server_api.V2beta1Experiment(display_name="absa-exp"))
    assert exc.value.status == 409
    assert body_of(exc)["code"] == 6
    assert len(emu.experiments()) == 1


def test_archive_experiment_disables_its_recurring_runs(client: kfp.Client,
                                                        emu: kfp_emulator.KfpEmulator) -> None:
    exp = client.create_experiment("e")
    emu.seed_recurring_runs(2, experiment_id=exp.experiment_id)
    client.archive_experiment(exp.experiment_id)
    assert client.get_experiment(experiment_id=exp.experiment_id).storage_state == "ARCHIVED"
    assert {r["status"] for r in emu.recurring_runs()} == {"DISABLED"}


# ----------------------------------------------------------------------------- recurring runs


@pytest.fixture
def uploaded(client: kfp.Client, package: str) -> tuple[str, str, str]:
    pipeline = client.upload_pipeline(package, pipeline_name="absa")
    version = client.list_pipeline_versions(pipeline.pipeline_id).pipeline_versions[0]
    experiment = client.create_experiment("absa-exp")
    return pipeline.pipeline_id, version.pipeline_version_id, experiment.experiment_id


def test_create_recurring_run_with_cron(client: kfp.Client, uploaded: tuple[str, str, str],
                                        clock: FakeClock) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    run = client.create_recurring_run(
        experiment_id, "nightly", cron_expression="0 30 2 * * *", pipeline_id=pipeline_id,
        version_id=version_id, params={"msg": "x", "repeats": 2}, no_catchup=True,
        service_account="absa-runner")
    assert run.status == "ENABLED" and run.mode == "ENABLE"
    assert run.trigger.cron_schedule.cron == "0 30 2 * * *"
    assert run.trigger.periodic_schedule is None
    assert run.max_concurrency == "1"
    assert run.no_catchup is True
    assert run.service_account == "absa-runner"
    assert run.runtime_config.parameters == {"msg": "x", "repeats": 2}
    assert run.pipeline_version_reference.pipeline_version_id == version_id
    assert run.experiment_id == experiment_id
    assert int(run.created_at.timestamp()) == int(clock.now)
    assert run.updated_at == run.created_at


def test_create_recurring_run_with_interval(client: kfp.Client,
                                            uploaded: tuple[str, str, str]) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    run = client.create_recurring_run(experiment_id, "hourly", interval_second=3600,
                                      pipeline_id=pipeline_id, version_id=version_id,
                                      enabled=False, max_concurrency=10)
    assert run.trigger.periodic_schedule.interval_second == "3600"
    assert run.status == "DISABLED" and run.mode == "DISABLE"
    assert run.max_concurrency == "10"


def test_create_recurring_run_from_package_keeps_inline_spec(
        client: kfp.Client, uploaded: tuple[str, str, str], package: str) -> None:
    run = client.create_recurring_run(uploaded[2], "inline", cron_expression="@daily",
                                      pipeline_package_path=package)
    assert run.pipeline_version_reference is None
    assert run.pipeline_spec["pipelineInfo"]["name"] == "tiny-pipeline"


@pytest.mark.parametrize("cron", ["0 0 * *", "61 * * * * *", "* * * * * * *", "@fortnightly",
                                  "0 0 25 * * *", "*/0 * * * * *", "0 0 0 ? JAN-XYZ *", ""])
def test_invalid_cron_is_400(emu: kfp_emulator.KfpEmulator, uploaded: tuple[str, str, str],
                             cron: str) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    api = kfp_server_api.RecurringRunServiceApi(raw_api(emu))
    body = make_recurring_run(
        experiment_id=experiment_id,
        pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
            pipeline_id=pipeline_id, pipeline_version_id=version_id),
        trigger=kfp_server_api.V2beta1Trigger(
            cron_schedule=kfp_server_api.V2beta1CronSchedule(cron=cron)))
    with pytest.raises(ApiException) as exc:
        api.recurring_run_service_create_recurring_run(body)
    assert exc.value.status == 400
    assert "Schedule cron is not a supported format" in body_of(exc)["message"]
    assert emu.recurring_runs() == []


def test_max_concurrency_11_is_400(client: kfp.Client, uploaded: tuple[str, str, str]) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    with pytest.raises(ApiException) as exc:
        client.create_recurring_run(experiment_id, "j", cron_expression="0 0 0 * * *",
                                    pipeline_id=pipeline_id, version_id=version_id,
                                    max_concurrency=11)
    assert exc.value.status == 400
    assert "Received 11" in body_of(exc)["details"][0]["error_message"]


def test_interval_zero_is_400(emu: kfp_emulator.KfpEmulator,
                              uploaded: tuple[str, str, str]) -> None:
    pipeline_id, _, experiment_id = uploaded
    api = kfp_server_api.RecurringRunServiceApi(raw_api(emu))
    body = make_recurring_run(
        experiment_id=experiment_id,
        pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
            pipeline_id=pipeline_id),
        trigger=kfp_server_api.V2beta1Trigger(
            periodic_schedule=kfp_server_api.V2beta1PeriodicSchedule(interval_second=0)))
    with pytest.raises(ApiException) as exc:
        api.recurring_run_service_create_recurring_run(body)
    assert exc.value.status == 400
    assert body_of(exc)["code"] == 3


def test_pipeline_only_reference_means_latest_version(emu: kfp_emulator.KfpEmulator,
                                                      uploaded: tuple[str, str, str]) -> None:
    pipeline_id, _, experiment_id = uploaded
    api = kfp_server_api.RecurringRunServiceApi(raw_api(emu))
    run = api.recurring_run_service_create_recurring_run(make_recurring_run(
        experiment_id=experiment_id,
        pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
            pipeline_id=pipeline_id)))
    assert run.pipeline_version_reference.pipeline_id == pipeline_id
    assert run.pipeline_version_reference.pipeline_version_id is None
    assert run.trigger.cron_schedule.cron == "0 0 3 * * *"


def test_foreign_or_unknown_pipeline_references_fail(emu: kfp_emulator.KfpEmulator,
                                                     client: kfp.Client, package: str,
                                                     uploaded: tuple[str, str, str]) -> None:
    pipeline_id, _, experiment_id = uploaded
    other = client.upload_pipeline(package, pipeline_name="other")
    other_version = client.list_pipeline_versions(other.pipeline_id).pipeline_versions[0]
    api = kfp_server_api.RecurringRunServiceApi(raw_api(emu))
    foreign = make_recurring_run(
        experiment_id=experiment_id,
        pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
            pipeline_id=pipeline_id, pipeline_version_id=other_version.pipeline_version_id))
    with pytest.raises(ApiException) as mismatch:
        api.recurring_run_service_create_recurring_run(foreign)
    # The backend wraps this in NewInternalServerError, hence 500 (not 400).
    assert mismatch.value.status == 500
    assert "belongs to pipeline" in body_of(mismatch)["message"]
    missing = make_recurring_run(
        experiment_id=experiment_id,
        pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
            pipeline_id="no-such-pipeline"))
    with pytest.raises(ApiException) as not_found:
        api.recurring_run_service_create_recurring_run(missing)
    assert not_found.value.status == 404
    unknown_exp = make_recurring_run(
        experiment_id="no-such-experiment",
        pipeline_version_reference=kfp_server_api.V2beta1PipelineVersionReference(
            pipeline_id=pipeline_id))
    with pytest.raises(ApiException) as no_exp:
        api.recurring_run_service_create_recurring_run(unknown_exp)
    assert no_exp.value.status == 404
    assert emu.recurring_runs() == []


def test_enable_disable_delete(client: kfp.Client, emu: kfp_emulator.KfpEmulator,
                               uploaded: tuple[str, str, str], clock: FakeClock) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    run = client.create_recurring_run(experiment_id, "j", cron_expression="0 0 0 * * *",
                                      pipeline_id=pipeline_id, version_id=version_id)
    rid = run.recurring_run_id
    clock.now += 10
    client.recurring_runs.recurring_run_service_disable_recurring_run(rid)
    disabled = client.get_recurring_run(rid)
    assert (disabled.status, disabled.mode) == ("DISABLED", "DISABLE")
    assert disabled.updated_at > disabled.created_at
    client.recurring_runs.recurring_run_service_enable_recurring_run(rid)
    assert client.get_recurring_run(rid).status == "ENABLED"
    listed = client.list_recurring_runs(experiment_id=experiment_id,
                                        filter=eq_filter("j"))
    assert [r.recurring_run_id for r in listed.recurring_runs] == [rid]
    client.recurring_runs.recurring_run_service_delete_recurring_run(rid)
    with pytest.raises(ApiException) as exc:
        client.get_recurring_run(rid)
    assert exc.value.status == 404
    assert emu.recurring_runs() == []


# ----------------------------------------------------------------------------- hooks


def test_request_counting(client: kfp.Client, emu: kfp_emulator.KfpEmulator) -> None:
    emu.reset_counters()
    client.create_experiment("e")  # GET (lookup by name) + POST
    assert emu.writes == 1 and emu.write_attempts == 1
    assert [(m, p) for m, p, _ in emu.requests] == [
        ("GET", f"{API}/experiments"), ("POST", f"{API}/experiments")]
    assert json.loads(emu.requests[0].query["filter"])["predicates"][0]["stringValue"] == "e"
    api = kfp_server_api.ExperimentServiceApi(raw_api(emu))
    with pytest.raises(ApiException):
        api.experiment_service_create_experiment(
            kfp_server_api.V2beta1Experiment(display_name="e"))
    assert (emu.writes, emu.write_attempts) == (1, 2)
    emu.reset_counters()
    assert (emu.requests, emu.writes, emu.write_attempts) == ([], 0, 0)


def test_fault_before_apply(client: kfp.Client, emu: kfp_emulator.KfpEmulator,
                            uploaded: tuple[str, str, str]) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    emu.reset_counters()
    emu.fail("POST", r"/recurringruns$", status=503)
    with pytest.raises(ApiException) as exc:
        client.create_recurring_run(experiment_id, "j", cron_expression="0 0 0 * * *",
                                    pipeline_id=pipeline_id, version_id=version_id)
    assert exc.value.status == 503
    assert body_of(exc)["code"] == 14
    assert emu.recurring_runs() == [] and emu.writes == 0
    client.create_recurring_run(experiment_id, "j", cron_expression="0 0 0 * * *",
                                pipeline_id=pipeline_id, version_id=version_id)
    assert len(emu.recurring_runs()) == 1 and emu.writes == 1


def test_fault_after_apply_simulates_lost_response(client: kfp.Client,
                                                   emu: kfp_emulator.KfpEmulator,
                                                   uploaded: tuple[str, str, str]) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    emu.reset_counters()
    fault = emu.fail("post", r"/recurringruns$", after_apply=True)
    with pytest.raises(ApiException) as exc:
        client.create_recurring_run(experiment_id, "j", cron_expression="0 0 0 * * *",
                                    pipeline_id=pipeline_id, version_id=version_id)
    assert exc.value.status == 500
    assert fault.hits == 1 and fault.remaining == 0
    assert [r["display_name"] for r in emu.recurring_runs()] == ["j"]
    assert emu.writes == 1
    found = client.list_recurring_runs(experiment_id=experiment_id, filter=eq_filter("j"))
    assert len(found.recurring_runs) == 1


def test_fault_on_upload_uses_upload_error_shape_and_times(client: kfp.Client,
                                                           emu: kfp_emulator.KfpEmulator,
                                                           package: str) -> None:
    emu.fail("POST", r"/pipelines/upload$", status=502, times=2)
    for _ in range(2):
        with pytest.raises(ApiException) as exc:
            client.upload_pipeline(package, pipeline_name="absa")
        assert exc.value.status == 502
        assert "error_message" in body_of(exc)
    client.upload_pipeline(package, pipeline_name="absa")
    emu.fail("GET", r"/healthz$", times=None)
    for _ in range(3):
        with pytest.raises(ApiException):
            client._healthz_api.healthz_service_get_healthz()
    emu.clear_faults()
    assert client._healthz_api.healthz_service_get_healthz().pipeline_store == "database"


def test_seeding_1000_objects_keeps_lookups_working(client: kfp.Client,
                                                    emu: kfp_emulator.KfpEmulator) -> None:
    started = time.perf_counter()
    pipeline_ids = emu.seed_pipelines(1000)
    experiment_ids = emu.seed_experiments(1000)
    emu.seed_recurring_runs(1000, experiment_id=experiment_ids[500],
                            pipeline_id=pipeline_ids[0])
    assert emu.requests[-1].path == f"{API}/healthz"  # seeding is not an API call
    assert emu.writes == 0
    assert client.get_pipeline_id("seed-pipeline-00737") == pipeline_ids[737]
    assert client.get_experiment(
        experiment_name="seed-experiment-00999").experiment_id == experiment_ids[999]
    runs = client.list_recurring_runs(experiment_id=experiment_ids[500],
                                      filter=eq_filter("seed-recurring-run-00042"))
    assert len(runs.recurring_runs) == 1
    assert client.list_recurring_runs(experiment_id=experiment_ids[500]).total_size == 1000
    assert client.list_pipelines().total_size == 1000
    assert time.perf_counter() - started < 5


# ----------------------------------------------------------------------------- options


def test_injectable_cron_validator(uploaded: tuple[str, str, str], client: kfp.Client,
                                   emu: kfp_emulator.KfpEmulator) -> None:
    pipeline_id, version_id, experiment_id = uploaded
    seen: list[str] = []

    def strict(spec: str) -> None:
        seen.append(spec)
        raise ValueError("nope")

    emu.cron_validator = strict
    with pytest.raises(ApiException) as exc:
        client.create_recurring_run(experiment_id, "j", cron_expression="0 0 0 * * *",
                                    pipeline_id=pipeline_id, version_id=version_id)
    assert exc.value.status == 400
    assert seen == ["0 0 0 * * *"]
    assert "nope" in body_of(exc)["message"]


@pytest.mark.parametrize("spec", [
    "0 0 * * *", "0 0 0 * * *", "*/15 * * * * ?", "0 0 9 ? * 2-6", "0 0 0 1 JAN,jul *",
    "0 0 0 * * MON-FRI", "@hourly", "@every 1h30m", "@every 0", "TZ=Europe/Berlin 0 0 6 * * *",
    "0 0/5 * * * *", "5/10 * * * *",
])
def test_default_cron_validator_accepts(spec: str) -> None:
    kfp_emulator.default_cron_validator(spec)


@pytest.mark.parametrize("spec", [
    "", "* * * *", "* * * * * * *", "60 * * * * *", "0 60 * * * *", "0 0 24 * * *",
    "0 0 0 0 * *", "0 0 0 32 * *", "0 0 0 * 13 *", "0 0 0 * * 7", "0 0 0 * * FOO",
    "5-1 * * * * *", "*/0 * * * * *", "1-2-3 * * * * *", "1/2/3 * * * * *", "@every 5",
    "@every", "@weekdays", "TZ=Mars/Olympus 0 0 0 * * *", "a * * * * *", ", * * * * *",
])
def test_default_cron_validator_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        kfp_emulator.default_cron_validator(spec)


def test_multi_user_namespaces(package: str) -> None:
    with kfp_emulator.emulator(multi_user=True) as emu:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            team_a = kfp.Client(host=emu.url, namespace="team-a")
            team_b = kfp.Client(host=emu.url, namespace="team-b")
        assert team_a.get_kfp_healthz().multi_user is True
        exp_a = team_a.create_experiment("exp")
        exp_b = team_b.create_experiment("exp")  # same name, other namespace: fine
        assert exp_a.experiment_id != exp_b.experiment_id
        assert exp_a.namespace == "team-a"
        listed = team_b.list_experiments()
        assert [e.experiment_id for e in listed.experiments] == [exp_b.experiment_id]
        team_a.upload_pipeline(package, pipeline_name="p", namespace="team-a")
        team_b.upload_pipeline(package, pipeline_name="p", namespace="team-b")
        with pytest.raises(ApiException) as exc:
            team_a.upload_pipeline(package, pipeline_name="p", namespace="team-a")
        assert exc.value.status == 409
        assert team_a.list_pipelines(namespace="team-a").total_size == 1
        assert team_a.list_pipelines().pipelines is None  # shared (no-namespace) pipelines
        with pytest.raises(ApiException) as no_ns:
            kfp_server_api.ExperimentServiceApi(raw_api(emu, None)) \
                .experiment_service_list_experiments()
        assert no_ns.value.status == 400


def test_unknown_routes(emu: kfp_emulator.KfpEmulator) -> None:
    api = raw_api(emu)
    with pytest.raises(ApiException) as missing:
        api.call_api("/apis/v2beta1/nothing", "GET", auth_settings=["Bearer"],
                     response_type="object")
    assert missing.value.status == 404
    with pytest.raises(ApiException) as runs:
        kfp_server_api.RunServiceApi(api).run_service_list_runs()
    assert runs.value.status == 501


kfp_from_factory = kfp_emulator.pytest_fixture("kfp_from_factory")


def test_pytest_fixture_factory(kfp_from_factory: kfp_emulator.KfpEmulator) -> None:
    assert kfp_from_factory.url.startswith("http://127.0.0.1:")
    health = kfp_server_api.HealthzServiceApi(raw_api(kfp_from_factory, None))
    assert health.healthz_service_get_healthz().pipeline_store == "database"


def test_context_manager_stops_server() -> None:
    emu = kfp_emulator.KfpEmulator()
    with emu:
        url = emu.url
    with pytest.raises(RuntimeError):
        _ = emu.url
    assert url.startswith("http://127.0.0.1:")


def test_path_inputs_are_real_files(package: str) -> None:
    assert Path(package).read_text().startswith("# PIPELINE DEFINITION")

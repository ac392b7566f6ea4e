"""The model server on loopback (a real uvicorn in a thread), on the real sample model."""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from absa_pipeline.model import dump_model_document, predict_polarities, train_linear_model
from absa_pipeline.run_local import sample_data_path
from absa_pipeline.semeval import load_semeval_file
from absa_pipeline.serving import __main__ as server_main
from absa_pipeline.serving import app as app_module
from absa_pipeline.serving.app import ServeError, bind_socket, create_app, make_server
from absa_pipeline.serving.cli import newest_local_model, serve_local_command
from absa_pipeline.serving.loading import (
    LoadedModel,
    ModelLoadError,
    load_model,
    resolve_model_file,
)
from absa_pipeline.serving.protocol import (
    MAX_BODY_BYTES,
    MAX_INSTANCES,
    MAX_TEXT_CHARS,
    BadRequest,
    parse_instance,
)

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "The sushi was great but the waiter was rude."
PREDICT = "/v1/models/absa:predict"


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    records = load_semeval_file(str(sample_data_path("sample_train.xml")))
    path = tmp_path_factory.mktemp("model") / "model"
    path.write_text(dump_model_document(train_linear_model(records)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def loaded(model_file: Path) -> LoadedModel:
    return load_model(model_file, "minio://mlpipeline/v2/artifacts/run/build-model/model")


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.text)


class Client:
    """A tiny HTTP client of a server on 127.0.0.1 (http.client: no extra dependency)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, body: Any = None,
                chunked: bool = False) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json"}
            if chunked:
                headers["Transfer-Encoding"] = "chunked"
            connection.request(method, path, body=body, headers=headers,
                               encode_chunked=chunked)
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                         response.read())
        finally:
            connection.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, json_body: Any = None, content: Any = None,
             chunked: bool = False) -> Reply:
        body = json.dumps(json_body) if json_body is not None else content
        return self.request("POST", path, body, chunked)


def start_server(model: LoadedModel | None) -> tuple[Any, threading.Thread, int]:
    """A real uvicorn on 127.0.0.1, a free port, in a thread."""
    import uvicorn

    sock = bind_socket("127.0.0.1", 0)
    if model is not None:
        server = make_server(model, log_level="warning")
    else:
        server = uvicorn.Server(uvicorn.Config(create_app(None), log_level="warning",
                                               lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(1000):
        if server.started:
            started.set()
            break
        started.wait(0.01)
    assert started.is_set(), "uvicorn did not start"
    return server, thread, sock.getsockname()[1]


def stop_server(server: Any, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def live_port(loaded: LoadedModel) -> Iterator[int]:
    server, thread, port = start_server(loaded)
    yield port
    stop_server(server, thread)


@pytest.fixture(scope="module")
def client(live_port: int) -> Client:
    return Client(live_port)


def expected(loaded: LoadedModel, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return predict_polarities(loaded.document, items)


def post_json(port: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", PREDICT, body=json.dumps(body),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


# --- predictions ------------------------------------------------------------------------------

def test_predicts_by_term_and_by_offsets(client: Client, loaded: LoadedModel) -> None:
    response = client.post(PREDICT, {"instances": [
        {"text": SENTENCE, "aspect": "waiter"},
        {"text": SENTENCE, "from": 4, "to": 9},
        {"text": SENTENCE, "aspect": "sushi", "from": 4, "to": 9},
    ]})
    assert response.status_code == 200
    assert response.headers["x-model-version"] == loaded.version
    predictions = response.json()["predictions"]
    start = SENTENCE.index("waiter")
    assert predictions == expected(loaded, [
        {"text": SENTENCE, "from": start, "to": start + 6},
        {"text": SENTENCE, "from": 4, "to": 9},
        {"text": SENTENCE, "from": 4, "to": 9}])
    assert predictions[1] == predictions[2]
    for prediction in predictions:
        assert set(prediction) == {"polarity", "scores"}
        assert prediction["polarity"] in ("negative", "neutral", "positive")
        assert abs(sum(prediction["scores"].values()) - 1.0) < 1e-4


def test_a_term_is_its_first_occurrence_exact_then_case_insensitive() -> None:
    text = "The food was cold. Food here is usually great, the FOOD!"
    assert parse_instance({"text": text, "aspect": "food"}) == {"text": text, "from": 4, "to": 8}
    assert parse_instance({"text": text, "aspect": "FOOD"})["from"] == text.index("FOOD")
    assert parse_instance({"text": "Nice Décor.", "aspect": "DÉCOR"}) == \
        {"text": "Nice Décor.", "from": 5, "to": 10}


def test_served_predictions_equal_predict_polarities_on_the_whole_test_set(
        client: Client, loaded: LoadedModel) -> None:
    records = [r for r in load_semeval_file(str(sample_data_path("sample_test.xml")))
               if r["polarity"] != "conflict"]
    items = [{"text": r["text"], "from": r["from"], "to": r["to"]} for r in records]
    served: list[dict[str, Any]] = []
    for i in range(0, len(records), MAX_INSTANCES):
        batch = [{"text": r["text"], "aspect": r["term"], "from": r["from"], "to": r["to"]}
                 for r in records[i:i + MAX_INSTANCES]]
        response = client.post(PREDICT, {"instances": batch})
        assert response.status_code == 200, response.text
        served.extend(response.json()["predictions"])
    assert len(served) == len(records) > 100
    assert served == expected(loaded, items)


def test_fifty_concurrent_requests_on_a_real_server(live_port: int, loaded: LoadedModel) -> None:
    records = [r for r in load_semeval_file(str(sample_data_path("sample_test.xml")))
               if r["polarity"] != "conflict"][:50]
    bodies = [{"instances": [{"text": r["text"], "from": r["from"], "to": r["to"]}]}
              for r in records]
    gate = threading.Barrier(len(bodies))

    def call(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        gate.wait(10)
        return post_json(live_port, body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        answers = list(pool.map(call, bodies))
    assert [status for status, _ in answers] == [200] * len(bodies)
    wanted = expected(loaded, [b["instances"][0] for b in bodies])
    assert [answer["predictions"][0] for _, answer in answers] == wanted


# --- readiness, liveness, listing -------------------------------------------------------------

def test_readiness_liveness_and_listing(client: Client, loaded: LoadedModel,
                                        model_file: Path) -> None:
    ready = client.get("/v1/models/absa")
    assert ready.status_code == 200
    body = ready.json()
    assert (body["name"], body["ready"]) == ("absa", True)
    assert body["version"] == hashlib.sha256(model_file.read_bytes()).hexdigest()[:12]
    assert body["uri"].startswith("minio://")
    assert client.get("/healthz").json() == {"status": "alive"}
    assert client.get("/v1/models").json() == {"models": ["absa"]}
    assert client.get("/v1/models/other").status_code == 404
    unknown = client.post("/v1/models/other:predict", {"instances": []})
    assert unknown.status_code == 404 and "serves 'absa'" in unknown.json()["error"]


def test_without_a_model_it_is_alive_but_not_ready() -> None:
    server, thread, port = start_server(None)
    try:
        bare = Client(port)
        alive = bare.get("/healthz").status_code
        ready = bare.get("/v1/models/absa")
        refused = bare.post(PREDICT, {"instances": [{"text": "a b", "aspect": "a"}]})
    finally:
        stop_server(server, thread)
    assert alive == 200
    assert ready.status_code == 503 and ready.json() == {"name": "absa", "ready": False}
    assert refused.status_code == 503


# --- bad requests: 400 with a message, never a 500 ---------------------------------------------

def instance(**fields: Any) -> dict[str, Any]:
    return {"instances": [{"text": SENTENCE, **fields}]}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[]", "must be a JSON object"),
        (b"{}", 'missing field "instances"'),
        (b'{"instances": {"text": "x"}}', '"instances" must be a list'),
        (b'{"instances": []}', '"instances" is empty'),
        (json.dumps({"instances": [{"text": "a b", "aspect": "a"}] * (MAX_INSTANCES + 1)}),
         f"at most {MAX_INSTANCES}"),
        (json.dumps({"instances": ["text"]}), "instances[0] must be an object"),
        (json.dumps({"instances": [{"aspect": "x"}]}), 'missing field "text"'),
        (json.dumps({"instances": [{"text": 5, "aspect": "x"}]}), '"text" must be a string'),
        (json.dumps({"instances": [{"text": "  ", "aspect": "x"}]}), '"text" is empty'),
        (json.dumps({"instances": [{"text": "a" * (MAX_TEXT_CHARS + 1), "aspect": "a"}]}),
         f"at most {MAX_TEXT_CHARS}"),
        (json.dumps(instance()), "missing the aspect"),
        (json.dumps(instance(aspect=["waiter"])), '"aspect" must be a string'),
        (json.dumps(instance(aspect="")), '"aspect" is empty'),
        (json.dumps(instance(aspect="pizza")), "aspect 'pizza' does not occur in the text"),
        (json.dumps(instance(**{"from": 4})), 'give both "from" and "to"'),
        (json.dumps(instance(**{"from": "4", "to": 9})), "'from' must be an integer"),
        (json.dumps(instance(**{"from": True, "to": 9})), "'from' must be an integer"),
        (json.dumps(instance(**{"from": 4.0, "to": 9})), "'from' must be an integer"),
        (json.dumps(instance(**{"from": 9, "to": 4})), "out of range"),
        (json.dumps(instance(**{"from": -1, "to": 4})), "out of range"),
        (json.dumps(instance(**{"from": 40, "to": 400})), "out of range"),
        (json.dumps(instance(aspect="waiter", **{"from": 4, "to": 9})),
         "give 'sushi', not the aspect 'waiter'"),
        (json.dumps({"instances": [{"text": "x" * 4500, "aspect": "x"}] * 250}),
         f"larger than {MAX_BODY_BYTES} bytes"),
    ],
)
def test_bad_requests_are_400_with_a_message(client: Client, body: bytes | str,
                                             message: str) -> None:
    response = client.post(PREDICT, content=body)
    assert response.status_code == 400, response.text[:300]
    error = response.json()["error"]
    assert message in error
    assert "\n" not in error


def test_an_oversized_body_is_refused_when_streamed_without_a_length(client: Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    response = client.post(PREDICT, content=chunks(), chunked=True)
    assert response.status_code == 400
    assert "larger than" in response.json()["error"]


# --- start-up: a missing or corrupt model is refused --------------------------------------------

@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "invalid JSON"),
        (b'{"format": "absa-linear/v1", "classes": ["a"', "invalid JSON"),
        (b"\x80\x81 binary", "invalid JSON"),
        (b'{"format": "sklearn-pickle"}', "not an absa-linear/v1 model"),
        (b'{"format": "absa-linear/v1", "classes": ["negative", "positive"], '
         b'"intercept": [0.1], "weights": {}}', "corrupt absa-linear/v1 model"),
    ],
)
def test_a_corrupt_model_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "model"
    path.write_bytes(content)
    with pytest.raises(ModelLoadError, match=message) as caught:
        load_model(path)
    assert "\n" not in str(caught.value)


def test_the_server_exits_1_with_one_line_on_a_corrupt_model(tmp_path: Path) -> None:
    (tmp_path / "model").write_text('{"format": "absa-linear/v1"}', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MODEL_URI", None)
    result = subprocess.run(
        [sys.executable, "-m", "absa_pipeline.serving", "--model-dir", str(tmp_path),
         "--port", "0", "--host", "127.0.0.1"],
        capture_output=True, text=True, timeout=60, env=env, check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "refusing to start" in lines[0] and "corrupt absa-linear/v1 model" in lines[0]


@pytest.mark.parametrize("case", ["missing-dir", "empty-dir", "two-files", "missing-file",
                                  "file-is-dir", "nothing"])
def test_a_missing_model_is_refused_at_start(tmp_path: Path, case: str,
                                             monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("MODEL_URI", raising=False)
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "two" / "b.json").write_text("{}", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text("{}", encoding="utf-8")
    argv = {"missing-dir": ["--model-dir", str(tmp_path / "nope")],
            "empty-dir": ["--model-dir", str(tmp_path / "empty")],
            "two-files": ["--model-dir", str(tmp_path / "two")],
            "missing-file": ["--model-file", str(tmp_path / "nope.json")],
            "file-is-dir": ["--model-file", str(tmp_path / "two")],
            "nothing": []}[case]
    with caplog.at_level(logging.ERROR, logger="absa_pipeline.serving"):
        status = server_main.main([*argv, "--port", "0", "--host", "127.0.0.1"])
    assert status == 1
    (record,) = [r for r in caplog.records if r.name == "absa_pipeline.serving"]
    assert record.getMessage().startswith("refusing to start: ")


def test_a_directory_maps_to_its_model_file(tmp_path: Path, model_file: Path) -> None:
    (tmp_path / "model").write_bytes(model_file.read_bytes())
    (tmp_path / "README").write_text("x", encoding="utf-8")
    assert resolve_model_file(model_dir=tmp_path) == tmp_path / "model"
    only = tmp_path / "only"
    only.mkdir()
    (only / "model.json").write_bytes(model_file.read_bytes())
    (only / ".partial").write_text("x", encoding="utf-8")
    assert resolve_model_file(model_dir=only) == only / "model.json"
    with pytest.raises(ModelLoadError, match="exactly one of"):
        resolve_model_file(model_dir=tmp_path, model_file=tmp_path / "model")


def test_a_local_model_uri_is_served_when_no_option_is_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    corrupt = tmp_path / "model"
    corrupt.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("MODEL_URI", str(corrupt))
    with caplog.at_level(logging.ERROR, logger="absa_pipeline.serving"):
        assert server_main.main(["--port", "0", "--host", "127.0.0.1"]) == 1
    assert str(corrupt) in caplog.text  # it tried MODEL_URI's file


def test_a_taken_port_is_one_line(loaded: LoadedModel) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        port = blocker.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind_socket("127.0.0.1", port)
    finally:
        blocker.close()


def test_the_serving_package_never_imports_kfp() -> None:
    code = ("import sys, absa_pipeline.serving.app, absa_pipeline.serving.__main__; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'kfp', 'yaml', 'sklearn', 'numpy', 'scipy', 'google'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.stdout.strip() == "[]"


# --- serve-local -------------------------------------------------------------------------------

def make_runs(root: Path, model_file: Path) -> tuple[Path, Path]:
    old = root / "absa-pipeline-2026-01-01" / "build-model" / "model"
    new = root / "absa-pipeline-2026-01-02" / "build-model" / "model"
    for path, mtime in ((old, 1_700_000_000), (new, 1_800_000_000)):
        path.parent.mkdir(parents=True)
        path.write_bytes(model_file.read_bytes())
        os.utime(path, (mtime, mtime))
    return old, new


def test_serve_local_serves_the_newest_local_model(tmp_path: Path, model_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, new = make_runs(tmp_path / "local_outputs", model_file)
    assert newest_local_model(tmp_path / "local_outputs") == new
    served: dict[str, Any] = {}

    class FakeServer:
        def run(self, sockets: list[socket.socket]) -> None:
            served["port"] = sockets[0].getsockname()[1]
            for sock in sockets:
                sock.close()

    def fake_make_server(model: LoadedModel, log_level: str, access_log: bool) -> FakeServer:
        served["model"] = model
        return FakeServer()

    monkeypatch.setattr(app_module, "make_server", fake_make_server)
    result = CliRunner().invoke(serve_local_command, [
        "--pipeline-root", str(tmp_path / "local_outputs"), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert served["model"].path == new
    assert served["port"] > 0
    assert "/v1/models/absa:predict" in result.output


@pytest.mark.parametrize("case", ["no-runs", "corrupt", "missing"])
def test_serve_local_bad_input_is_one_line_exit_2(tmp_path: Path, case: str) -> None:
    (tmp_path / "corrupt").write_text("{}", encoding="utf-8")
    argv = {"no-runs": ["--pipeline-root", str(tmp_path / "local_outputs")],
            "corrupt": ["--model", str(tmp_path / "corrupt")],
            "missing": ["--model", str(tmp_path / "missing")]}[case]
    result = CliRunner().invoke(serve_local_command, [*argv, "--port", "0"])
    assert result.exit_code == 2
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and "--model" in error_lines[0]
    assert "Traceback" not in result.output


def test_serve_local_refuses_a_taken_port(tmp_path: Path, model_file: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    try:
        result = CliRunner().invoke(serve_local_command, [
            "--model", str(model_file), "--port", str(blocker.getsockname()[1])])
    finally:
        blocker.close()
    assert result.exit_code == 2
    assert "cannot listen on 127.0.0.1" in result.output


def test_parse_instance_rejects_a_non_mapping() -> None:
    with pytest.raises(BadRequest, match=r"instances\[3\] must be an object"):
        parse_instance("text", 3)


def test_the_listening_socket_says_tcp_so_asyncio_sets_nodelay() -> None:
    # asyncio sets TCP_NODELAY on accepted sockets only when the listener's proto is TCP;
    # without it every response waits for a delayed ACK (Nagle).
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()

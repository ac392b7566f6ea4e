"""The emulated KFP v2beta1 API server (store, HTTP handler, test hooks)."""

from __future__ import annotations

import copy
import datetime as _dt
import io
import json
import re
import socket
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy as _email_policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

from . import _errors as E
from ._cron import default_cron_validator
from ._listing import InvalidListRequest, ListSpec, paginate, parse_timestamp

API = "/apis/v2beta1"
DEFAULT_SERVICE_ACCOUNT = "pipeline-runner"
DEFAULT_EXPERIMENT_NAME = "Default"

Record = dict[str, Any]


class RecordedRequest(NamedTuple):
    """One request as received: ``(method, path, query)``; ``query`` keeps the last value."""

    method: str
    path: str
    query: dict[str, str]


@dataclass
class Fault:
    """A pending injected failure (see :meth:`KfpEmulator.fail`)."""

    method: str
    path_regex: re.Pattern[str]
    status: int
    remaining: int | None
    after_apply: bool
    message: str
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to ``method path`` (and still has shots left)."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method not in ("*", method):
            return False
        return self.path_regex.search(path) is not None


@dataclass
class Store:
    """In-memory state. Values are internal records (API fields + ``_``-prefixed bookkeeping).

    Mutate only while holding :attr:`KfpEmulator.lock`.
    """

    pipelines: dict[str, Record] = field(default_factory=dict)
    versions: dict[str, Record] = field(default_factory=dict)
    experiments: dict[str, Record] = field(default_factory=dict)
    recurring_runs: dict[str, Record] = field(default_factory=dict)
    seq: int = 0

    def clear(self) -> None:
        """Drop every object."""
        self.pipelines.clear()
        self.versions.clear()
        self.experiments.clear()
        self.recurring_runs.clear()


def _ts(sec: int) -> str:
    return _dt.datetime.fromtimestamp(sec, tz=_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    """Drop proto3 default values like protojson does (EmitUnpopulated=false)."""
    return {k: v for k, v in d.items() if v not in (None, "", {}, [], False)}


def _get(body: dict[str, Any], name: str) -> Any:
    """Read a proto field accepting both the proto name and its lowerCamel JSON name."""
    if name in body:
        return body[name]
    head, *rest = name.split("_")
    return body.get(head + "".join(p.title() for p in rest))


# ----------------------------------------------------------------------------- packages


def _load_yaml_docs(text: str) -> list[Any]:
    try:
        import yaml  # PyYAML: a declared dependency of the project and of kfp
    except ImportError:  # pragma: no cover - JSON packages still work
        return [json.loads(text)]
    return [d for d in yaml.safe_load_all(text) if d is not None]


def _is_platform_spec(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("platforms"), dict) and (
        "kubernetes" in doc["platforms"])


def spec_struct_from_text(text: str) -> dict[str, Any]:
    """Pipeline package text -> the ``pipeline_spec`` struct the API returns.

    Like ``YamlStringToPipelineSpecStruct``: the pipeline spec itself, or
    ``{"pipeline_spec": ..., "platform_spec": ...}`` when a Kubernetes platform spec follows.
    Raises ``ValueError`` when the text is not a KFP v2 pipeline spec.
    """
    try:
        docs = _load_yaml_docs(text)
    except Exception as exc:
        raise ValueError(f"failed to parse pipeline spec: {exc}") from None
    pipeline_spec: Any = None
    platform_spec: Any = None
    for doc in docs:
        if _is_platform_spec(doc):
            platform_spec = doc
        elif pipeline_spec is None:
            pipeline_spec = doc
    if not isinstance(pipeline_spec, dict) or "root" not in pipeline_spec or (
            "pipelineInfo" not in pipeline_spec):
        raise ValueError("unknown template format: pipeline spec is invalid")
    if platform_spec is not None:
        return {"pipeline_spec": pipeline_spec, "platform_spec": platform_spec}
    return pipeline_spec


def read_package(filename: str, data: bytes) -> str:
    """Read a YAML/JSON package, or the single file inside a .tar.gz/.zip package."""
    if data[:2] == b"\x1f\x8b":
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                files = [m for m in tar.getmembers() if m.isfile()]
                if len(files) != 1:
                    raise ValueError("Invalid package. Tarball should contain exactly one file")
                extracted = tar.extractfile(files[0])
                assert extracted is not None
                data = extracted.read()
        except tarfile.TarError as exc:
            raise ValueError(f"Invalid package: {exc}") from None
    elif data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise ValueError("Invalid package. Zip should contain exactly one file")
                data = zf.read(names[0])
        except zipfile.BadZipFile as exc:
            raise ValueError(f"Invalid package: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"Invalid package {filename}: not UTF-8 text") from None


def _spec_text(spec: dict[str, Any]) -> str:
    if "pipeline_spec" in spec and "platform_spec" in spec:
        return json.dumps(spec["pipeline_spec"]) + "\n---\n" + json.dumps(spec["platform_spec"])
    return json.dumps(spec)


MINIMAL_SPEC: dict[str, Any] = {
    "pipelineInfo": {"name": "emulator-seed"},
    "root": {"dag": {"tasks": {}}},
    "schemaVersion": "2.1.0",
    "sdkVersion": "kfp-emulator",
}


# ----------------------------------------------------------------------------- list specs

PIPELINE_LIST = ListSpec(
    fields={
        "id": lambda r: r["pipeline_id"],
        "pipeline_id": lambda r: r["pipeline_id"],
        "name": lambda r: r["name"],
        "display_name": lambda r: r["display_name"],
        "created_at": lambda r: r["_created"],
        "description": lambda r: r["description"],
        "namespace": lambda r: r["namespace"],
    },
    sortable={"": "created_at", "id": "id", "pipeline_id": "id", "name": "name",
              "display_name": "display_name", "created_at": "created_at",
              "description": "description", "namespace": "namespace"},
)
VERSION_LIST = ListSpec(
    fields={
        "id": lambda r: r["pipeline_version_id"],
        "pipeline_version_id": lambda r: r["pipeline_version_id"],
        "pipeline_id": lambda r: r["pipeline_id"],
        "name": lambda r: r["name"],
        "display_name": lambda r: r["display_name"],
        "created_at": lambda r: r["_created"],
        "description": lambda r: r["description"],
    },
    sortable={"": "created_at", "id": "id", "pipeline_version_id": "id", "name": "name",
              "display_name": "display_name", "created_at": "created_at"},
)
EXPERIMENT_LIST = ListSpec(
    fields={
        "id": lambda r: r["experiment_id"],
        "experiment_id": lambda r: r["experiment_id"],
        "name": lambda r: r["display_name"],
        "display_name": lambda r: r["display_name"],
        "created_at": lambda r: r["_created"],
        "last_run_created_at": lambda r: r["_last_run"],
        "description": lambda r: r["description"],
        "namespace": lambda r: r["namespace"],
        "storage_state": lambda r: r["storage_state"],
    },
    sortable={"": "created_at", "id": "id", "experiment_id": "id", "name": "name",
              "display_name": "display_name", "created_at": "created_at",
              "last_run_created_at": "last_run_created_at"},
)
JOB_LIST = ListSpec(
    fields={
        "id": lambda r: r["recurring_run_id"],
        "recurring_run_id": lambda r: r["recurring_run_id"],
        "name": lambda r: r["display_name"],
        "display_name": lambda r: r["display_name"],
        "created_at": lambda r: r["_created"],
        "updated_at": lambda r: r["_updated"],
        "description": lambda r: r["description"],
        "pipeline_version_id": lambda r: r["pipeline_version_id"],
        "pipeline_id": lambda r: r["pipeline_id"],
        "pipeline_name": lambda r: r["_pipeline_name"],
    },
    sortable={"": "created_at", "id": "id", "recurring_run_id": "id", "name": "name",
              "display_name": "display_name", "created_at": "created_at",
              "updated_at": "updated_at", "pipeline_id": "pipeline_id"},
)


# ----------------------------------------------------------------------------- emulator


class KfpEmulator:
    """Loopback emulator of the KFP v2beta1 REST API for ``kfp.Client`` / ``kfp_server_api``.

    Args:
        token: if set, every request (healthz included) must carry
            ``Authorization: Bearer <token>``; otherwise HTTP 401.
        multi_user: report ``multi_user: true`` from healthz and apply multi-user namespace
            rules (namespaces kept and filtered on). In single-user mode (default) the server,
            like the real one, erases namespaces of pipelines/experiments (``ReplaceNamespace``)
            and recurring runs live in ``pod_namespace``.
        cron_validator: ``Callable[[str], None]`` raising ``ValueError`` for an unsupported cron
            spec; defaults to :func:`default_cron_validator` (robfig/cron v1 syntax check).
            Can be replaced later via the ``cron_validator`` attribute.
        clock: returns the current time in epoch seconds (default ``time.time``); timestamps
            are truncated to whole seconds like the real server's ``*InSec`` columns.
        pod_namespace: namespace recurring runs get in single-user mode.
        host / port: bind address (always loopback; port 0 = ephemeral).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        multi_user: bool = False,
        cron_validator: Callable[[str], None] | None = None,
        clock: Callable[[], float] | None = None,
        pod_namespace: str = "kubeflow",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the emulator only binds to loopback")
        self.token = token
        self.multi_user = multi_user
        self.cron_validator: Callable[[str], None] = cron_validator or default_cron_validator
        self.clock: Callable[[], float] = clock or time.time
        self.pod_namespace = pod_namespace
        self.lock = threading.RLock()
        self.store = Store()
        self.requests: list[RecordedRequest] = []
        self.writes = 0
        self.write_attempts = 0
        self._faults: list[Fault] = []
        self._host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> KfpEmulator:
        """Start serving in a daemon thread; returns ``self``. Idempotent."""
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"emulator": self})
        server = ThreadingHTTPServer((self._host, self._port), handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="kfp-emulator",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket. Idempotent; state is kept."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> KfpEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (only valid while started)."""
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL to give ``kfp.Client(host=...)``, e.g. ``http://127.0.0.1:40123``."""
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ test hooks

    def reset_counters(self) -> None:
        """Clear :attr:`requests`, :attr:`writes` and :attr:`write_attempts`."""
        with self.lock:
            self.requests.clear()
            self.writes = 0
            self.write_attempts = 0

    def reset(self) -> None:
        """Drop all objects, counters and pending faults."""
        with self.lock:
            self.store.clear()
            self._faults.clear()
        self.reset_counters()

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        times: int | None = 1,
        after_apply: bool = False,
        message: str | None = None,
    ) -> Fault:
        """Make the next ``times`` matching requests fail with HTTP ``status``.

        ``method`` is an HTTP method or ``"*"``; ``path_regex`` is ``re.search``-ed against the
        URL path (no query string), e.g. ``r"/recurringruns$"``. ``times=None`` fails forever.
        With ``after_apply=False`` the request is rejected before touching the store; with
        ``after_apply=True`` it is applied (and counted in :attr:`writes`) and then the error is
        returned, simulating a lost response. The body is the backend's gRPC error JSON (or the
        upload endpoints' ``error_message`` JSON) with a gRPC code matching ``status``.
        """
        fault = Fault(method=method.upper(), path_regex=re.compile(path_regex), status=status,
                      remaining=times, after_apply=after_apply,
                      message=message or f"Injected failure (HTTP {status})")
        with self.lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Forget all pending injected failures."""
        with self.lock:
            self._faults.clear()

    # ------------------------------------------------------------------ inspection

    def pipelines(self) -> list[dict[str, Any]]:
        """All pipelines as the API renders them, oldest first."""
        with self.lock:
            return [self._render_pipeline(r) for r in _ordered(self.store.pipelines)]

    def pipeline_versions(self, pipeline_id: str | None = None) -> list[dict[str, Any]]:
        """All pipeline versions (optionally of one pipeline), oldest first, with spec."""
        with self.lock:
            return [self._render_version(r) for r in _ordered(self.store.versions)
                    if pipeline_id is None or r["pipeline_id"] == pipeline_id]

    def pipeline_package(self, pipeline_version_id: str) -> str:
        """The stored package text of a pipeline version (as uploaded)."""
        with self.lock:
            return str(self.store.versions[pipeline_version_id]["_raw"])

    def experiments(self) -> list[dict[str, Any]]:
        """All experiments as the API renders them, oldest first."""
        with self.lock:
            return [self._render_experiment(r) for r in _ordered(self.store.experiments)]

    def recurring_runs(self, experiment_id: str | None = None) -> list[dict[str, Any]]:
        """All recurring runs (optionally of one experiment) as rendered, oldest first."""
        with self.lock:
            return [self._render_job(r) for r in _ordered(self.store.recurring_runs)
                    if experiment_id is None or r["experiment_id"] == experiment_id]

    # ------------------------------------------------------------------ seeding

    def seed_pipelines(
        self,
        n: int,
        *,
        prefix: str = "seed-pipeline",
        namespace: str = "",
        versions_per_pipeline: int = 1,
        spec: dict[str, Any] | None = None,
    ) -> list[str]:
        """Insert ``n`` pipelines named ``{prefix}-{i}`` (each with versions) directly.

        Not counted in :attr:`requests`/:attr:`writes`. Returns the pipeline ids.
        """
        spec = spec or MINIMAL_SPEC
        raw = _spec_text(spec)
        ids = []
        with self.lock:
            for i in range(n):
                p = self._new_pipeline(f"{prefix}-{i:05d}", f"{prefix}-{i:05d}", "",
                                       self._ns(namespace), {})
                for v in range(versions_per_pipeline):
                    vname = p["name"] if v == 0 else f"{p['name']}-v{v}"
                    self._new_version(p["pipeline_id"], vname, vname, "", raw, spec, "", "", {})
                ids.append(p["pipeline_id"])
        return ids

    def seed_experiments(self, n: int, *, prefix: str = "seed-experiment",
                         namespace: str = "") -> list[str]:
        """Insert ``n`` experiments named ``{prefix}-{i}`` directly; returns their ids."""
        with self.lock:
            return [self._new_experiment(f"{prefix}-{i:05d}", "", self._ns(namespace))
                    ["experiment_id"] for i in range(n)]

    def seed_recurring_runs(
        self,
        n: int,
        experiment_id: str | None = None,
        *,
        prefix: str = "seed-recurring-run",
        pipeline_id: str | None = None,
        pipeline_version_id: str | None = None,
        cron: str | None = "0 0 0 * * *",
        interval_second: int | None = None,
        enabled: bool = True,
    ) -> list[str]:
        """Insert ``n`` recurring runs named ``{prefix}-{i}`` directly; returns their ids.

        Without ``experiment_id`` the ``Default`` experiment is used; without a pipeline
        reference the runs carry a minimal inline ``pipeline_spec``. Uses ``cron`` unless
        ``interval_second`` is given. No validation, not counted.
        """
        with self.lock:
            exp = self._experiment_for_job(experiment_id or "")
            trigger: dict[str, Any] = (
                {"periodic_schedule": {"interval_second": str(interval_second)}}
                if interval_second is not None else {"cron_schedule": {"cron": cron}})
            ids = []
            for i in range(n):
                rec = self._new_job(
                    display_name=f"{prefix}-{i:05d}", description="",
                    pipeline_id=pipeline_id or "", pipeline_version_id=pipeline_version_id or "",
                    pipeline_spec=None if (pipeline_id or pipeline_version_id) else MINIMAL_SPEC,
                    runtime_config={}, service_account=DEFAULT_SERVICE_ACCOUNT,
                    max_concurrency=1, trigger=copy.deepcopy(trigger), enabled=enabled,
                    no_catchup=False, namespace=self._job_namespace(exp),
                    experiment_id=exp["experiment_id"])
                ids.append(rec["recurring_run_id"])
            return ids

    # ------------------------------------------------------------------ internals: store

    def _now(self) -> int:
        return int(self.clock())

    def _next_seq(self) -> int:
        self.store.seq += 1
        return self.store.seq

    def _ns(self, namespace: str | None) -> str:
        """``ResourceManager.ReplaceNamespace``: single-user mode erases namespaces."""
        return (namespace or "") if self.multi_user else ""

    def _new_pipeline(self, name: str, display_name: str, description: str, namespace: str,
                      tags: dict[str, str]) -> Record:
        pid = str(uuid.uuid4())
        rec = {"_id": pid, "_seq": self._next_seq(), "_created": self._now(),
               "pipeline_id": pid, "name": name, "display_name": display_name,
               "description": description, "namespace": namespace, "tags": dict(tags)}
        self.store.pipelines[pid] = rec
        return rec

    def _new_version(self, pipeline_id: str, name: str, display_name: str, description: str,
                     raw: str, spec: dict[str, Any], package_url: str, code_source_url: str,
                     tags: dict[str, str]) -> Record:
        vid = str(uuid.uuid4())
        rec = {"_id": vid, "_seq": self._next_seq(), "_created": self._now(),
               "pipeline_id": pipeline_id, "pipeline_version_id": vid, "name": name,
               "display_name": display_name, "description": description, "_raw": raw,
               "_spec": spec, "package_url": package_url, "code_source_url": code_source_url,
               "tags": dict(tags)}
        self.store.versions[vid] = rec
        return rec

    def _new_experiment(self, name: str, description: str, namespace: str) -> Record:
        eid = str(uuid.uuid4())
        rec = {"_id": eid, "_seq": self._next_seq(), "_created": self._now(), "_last_run": 0,
               "experiment_id": eid, "display_name": name, "description": description,
               "namespace": namespace, "storage_state": "AVAILABLE"}
        self.store.experiments[eid] = rec
        return rec

    def _new_job(self, **fields: Any) -> Record:
        jid = str(uuid.uuid4())
        now = self._now()
        rec: Record = {"_id": jid, "_seq": self._next_seq(), "_created": now, "_updated": now,
                       "recurring_run_id": jid, **fields}
        vid = rec["pipeline_version_id"]
        rec["_pipeline_name"] = (
            f"namespaces/{rec['namespace']}/pipelines/{vid}" if vid and rec["namespace"]
            else f"pipelines/{vid}" if vid else "")
        self.store.recurring_runs[jid] = rec
        return rec

    def _latest_version(self, pipeline_id: str) -> Record | None:
        versions = [v for v in self.store.versions.values() if v["pipeline_id"] == pipeline_id]
        return max(versions, key=lambda v: (v["_created"], v["_seq"])) if versions else None

    def _experiment_for_job(self, experiment_id: str) -> Record:
        if experiment_id:
            exp = self.store.experiments.get(experiment_id)
            if exp is None:
                raise E.not_found("Experiment", experiment_id,
                                  "Failed to create a recurring run due to invalid experimentId "
                                  "and namespace combination")
            return exp
        for exp in self.store.experiments.values():
            if exp.get("_default"):
                return exp
        exp = self._new_experiment(DEFAULT_EXPERIMENT_NAME,
                                   "All runs created without specifying an experiment will be "
                                   "grouped here.", "")
        exp["_default"] = True
        return exp

    def _job_namespace(self, exp: Record) -> str:
        return exp["namespace"] or self.pod_namespace

    # ------------------------------------------------------------------ rendering

    def _render_pipeline(self, r: Record) -> dict[str, Any]:
        return _prune({
            "pipeline_id": r["pipeline_id"], "display_name": r["display_name"],
            "name": r["name"], "description": r["description"],
            "created_at": _ts(r["_created"]), "namespace": r["namespace"], "tags": r["tags"],
        })

    def _render_version(self, r: Record) -> dict[str, Any]:
        return _prune({
            "pipeline_id": r["pipeline_id"], "pipeline_version_id": r["pipeline_version_id"],
            "display_name": r["display_name"], "name": r["name"],
            "description": r["description"], "created_at": _ts(r["_created"]),
            "package_url": {"pipeline_url": r["package_url"]} if r["package_url"] else None,
            "code_source_url": r["code_source_url"],
            "pipeline_spec": copy.deepcopy(r["_spec"]), "tags": r["tags"],
        })

    def _render_experiment(self, r: Record) -> dict[str, Any]:
        out = _prune({
            "experiment_id": r["experiment_id"], "display_name": r["display_name"],
            "description": r["description"], "created_at": _ts(r["_created"]),
            "namespace": r["namespace"], "storage_state": r["storage_state"],
        })
        out["last_run_created_at"] = _ts(r["_last_run"])
        return out

    def _render_job(self, r: Record) -> dict[str, Any]:
        out: dict[str, Any] = {
            "recurring_run_id": r["recurring_run_id"], "display_name": r["display_name"],
            "description": r["description"],
        }
        if r["pipeline_id"] or r["pipeline_version_id"]:
            out["pipeline_version_reference"] = _prune({
                "pipeline_id": r["pipeline_id"],
                "pipeline_version_id": r["pipeline_version_id"]})
        elif r["pipeline_spec"]:
            out["pipeline_spec"] = copy.deepcopy(r["pipeline_spec"])
        out.update({
            "runtime_config": _prune(copy.deepcopy(r["runtime_config"])),
            "service_account": r["service_account"],
            "max_concurrency": str(r["max_concurrency"]),
            "trigger": copy.deepcopy(r["trigger"]),
            "mode": "ENABLE" if r["enabled"] else "DISABLE",
            "created_at": _ts(r["_created"]), "updated_at": _ts(r["_updated"]),
            "status": "ENABLED" if r["enabled"] else "DISABLED",
            "no_catchup": r["no_catchup"], "namespace": r["namespace"],
            "experiment_id": r["experiment_id"],
        })
        return _prune(out)

    # ------------------------------------------------------------------ request entry point

    def _dispatch(self, method: str, raw_path: str, headers: Any,
                  body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        split = urllib.parse.urlsplit(raw_path)
        path = split.path
        multi_query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in multi_query.items()}
        with self.lock:
            self.requests.append(RecordedRequest(method, path, dict(query)))
            if method != "GET":
                self.write_attempts += 1
            if self.token is not None:
                auth = headers.get("Authorization") or ""
                if auth != f"Bearer {self.token}":
                    err = E.ApiError(E.UNAUTHENTICATED, "Unauthenticated: missing or invalid "
                                     "bearer token", "Unauthenticated")
                    return 401, err.grpc_body(), {"WWW-Authenticate": "Bearer"}
            route = _match_route(method, path)
            if route is None:
                known = any(rx.match(path) for _, rx, _, _ in _ROUTES)
                err = (E.ApiError(E.UNIMPLEMENTED, f"Method Not Allowed: {method} {path}",
                                  http_status=405) if known else
                       E.ApiError(E.NOT_FOUND, f"Not Found: {path}"))
                return err.http_status, err.grpc_body(), {}
            name, args, upload = route
            fault = next((f for f in self._faults if f.matches(method, path)), None)
            if fault is not None:
                fault.hits += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                if fault.after_apply:
                    try:
                        getattr(self, name)(args, query, headers, body)
                        if method != "GET":
                            self.writes += 1
                    except E.ApiError:
                        pass
                code = E.CODE_FROM_HTTP.get(fault.status, E.UNKNOWN)
                err = E.ApiError(code, fault.message, http_status=fault.status)
                return fault.status, err.upload_body() if upload else err.grpc_body(), {}
            try:
                result = getattr(self, name)(args, query, headers, body)
            except E.ApiError as err:
                return err.http_status, err.upload_body() if upload else err.grpc_body(), {}
            if method != "GET":
                self.writes += 1
            return 200, result, {}

    # ------------------------------------------------------------------ handlers: misc

    def _h_healthz(self, args: list[str], q: dict[str, str], h: Any, b: bytes) -> dict[str, Any]:
        return _prune({"commit_sha": "kfp-emulator", "tag_name": "2.17.3-emulator",
                       "multi_user": self.multi_user, "pipeline_store": "database"})

    def _h_unimplemented(self, args: list[str], q: dict[str, str], h: Any,
                         b: bytes) -> dict[str, Any]:
        raise E.ApiError(E.UNIMPLEMENTED, "not implemented by the kfp emulator")

    # ------------------------------------------------------------------ handlers: pipelines

    def _parse_upload(self, headers: Any, body: bytes, ctx: str) -> tuple[str, str]:
        ctype = headers.get("Content-Type") or ""
        if not ctype.lower().startswith("multipart/form-data"):
            raise E.ApiError(E.INVALID_ARGUMENT, ctx, http_status=400)
        msg = BytesParser(policy=_email_policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body)
        for part in msg.iter_parts():
            if part.get_param("name", header="content-disposition") == "uploadfile":
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                return part.get_filename() or "pipeline.yaml", read_package(
                    part.get_filename() or "", data)
        raise E.ApiError(E.INVALID_ARGUMENT, ctx, http_status=400)

    @staticmethod
    def _build_name(name: str, display_name: str, filename: str) -> str:
        return name or display_name or filename

    @staticmethod
    def _tags(q: dict[str, str]) -> dict[str, str]:
        if not q.get("tags"):
            return {}
        try:
            tags = json.loads(q["tags"])
        except json.JSONDecodeError:
            tags = None
        if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
            raise E.ApiError(E.INVALID_ARGUMENT, "Failed to parse tags query parameter. "
                             "Expected JSON object with string keys and values")
        return tags

    def _check_pipeline_name_free(self, name: str, namespace: str, ctx: str) -> None:
        for p in self.store.pipelines.values():
            if p["name"] == name and p["namespace"] == namespace:
                raise E.already_exists(
                    f"Failed to create a new pipeline. The name {name} already exists. "
                    "Please specify a new name", ctx)

    def _check_version_name_free(self, pipeline_id: str, name: str, ctx: str) -> None:
        for v in self.store.versions.values():
            if v["pipeline_id"] == pipeline_id and v["name"] == name:
                raise E.already_exists(
                    f"Failed to create a new pipeline version. The name {name} already exist. "
                    "Please specify a new name", ctx)

    def _h_upload_pipeline(self, args: list[str], q: dict[str, str], h: Any,
                           b: bytes) -> dict[str, Any]:
        try:
            filename, text = self._parse_upload(h, b, "Failed to read pipeline from file")
        except ValueError:
            raise E.ApiError(E.INVALID_ARGUMENT, "Failed to read a pipeline spec file") from None
        try:
            spec = spec_struct_from_text(text)
        except ValueError as exc:
            raise E.invalid(f"Failed to create a pipeline version: {exc}") from None
        name = self._build_name(q.get("name", ""), q.get("display_name", ""), filename)
        display_name = q.get("display_name") or name
        namespace = self._ns(q.get("namespace"))
        tags = self._tags(q)
        try:
            self._check_pipeline_name_free(name, namespace, "")
        except E.ApiError:
            raise E.ApiError(E.ALREADY_EXISTS,
                             "Failed to create a pipeline and a pipeline version") from None
        p = self._new_pipeline(name, display_name, q.get("description", ""), namespace, tags)
        self._new_version(p["pipeline_id"], name, display_name, q.get("description", ""), text,
                          spec, "", q.get("code_source_url", ""), {})
        return self._render_pipeline(p)

    def _h_upload_version(self, args: list[str], q: dict[str, str], h: Any,
                          b: bytes) -> dict[str, Any]:
        ctx = "Failed to create a pipeline version"
        try:
            filename, text = self._parse_upload(h, b, ctx)
        except ValueError:
            raise E.ApiError(E.INVALID_ARGUMENT, ctx) from None
        pipeline_id = q.get("pipelineid", "")
        if not pipeline_id or pipeline_id not in self.store.pipelines:
            raise E.ApiError(E.INVALID_ARGUMENT, ctx)
        try:
            spec = spec_struct_from_text(text)
        except ValueError as exc:
            raise E.invalid(f"{ctx}: {exc}") from None
        name = self._build_name(q.get("name", ""), q.get("display_name", ""), filename)
        display_name = q.get("display_name") or name
        tags = self._tags(q)
        try:
            self._check_version_name_free(pipeline_id, name, "")
        except E.ApiError:
            raise E.ApiError(E.ALREADY_EXISTS, ctx) from None
        v = self._new_version(pipeline_id, name, display_name, q.get("description", ""), text,
                              spec, "", q.get("code_source_url", ""), tags)
        return self._render_version(v)

    def _spec_from_version_body(self, body: dict[str, Any], ctx: str) -> tuple[str, dict[str, Any],
                                                                              str]:
        """Resolve a PipelineVersion body's package: inline pipeline_spec or package_url."""
        inline = _get(body, "pipeline_spec")
        if isinstance(inline, dict) and inline:
            return _spec_text(inline), inline, ""
        url = (_get(body, "package_url") or {}).get("pipeline_url") or (
            _get(body, "package_url") or {}).get("pipelineUrl") or ""
        if not url:
            raise E.invalid("Failed to create a pipeline version due to missing pipeline URL",
                            ctx)
        parsed = urllib.parse.urlsplit(url)
        try:
            if parsed.scheme == "file":
                with open(urllib.request.url2pathname(parsed.path), "rb") as fh:
                    data = fh.read()
            elif parsed.scheme in ("http", "https") and parsed.hostname in (
                    "127.0.0.1", "localhost", "::1"):
                with urllib.request.urlopen(url, timeout=5) as resp:
                    data = resp.read()
            else:
                raise E.invalid("Pipeline URL validation failed (the emulator only fetches "
                                "file:// and loopback URLs)", ctx)
            text = read_package(parsed.path, data)
            spec = spec_struct_from_text(text)
        except (OSError, ValueError) as exc:
            raise E.invalid(f"error fetching pipeline spec from {url}: {exc}", ctx) from None
        return text, spec, url

    def _h_create_pipeline(self, args: list[str], q: dict[str, str], h: Any,
                           b: bytes) -> dict[str, Any]:
        ctx = "Failed to create a pipeline due to server error"
        body = _json_body(b)
        name = _get(body, "name") or _get(body, "display_name") or ""
        display_name = _get(body, "display_name") or name
        if not name:
            raise E.invalid("name is required", ctx)
        namespace = self._ns(_get(body, "namespace"))
        self._check_pipeline_name_free(name, namespace, ctx)
        p = self._new_pipeline(name, display_name, _get(body, "description") or "", namespace,
                               _get(body, "tags") or {})
        return self._render_pipeline(p)

    def _h_create_pipeline_and_version(self, args: list[str], q: dict[str, str], h: Any,
                                       b: bytes) -> dict[str, Any]:
        ctx = "Failed to create a pipeline and a pipeline version"
        body = _json_body(b)
        pbody = _get(body, "pipeline") or {}
        vbody = _get(body, "pipeline_version") or {}
        text, spec, url = self._spec_from_version_body(vbody, ctx)
        filename = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1] if url else ""
        name = self._build_name(_get(pbody, "name") or "", _get(pbody, "display_name") or "",
                                filename)
        if not name:
            raise E.invalid("name is required", ctx)
        display_name = _get(pbody, "display_name") or name
        namespace = self._ns(_get(pbody, "namespace"))
        self._check_pipeline_name_free(name, namespace, ctx)
        desc = _get(pbody, "description") or ""
        p = self._new_pipeline(name, display_name, desc, namespace, _get(pbody, "tags") or {})
        self._new_version(p["pipeline_id"], name, display_name, desc, text, spec, url,
                          _get(vbody, "code_source_url") or "", _get(vbody, "tags") or {})
        return self._render_pipeline(p)

    def _get_pipeline_rec(self, pipeline_id: str, ctx: str) -> Record:
        rec = self.store.pipelines.get(pipeline_id)
        if rec is None:
            raise E.not_found("Pipeline", pipeline_id, ctx)
        return rec

    def _h_get_pipeline(self, args: list[str], q: dict[str, str], h: Any,
                        b: bytes) -> dict[str, Any]:
        pid = args[0]
        return self._render_pipeline(self._get_pipeline_rec(
            pid, f"Failed to get a pipeline {pid}. Check error stack"))

    def _h_get_pipeline_by_name(self, args: list[str], q: dict[str, str], h: Any,
                                b: bytes) -> dict[str, Any]:
        name, namespace = args[0], self._ns(q.get("namespace"))
        for p in self.store.pipelines.values():
            if p["name"] == name and p["namespace"] == namespace:
                return self._render_pipeline(p)
        raise E.not_found("Namespace/Pipeline", f"{namespace}/{name}",
                          f"Failed to get a pipeline with name {name} and namespace "
                          f"{namespace}. Check error stack.")

    def _h_list_pipelines(self, args: list[str], q: dict[str, str], h: Any,
                          b: bytes) -> dict[str, Any]:
        namespace = self._ns(q.get("namespace"))
        records = [p for p in self.store.pipelines.values()
                   if not self.multi_user or p["namespace"] == namespace]
        page, total, token = _list(records, PIPELINE_LIST, q, "Failed to list pipelines due "
                                   "invalid list options")
        return _prune({"pipelines": [self._render_pipeline(p) for p in page],
                       "total_size": total, "next_page_token": token})

    def _h_delete_pipeline(self, args: list[str], q: dict[str, str], h: Any,
                           b: bytes) -> dict[str, Any]:
        pid = args[0]
        ctx = f"Failed to delete pipeline {pid}. Check error stack"
        self._get_pipeline_rec(pid, ctx)
        versions = [v for v in self.store.versions.values() if v["pipeline_id"] == pid]
        if versions and q.get("cascade", "").lower() not in ("true", "1"):
            raise E.failed_precondition(
                f"Pipeline {pid} has pipeline versions. Delete them first or set cascade=true",
                ctx)
        for v in versions:
            del self.store.versions[v["pipeline_version_id"]]
        del self.store.pipelines[pid]
        return {}

    def _h_create_version(self, args: list[str], q: dict[str, str], h: Any,
                          b: bytes) -> dict[str, Any]:
        pid = args[0]
        ctx = "Failed to create a pipeline version"
        body = _json_body(b)
        self._get_pipeline_rec(pid, ctx)
        body_pid = _get(body, "pipeline_id")
        if body_pid and body_pid != pid:
            raise E.invalid(f"Pipeline id in the request ({pid}) does not match the pipeline id "
                            f"of the pipeline version ({body_pid})", ctx)
        text, spec, url = self._spec_from_version_body(body, ctx)
        filename = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1] if url else ""
        name = self._build_name(_get(body, "name") or "", _get(body, "display_name") or "",
                                filename)
        if not name:
            raise E.invalid("Pipeline version name is required", ctx)
        self._check_version_name_free(pid, name, ctx)
        v = self._new_version(pid, name, _get(body, "display_name") or name,
                              _get(body, "description") or "", text, spec, url,
                              _get(body, "code_source_url") or "", _get(body, "tags") or {})
        return self._render_version(v)

    def _h_list_versions(self, args: list[str], q: dict[str, str], h: Any,
                         b: bytes) -> dict[str, Any]:
        pid = args[0]
        records = [v for v in self.store.versions.values() if v["pipeline_id"] == pid]
        page, total, token = _list(records, VERSION_LIST, q, "Failed to list pipeline versions")
        return _prune({"pipeline_versions": [self._render_version(v) for v in page],
                       "total_size": total, "next_page_token": token})

    def _get_version_rec(self, vid: str, ctx: str) -> Record:
        rec = self.store.versions.get(vid)
        if rec is None:
            raise E.not_found("PipelineVersion", vid, ctx)
        return rec

    def _h_get_version(self, args: list[str], q: dict[str, str], h: Any,
                       b: bytes) -> dict[str, Any]:
        vid = args[1]
        return self._render_version(self._get_version_rec(
            vid, f"Failed to get a pipeline version {vid}"))

    def _h_delete_version(self, args: list[str], q: dict[str, str], h: Any,
                          b: bytes) -> dict[str, Any]:
        vid = args[1]
        self._get_version_rec(vid, f"Failed to delete a pipeline version {vid}")
        del self.store.versions[vid]
        return {}

    # ------------------------------------------------------------------ handlers: experiments

    def _h_create_experiment(self, args: list[str], q: dict[str, str], h: Any,
                             b: bytes) -> dict[str, Any]:
        ctx = "Failed to create an experiment"
        body = _json_body(b)
        name = _get(body, "display_name") or _get(body, "name") or ""
        if not name:
            raise E.invalid("Experiment name is empty. Please specify a valid experiment name",
                            ctx)
        namespace = self._ns(_get(body, "namespace"))
        if self.multi_user and not namespace:
            raise E.invalid("Experiment cannot have an empty namespace in multi-user mode", ctx)
        for e in self.store.experiments.values():
            if e["display_name"] == name and e["namespace"] == namespace:
                raise E.already_exists(
                    f"Failed to create a new experiment. The name {name} already exists. "
                    "Please specify a new name", ctx)
        return self._render_experiment(
            self._new_experiment(name, _get(body, "description") or "", namespace))

    def _get_experiment_rec(self, eid: str, ctx: str) -> Record:
        rec = self.store.experiments.get(eid)
        if rec is None:
            raise E.not_found("Experiment", eid, ctx)
        return rec

    def _h_get_experiment(self, args: list[str], q: dict[str, str], h: Any,
                          b: bytes) -> dict[str, Any]:
        eid = args[0]
        return self._render_experiment(
            self._get_experiment_rec(eid, f"Failed to fetch experiment {eid}"))

    def _h_list_experiments(self, args: list[str], q: dict[str, str], h: Any,
                            b: bytes) -> dict[str, Any]:
        ctx = "Failed to list experiments"
        namespace = self._ns(q.get("namespace"))
        if self.multi_user and not namespace:
            raise E.invalid("In multi-user mode, ListExperiment cannot filter by empty "
                            "namespace", ctx)
        records = [e for e in self.store.experiments.values()
                   if not self.multi_user or e["namespace"] == namespace]
        page, total, token = _list(records, EXPERIMENT_LIST, q, ctx)
        return _prune({"experiments": [self._render_experiment(e) for e in page],
                       "total_size": total, "next_page_token": token})

    def _h_delete_experiment(self, args: list[str], q: dict[str, str], h: Any,
                             b: bytes) -> dict[str, Any]:
        eid = args[0]
        self._get_experiment_rec(eid, f"Failed to delete experiment {eid}")
        del self.store.experiments[eid]
        return {}

    def _set_experiment_state(self, eid: str, state: str) -> dict[str, Any]:
        exp = self._get_experiment_rec(eid, f"Failed to change storage state of experiment {eid}")
        exp["storage_state"] = state
        if state == "ARCHIVED":  # archiving an experiment disables its recurring runs
            now = self._now()
            for job in self.store.recurring_runs.values():
                if job["experiment_id"] == eid and job["enabled"]:
                    job["enabled"] = False
                    job["_updated"] = now
        return {}

    def _h_archive_experiment(self, args: list[str], q: dict[str, str], h: Any,
                              b: bytes) -> dict[str, Any]:
        return self._set_experiment_state(args[0], "ARCHIVED")

    def _h_unarchive_experiment(self, args: list[str], q: dict[str, str], h: Any,
                                b: bytes) -> dict[str, Any]:
        return self._set_experiment_state(args[0], "AVAILABLE")

    # ------------------------------------------------------------------ handlers: recurring runs

    def _h_create_job(self, args: list[str], q: dict[str, str], h: Any,
                      b: bytes) -> dict[str, Any]:
        ctx = "Failed to create a recurring run"
        body = _json_body(b)
        # toModelJob() validations, in the backend's order.
        spec = _get(body, "pipeline_spec")
        if spec is not None and not isinstance(spec, dict):
            raise E.invalid("pipeline_spec must be a JSON object", ctx)
        ref = _get(body, "pipeline_version_reference") or {}
        if not isinstance(ref, dict):
            raise E.invalid("pipeline_version_reference must be a JSON object", ctx)
        if spec and ref:
            raise E.invalid("only one of pipeline_spec or pipeline_version_reference can be "
                            "set (oneof pipeline_source)", ctx)
        pipeline_id = _get(ref, "pipeline_id") or ""
        pipeline_version_id = _get(ref, "pipeline_version_id") or _get(
            body, "pipeline_version_id") or ""
        runtime_config = _get(body, "runtime_config") or {}
        if not isinstance(runtime_config, dict) or not isinstance(
                _get(runtime_config, "parameters") or {}, dict):
            raise E.invalid("runtime_config.parameters must be a JSON object", ctx)
        runtime_config = {"parameters": _get(runtime_config, "parameters") or {},
                          "pipeline_root": _get(runtime_config, "pipeline_root") or ""}
        display_name = _get(body, "display_name") or ""
        if not display_name:
            raise E.internal("Failed to convert a API recurring run to its internal "
                             "representation", "Invalid input error: Recurring run's name "
                             "cannot be empty")
        enabled = _parse_mode(_get(body, "mode"))
        max_concurrency = _parse_int64(_get(body, "max_concurrency"), "max_concurrency", ctx)
        trigger = self._parse_trigger(_get(body, "trigger"), ctx)
        if max_concurrency > 10 or max_concurrency < 1:
            raise E.invalid("Max concurrency of a recurring run must be at least 1 and at most "
                            f"10. Received {max_concurrency}", ctx)
        cron = trigger.get("cron_schedule", {}).get("cron")
        if "cron_schedule" in trigger:
            try:
                self.cron_validator(cron or "")
            except ValueError as exc:
                raise E.invalid("Schedule cron is not a supported format"
                                f"(https://godoc.org/github.com/robfig/cron). Error: {exc}",
                                ctx) from None
        if "periodic_schedule" in trigger:
            interval = trigger["periodic_schedule"]["interval_second"]
            if interval < 1:
                raise E.invalid(f"Found invalid period schedule interval {interval}. Set at "
                                "interval to least 1 second", ctx)
            trigger["periodic_schedule"]["interval_second"] = str(interval)
        # createJob(): experiment / namespace.
        exp = self._experiment_for_job(_get(body, "experiment_id") or "")
        req_ns = _get(body, "namespace") or ""
        if self.multi_user and req_ns and exp["namespace"] and req_ns != exp["namespace"]:
            raise E.invalid(f"Experiment {exp['experiment_id']} belongs to namespace "
                            f"{exp['namespace']} (not {req_ns})",
                            "Failed to create a recurring run due to invalid experimentId and "
                            "namespace combination")
        namespace = self._job_namespace(exp)
        # ResourceManager.CreateJob(): pipeline source.
        if pipeline_version_id or spec:
            if pipeline_version_id:
                version = self.store.versions.get(pipeline_version_id)
                if version is None:
                    raise E.internal("Failed to create a recurring run with an invalid pipeline "
                                     "spec manifest", f"Failed to fetch a pipeline version and "
                                     f"its manifest from pipeline version {pipeline_version_id}: "
                                     f"ResourceNotFoundError: PipelineVersion "
                                     f"{pipeline_version_id} not found.")
                if pipeline_id and version["pipeline_id"] != pipeline_id:
                    raise E.internal("Failed to create a recurring run with an invalid pipeline "
                                     "spec manifest", f"Invalid input error: Pipeline version "
                                     f"{pipeline_version_id} belongs to pipeline "
                                     f"{version['pipeline_id']} (not {pipeline_id})")
                pipeline_id = pipeline_id or version["pipeline_id"]
        elif not pipeline_id:
            raise E.ApiError(E.INTERNAL, "Internal error: Cannot create a job with an empty "
                             "pipeline ID", "Internal error: Cannot create a job with an empty "
                             "pipeline ID")
        else:
            if pipeline_id not in self.store.pipelines or self._latest_version(
                    pipeline_id) is None:
                raise E.not_found("Pipeline", pipeline_id, f"{ctx}: Failed to validate the "
                                  "input parameters on the latest pipeline version")
        rec = self._new_job(
            display_name=display_name, description=_get(body, "description") or "",
            pipeline_id=pipeline_id, pipeline_version_id=pipeline_version_id,
            pipeline_spec=copy.deepcopy(spec) if spec and not pipeline_version_id else None,
            runtime_config=runtime_config,
            service_account=_get(body, "service_account") or DEFAULT_SERVICE_ACCOUNT,
            max_concurrency=max_concurrency, trigger=trigger, enabled=enabled,
            no_catchup=bool(_get(body, "no_catchup")), namespace=namespace,
            experiment_id=exp["experiment_id"])
        return self._render_job(rec)

    def _parse_trigger(self, raw: Any, ctx: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raw = {}
        cron = _get(raw, "cron_schedule")
        periodic = _get(raw, "periodic_schedule")
        if cron is not None and periodic is not None:
            raise E.invalid("trigger: only one of cron_schedule or periodic_schedule can be "
                            "set (oneof trigger)", ctx)
        if cron is None and periodic is None:
            raise E.invalid("trigger must have a cron_schedule or a periodic_schedule", ctx)
        kind, sched = ("cron_schedule", cron) if cron is not None else (
            "periodic_schedule", periodic)
        if not isinstance(sched, dict):
            raise E.invalid(f"trigger.{kind} must be a JSON object", ctx)
        out: dict[str, Any] = {}
        for tfield in ("start_time", "end_time"):
            value = _get(sched, tfield)
            if value:
                try:
                    out[tfield] = _ts(parse_timestamp(value))
                except InvalidListRequest:
                    raise E.invalid(f"trigger.{kind}.{tfield}: invalid timestamp {value!r}",
                                    ctx) from None
        if kind == "cron_schedule":
            cron_value = _get(sched, "cron")
            out["cron"] = "" if cron_value is None else str(cron_value)
        else:
            out["interval_second"] = _parse_int64(_get(sched, "interval_second"),
                                                  "interval_second", ctx)
        return {kind: out}

    def _get_job_rec(self, jid: str, ctx: str) -> Record:
        rec = self.store.recurring_runs.get(jid)
        if rec is None:
            raise E.not_found("Job", jid, ctx)
        return rec

    def _h_get_job(self, args: list[str], q: dict[str, str], h: Any,
                   b: bytes) -> dict[str, Any]:
        return self._render_job(self._get_job_rec(args[0], "Failed to fetch a recurring run"))

    def _h_list_jobs(self, args: list[str], q: dict[str, str], h: Any,
                     b: bytes) -> dict[str, Any]:
        ctx = "Failed to list jobs"
        experiment_id = q.get("experiment_id", "")
        records = list(self.store.recurring_runs.values())
        if experiment_id:
            self._get_experiment_rec(experiment_id, f"{ctx}: Failed to list recurring runs due "
                                     "to error fetching namespace for experiment "
                                     f"{experiment_id}. Try filtering based on namespace")
            records = [r for r in records if r["experiment_id"] == experiment_id]
        elif self.multi_user:
            namespace = self._ns(q.get("namespace"))
            if namespace:
                records = [r for r in records if r["namespace"] == namespace]
        page, total, token = _list(records, JOB_LIST, q, "Failed to list recurring runs due to "
                                   "error parsing the listing options")
        # ListRecurringRunsResponse's proto field is literally named ``recurringRuns``.
        return _prune({"recurringRuns": [self._render_job(r) for r in page],
                       "total_size": total, "next_page_token": token})

    def _set_job_mode(self, jid: str, enable: bool) -> dict[str, Any]:
        rec = self._get_job_rec(jid, f"Failed to {'enable' if enable else 'disable'} a "
                                "recurring run: Failed to change recurring run's mode to "
                                f"enable:{str(enable).lower()}. Check if recurring run {jid} "
                                "exists")
        rec["enabled"] = enable
        rec["_updated"] = self._now()
        return {}

    def _h_enable_job(self, args: list[str], q: dict[str, str], h: Any,
                      b: bytes) -> dict[str, Any]:
        return self._set_job_mode(args[0], True)

    def _h_disable_job(self, args: list[str], q: dict[str, str], h: Any,
                       b: bytes) -> dict[str, Any]:
        return self._set_job_mode(args[0], False)

    def _h_delete_job(self, args: list[str], q: dict[str, str], h: Any,
                      b: bytes) -> dict[str, Any]:
        jid = args[0]
        self._get_job_rec(jid, f"Failed to delete a recurring run: Failed to delete recurring "
                          f"run {jid}. Check if exists")
        del self.store.recurring_runs[jid]
        return {}


# ----------------------------------------------------------------------------- helpers


def _ordered(d: dict[str, Record]) -> list[Record]:
    return sorted(d.values(), key=lambda r: r["_seq"])


def _json_body(b: bytes) -> dict[str, Any]:
    if not b.strip():
        return {}
    try:
        body = json.loads(b)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise E.ApiError(E.INVALID_ARGUMENT, f"proto: syntax error: {exc}") from None
    if not isinstance(body, dict):
        raise E.ApiError(E.INVALID_ARGUMENT, "proto: request body must be a JSON object")
    return body


def _parse_int64(value: Any, name: str, ctx: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise E.invalid(f"invalid value for int64 field {name}: {value!r}", ctx)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise E.invalid(f"invalid value for int64 field {name}: {value!r}", ctx)


def _parse_mode(value: Any) -> bool:
    if value in (None, "", 0, "MODE_UNSPECIFIED", 2, "DISABLE"):
        return False
    if value in (1, "ENABLE"):
        return True
    raise E.ApiError(E.INVALID_ARGUMENT, f"proto: invalid value for enum type "
                     f"kubeflow.pipelines.backend.api.v2beta1.RecurringRun.Mode: {value!r}")


def _list(records: list[Record], spec: ListSpec, q: dict[str, str],
          ctx: str) -> tuple[list[Record], int, str]:
    try:
        page_size = int(q.get("page_size") or 0)
    except ValueError:
        raise E.ApiError(E.INVALID_ARGUMENT, f"invalid page_size {q.get('page_size')!r}") from None
    try:
        return paginate(records, spec, page_token=q.get("page_token", ""), page_size=page_size,
                        sort_by=q.get("sort_by", ""), filter_spec=q.get("filter", ""))
    except InvalidListRequest as exc:
        raise E.invalid(str(exc), ctx) from None


_ID = r"([^/:]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str, bool]] = [
    (m, re.compile(f"^{API}{p}$"), h, up) for m, p, h, up in [
        ("GET", "/healthz", "_h_healthz", False),
        ("POST", "/pipelines/upload", "_h_upload_pipeline", True),
        ("POST", "/pipelines/upload_version", "_h_upload_version", True),
        ("POST", "/pipelines/create", "_h_create_pipeline_and_version", False),
        ("GET", f"/pipelines/names/{_ID}", "_h_get_pipeline_by_name", False),
        ("POST", "/pipelines", "_h_create_pipeline", False),
        ("GET", "/pipelines", "_h_list_pipelines", False),
        ("GET", f"/pipelines/{_ID}", "_h_get_pipeline", False),
        ("DELETE", f"/pipelines/{_ID}", "_h_delete_pipeline", False),
        ("POST", f"/pipelines/{_ID}/versions", "_h_create_version", False),
        ("GET", f"/pipelines/{_ID}/versions", "_h_list_versions", False),
        ("GET", f"/pipelines/{_ID}/versions/{_ID}", "_h_get_version", False),
        ("DELETE", f"/pipelines/{_ID}/versions/{_ID}", "_h_delete_version", False),
        ("POST", "/experiments", "_h_create_experiment", False),
        ("GET", "/experiments", "_h_list_experiments", False),
        ("GET", f"/experiments/{_ID}", "_h_get_experiment", False),
        ("DELETE", f"/experiments/{_ID}", "_h_delete_experiment", False),
        ("POST", f"/experiments/{_ID}:archive", "_h_archive_experiment", False),
        ("POST", f"/experiments/{_ID}:unarchive", "_h_unarchive_experiment", False),
        ("POST", "/recurringruns", "_h_create_job", False),
        ("GET", "/recurringruns", "_h_list_jobs", False),
        ("GET", f"/recurringruns/{_ID}", "_h_get_job", False),
        ("DELETE", f"/recurringruns/{_ID}", "_h_delete_job", False),
        ("POST", f"/recurringruns/{_ID}:enable", "_h_enable_job", False),
        ("POST", f"/recurringruns/{_ID}:disable", "_h_disable_job", False),
        ("*", "/runs(/.*)?", "_h_unimplemented", False),
    ]
]


def _match_route(method: str, path: str) -> tuple[str, list[str], bool] | None:
    for m, rx, handler, upload in _ROUTES:
        match = rx.match(path)
        if match and m in ("*", method):
            args = [urllib.parse.unquote(g) for g in match.groups() if g is not None]
            return handler, args, upload
    return None


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 request handler bound to one :class:`KfpEmulator` (set on a subclass)."""

    emulator: KfpEmulator
    protocol_version = "HTTP/1.1"
    server_version = "kfp-emulator/1.0"
    wbufsize = -1  # buffer the response; handle_one_request() flushes it in one go

    def setup(self) -> None:
        super().setup()
        # Avoid Nagle/delayed-ACK stalls (~40 ms per request) on keep-alive connections.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            status, payload, extra = self.emulator._dispatch(self.command, self.path,
                                                             self.headers, body)
        except Exception as exc:
            err = E.ApiError(E.INTERNAL, f"kfp emulator bug: {exc!r}")
            status, payload, extra = 500, err.grpc_body(), {}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _handle

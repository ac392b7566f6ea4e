"""Loopback emulator of the Kubeflow Pipelines v2beta1 REST API, for tests.

The unmodified ``kfp.Client(host=emu.url)`` and the generated ``kfp_server_api`` clients talk to
it over real HTTP (``http.server.ThreadingHTTPServer`` on 127.0.0.1 in a daemon thread; JSON in
and out; one lock around an in-memory store). Behaviour follows kubeflow/pipelines
``backend/src/apiserver``: server/pipeline_upload_server.go, pipeline_server.go,
experiment_server.go, job_server.go (recurring runs), api_converter.go (``toModelJob``
validation), resource/resource_manager.go (``CreateJob``, ``ReplaceNamespace``), list/list.go
and filter/filter.go; error bodies follow common/util/error.go (``ToGRPCError``).

Known deviations from the real server:

* no Kubernetes/Argo side: recurring runs never fire, ``/runs`` endpoints answer 501;
* runtime parameters are not validated against the pipeline's root ``inputDefinitions``;
* a trigger with neither ``cron_schedule`` nor ``periodic_schedule`` is rejected (400);
* ``created_at`` ties (same second) are ordered by creation order, not by UUID; "latest
  version" is the most recently created one;
* ``service_account`` defaults to ``pipeline-runner`` (what the v2 template would set);
* JSON create endpoints (``POST /pipelines/create``, ``POST /pipelines/{id}/versions``) accept an
  inline ``pipeline_spec`` or a ``file://``/loopback ``package_url`` only (no network);
* 401 responses are emulator-made (the real server sits behind an auth proxy).

Typical use::

    import kfp
    import kfp_emulator

    with kfp_emulator.emulator(token="t0k") as emu:
        client = kfp.Client(host=emu.url, existing_token="t0k")
        client.upload_pipeline("pipeline.yaml", pipeline_name="absa")
        assert emu.writes == 1

In a ``conftest.py``::

    kfp_server = kfp_emulator.pytest_fixture("kfp_server")   # function-scoped fixture
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Literal

from ._cron import default_cron_validator
from ._errors import ApiError
from ._listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from ._server import Fault, KfpEmulator, RecordedRequest, Store, spec_struct_from_text

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "ApiError",
    "Fault",
    "KfpEmulator",
    "RecordedRequest",
    "Store",
    "default_cron_validator",
    "emulator",
    "pytest_fixture",
    "spec_struct_from_text",
]


@contextlib.contextmanager
def emulator(
    *,
    token: str | None = None,
    multi_user: bool = False,
    cron_validator: Callable[[str], None] | None = None,
    clock: Callable[[], float] | None = None,
    pod_namespace: str = "kubeflow",
) -> Iterator[KfpEmulator]:
    """Start a :class:`KfpEmulator` for the ``with`` block and stop it afterwards."""
    emu = KfpEmulator(token=token, multi_user=multi_user, cron_validator=cron_validator,
                      clock=clock, pod_namespace=pod_namespace)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


def pytest_fixture(
    name: str = "kfp_emulator",
    *,
    scope: Literal["session", "package", "module", "class", "function"] = "function",
    **kwargs: Any,
) -> Any:
    """Build a pytest fixture named ``name`` yielding a started :class:`KfpEmulator`.

    ``kwargs`` are passed to :func:`emulator`. Assign the result to a module-level name in a
    test module or ``conftest.py``::

        kfp_server = kfp_emulator.pytest_fixture("kfp_server", token="secret")
    """
    import pytest

    def _fixture() -> Iterator[KfpEmulator]:
        with emulator(**kwargs) as emu:
            yield emu

    return pytest.fixture(_fixture, name=name, scope=scope)

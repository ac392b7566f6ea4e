"""The FastAPI application of the model server and how uvicorn runs it.

Routes (KServe v1 protocol, model name ``absa``):

- ``POST /v1/models/absa:predict``: ``{"instances": [{"text", "aspect" | "from"+"to"}]}``
  -> ``{"predictions": [{"polarity", "scores"}]}``; a bad request is HTTP 400
  ``{"error": "..."}`` (see :mod:`absa_pipeline.serving.protocol`);
- ``GET /v1/models/absa``: readiness, ``{"name": "absa", "ready": true, ...}`` (503 when not ready);
- ``GET /v1/models``: ``{"models": ["absa"]}``;
- ``GET /healthz`` (and ``GET /``): liveness.

The model is loaded and validated BEFORE the app exists (the server refuses to
start without a valid model), and is read-only afterwards, so concurrent
requests share it safely. Prediction is pure Python on one event loop: a
request of at most 256 instances holds it for milliseconds.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from absa_pipeline.model import predict_polarities
from absa_pipeline.serving import MODEL_NAME
from absa_pipeline.serving.loading import LoadedModel
from absa_pipeline.serving.protocol import MAX_BODY_BYTES, BadRequest, parse_predict_request

LOG = logging.getLogger("absa_pipeline.serving")


class ServeError(Exception):
    """The server cannot start (e.g. the port is taken); the message is one line."""


def _json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(content=body, status_code=status, media_type="application/json",
                    headers=headers)


async def _read_body(request: Request) -> bytes:
    """Reads the body, refusing more than ``MAX_BODY_BYTES`` without buffering it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(f"request body is larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(f"request body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(model: LoadedModel | None) -> FastAPI:
    """Builds the server's application around a loaded model.

    Args:
        model: The validated model; ``None`` gives an app that reports not
            ready (503) and refuses predictions.

    Returns:
        The FastAPI application (ASGI), for uvicorn or a test client.
    """
    app = FastAPI(title="absa-server", docs_url=None, redoc_url=None, openapi_url=None)
    headers = {"X-Model-Version": model.version} if model is not None else {}

    def unknown_model(name: str) -> Response:
        return _json({"error": f"model {name!r} is not served here; this server serves "
                               f"{MODEL_NAME!r}"}, 404)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _json({"error": str(exc.detail)}, exc.status_code)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:  # pragma: no cover
        LOG.error("internal error on %s %s: %s: %s", request.method, request.url.path,
                  type(exc).__name__, exc)
        return _json({"error": "internal error; see the server log"}, 500)

    @app.get("/")
    @app.get("/healthz")
    async def liveness() -> Response:
        return _json({"status": "alive"})

    @app.get("/v1/models")
    async def list_models() -> Response:
        return _json({"models": [MODEL_NAME] if model is not None else []})

    @app.get("/v1/models/{name}")
    async def readiness(name: str) -> Response:
        if name != MODEL_NAME:
            return unknown_model(name)
        if model is None:
            return _json({"name": MODEL_NAME, "ready": False}, 503)
        return _json({"name": MODEL_NAME, "ready": True, "version": model.version,
                      "uri": model.uri, "classes": model.classes}, headers=headers)

    @app.post("/v1/models/{name}:predict")
    async def predict(name: str, request: Request) -> Response:
        if name != MODEL_NAME:
            return unknown_model(name)
        if model is None:
            return _json({"error": f"model {MODEL_NAME!r} is not loaded"}, 503)
        try:
            items = parse_predict_request(await _read_body(request))
        except BadRequest as exc:
            return _json({"error": str(exc)}, 400)
        predictions = predict_polarities(model.document, items)
        return _json({"predictions": predictions}, headers=headers)

    return app


def bind_socket(host: str, port: int) -> socket.socket:
    """Binds the listening socket before the server starts, so a taken port is one line.

    Args:
        host: Address to listen on (``0.0.0.0`` in a container, ``127.0.0.1`` locally).
        port: TCP port; ``0`` picks a free one (read it from ``getsockname()``).

    Returns:
        The bound socket (uvicorn listens on it).

    Raises:
        ServeError: The address cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets whose proto says
    # TCP; with proto 0, Nagle + delayed ACK add ~40 ms to every response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def make_server(model: LoadedModel, log_level: str = "info",
                access_log: bool = False) -> Any:
    """Builds the uvicorn server for a model (run it with ``.run(sockets=[sock])``).

    Args:
        model: The loaded model.
        log_level: uvicorn's log level.
        access_log: Log every request (off by default: it costs latency).

    Returns:
        A ``uvicorn.Server``.
    """
    import uvicorn

    config = uvicorn.Config(create_app(model), log_level=log_level, access_log=access_log,
                            lifespan="off", server_header=False, timeout_graceful_shutdown=20)
    return uvicorn.Server(config)


def serve(model: LoadedModel, host: str, port: int, log_level: str = "info",
          access_log: bool = False) -> None:
    """Serves a model until SIGINT/SIGTERM (graceful shutdown).

    Args:
        model: The loaded model.
        host: Address to listen on.
        port: TCP port.
        log_level: uvicorn's log level.
        access_log: Log every request.

    Raises:
        ServeError: The address cannot be bound.
    """
    sock = bind_socket(host, port)
    bound = sock.getsockname()
    origin = "" if model.uri == str(model.path) else f" (MODEL_URI {model.uri})"
    LOG.info("serving model %r version %s from %s%s on http://%s:%s", MODEL_NAME,
             model.version, model.path, origin, host, bound[1])
    make_server(model, log_level, access_log).run(sockets=[sock])

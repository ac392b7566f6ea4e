"""``python -m absa_pipeline.serving``: run the model server (the serving image's entrypoint).

::

    python -m absa_pipeline.serving --model-dir /models --port 8080
    python -m absa_pipeline.serving --model-file local_outputs/<run>/build-model/model

Without ``--model-dir``/``--model-file``, a ``MODEL_URI`` that is a local path
(file or directory) is served. The model is loaded and validated before the
port is opened: a missing or corrupt model is one log line and exit status 1,
so in Kubernetes the pod crash-loops, ``kubectl rollout status`` fails and
deploy_model rolls back; the previous model keeps serving meanwhile
(``maxUnavailable: 0``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from absa_pipeline.serving import LOG_FORMAT


def build_parser() -> argparse.ArgumentParser:
    """Builds the command-line parser.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="python -m absa_pipeline.serving",
        description="Serve an absa-linear/v1 model over the KServe v1 protocol.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model-dir", type=Path, default=None,
                        help="directory holding the model: DIR/model, or its only file")
    source.add_argument("--model-file", type=Path, default=None, help="the model file itself")
    parser.add_argument("--host", default="0.0.0.0",  # noqa: S104 - a container's server
                        help="address to listen on (default: 0.0.0.0)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default: 8080)")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--access-log", action="store_true", help="log every request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Loads the model, then serves it until SIGTERM.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 after a clean shutdown, 1 when the model or the
        port is refused (one log line says why).
    """
    from absa_pipeline.serving.loading import ModelLoadError, load_model, resolve_model_file

    args = build_parser().parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    log = logging.getLogger("absa_pipeline.serving")
    model_dir, model_file = args.model_dir, args.model_file
    model_uri = os.environ.get("MODEL_URI", "")
    if model_dir is None and model_file is None and model_uri and os.path.exists(model_uri):
        local = Path(model_uri)
        model_dir, model_file = (local, None) if local.is_dir() else (None, local)
    if not 0 <= args.port <= 65535:
        log.error("refusing to start: --port %s is not a TCP port (0-65535)", args.port)
        return 1
    try:
        model = load_model(resolve_model_file(model_dir, model_file), model_uri or None)
    except ModelLoadError as exc:
        log.error("refusing to start: %s", exc)
        return 1
    from absa_pipeline.serving.app import ServeError, serve

    try:
        serve(model, args.host, args.port, args.log_level, args.access_log)
    except ServeError as exc:
        log.error("refusing to start: %s", exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

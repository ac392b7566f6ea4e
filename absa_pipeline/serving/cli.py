"""``absa-pipeline serve-local``: serve a locally built model on this machine.

By default it serves the newest ``local_outputs/*/build-model/model`` written
by ``python -m absa_pipeline.run_local``; ``--model PATH`` picks another model
file (or a directory holding one).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from absa_pipeline.serving import LOG_FORMAT
from absa_pipeline.serving.loading import (
    ModelLoadError,
    load_model,
    resolve_model_file,
)


def newest_local_model(pipeline_root: Path) -> Path:
    """Finds the newest model built by run-local under a pipeline root.

    Args:
        pipeline_root: run-local's ``--pipeline-root`` (``local_outputs``).

    Returns:
        The most recently written ``<root>/*/build-model/model``.

    Raises:
        ModelLoadError: No run there has built a model.
    """
    models = [p for p in pipeline_root.glob("*/build-model/model") if p.is_file()]
    if not models:
        raise ModelLoadError(f"no model under {pipeline_root}/*/build-model/model; build one "
                             "with: python -m absa_pipeline.run_local (or pass --model PATH)")
    return max(models, key=lambda p: (p.stat().st_mtime, str(p)))


@click.command("serve-local")
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=None,
              help="Model file (or a directory holding it) "
                   "[default: the newest <pipeline-root>/*/build-model/model].")
@click.option("--pipeline-root", type=click.Path(path_type=Path), default=Path("local_outputs"),
              show_default=True, help="Where run-local wrote its runs.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--access-log", is_flag=True, help="Log every request.")
def serve_local_command(model_path: Path | None, pipeline_root: Path, host: str, port: int,
                        access_log: bool) -> None:
    """Serve a locally built ABSA model (KServe v1 protocol) until Ctrl-C."""
    from absa_pipeline.serving.app import ServeError, bind_socket, make_server

    try:
        if model_path is None:
            path = newest_local_model(pipeline_root)
        elif model_path.is_dir():
            path = resolve_model_file(model_dir=model_path)
        else:
            path = resolve_model_file(model_file=model_path)
        model = load_model(path, str(path.resolve()))
    except ModelLoadError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from None
    try:
        sock = bind_socket(host, port)
    except ServeError as exc:
        raise click.BadParameter(str(exc), param_hint="--host/--port") from None
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    bound = sock.getsockname()[1]
    click.echo(f"serving {path} (model version {model.version}) on http://{host}:{bound}\n"
               f"  curl -s http://{host}:{bound}/v1/models/absa\n"
               f"  curl -s http://{host}:{bound}/v1/models/absa:predict -d "
               "'{\"instances\": [{\"text\": \"The sushi was great but the waiter was rude.\", "
               "\"aspect\": \"waiter\"}]}'\n"
               "Ctrl-C stops it.", err=True)
    make_server(model, "info", access_log).run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the serve-local command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    serve_local_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                             prog_name="absa-pipeline serve-local")


if __name__ == "__main__":
    main()

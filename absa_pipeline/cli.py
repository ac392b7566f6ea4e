"""The ``absa-pipeline`` command: a click group over the project's commands."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from absa_pipeline import __version__
from absa_pipeline.compile import compile_command
from absa_pipeline.publish.cli import upload_and_schedule
from absa_pipeline.run_local import run_local_command
from absa_pipeline.schedulers.cli import cron_workflow_command, cronjob_command
from absa_pipeline.serving.cli import serve_local_command


@click.group()
@click.version_option(__version__, prog_name="absa-pipeline")
def cli() -> None:
    """An ABSA model's path to production on Kubeflow Pipelines."""


cli.add_command(compile_command)
cli.add_command(run_local_command)
cli.add_command(upload_and_schedule)
cli.add_command(cronjob_command)
cli.add_command(cron_workflow_command)
cli.add_command(serve_local_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the ``absa-pipeline`` command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="absa-pipeline")


if __name__ == "__main__":
    main()

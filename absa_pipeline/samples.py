"""``python -m absa_pipeline.samples [--check]``: write the sample manifests in ``manifests/``.

- ``manifests/deployment.yaml``: the built-in Deployment + Service for the pipeline's
  defaults, the starting point of the ``deployment-config`` ConfigMap mode;
- ``manifests/rbac.yaml``: the deploy step's ServiceAccount, Role and RoleBinding in the
  ``default`` namespace, bound to KFP standalone's ``pipeline-runner`` too.

They are golden files: ``--check`` exits 1 when they differ from a fresh render.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from absa_pipeline.files import write_output
from absa_pipeline.images import DEFAULT_SERVING_IMAGE
from absa_pipeline.manifests import manifests_to_yaml, render_manifests
from absa_pipeline.rbac import KFP_STANDALONE_RUNNER, render_rbac

HEADERS = {
    "deployment.yaml": (
        "# The model server's Deployment and Service, as deploy_model renders them for the\n"
        "# pipeline's defaults. Edit, then: kubectl -n kubeflow create configmap\n"
        "#   deployment-config --from-file=deployment.yaml\n"
        "# deploy_model still stamps name, namespace, image, MODEL_URI, labels, annotations\n"
        "# and the restricted security context. Regenerate: python -m absa_pipeline.samples\n"),
    "rbac.yaml": (
        "# What the deploy step may do in the target namespace (here: default), no more.\n"
        "# Bound to KFP standalone's runner (kubeflow/pipeline-runner). Multi-user Kubeflow:\n"
        "# replace that subject with {kind: ServiceAccount, name: default-editor, namespace:\n"
        "# <profile>}. Regenerate: python -m absa_pipeline.samples\n"),
}


def render_samples() -> dict[str, str]:
    """Renders the sample files.

    Returns:
        ``{file name: text}``.
    """
    deployment = render_manifests("absa-model", "default", DEFAULT_SERVING_IMAGE, 2)
    rbac = render_rbac("default", extra_subjects=[dict(KFP_STANDALONE_RUNNER)])
    return {"deployment.yaml": HEADERS["deployment.yaml"] + manifests_to_yaml(deployment),
            "rbac.yaml": HEADERS["rbac.yaml"] + manifests_to_yaml(rbac)}


@click.command("samples")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("manifests"), show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 when a file differs from a fresh render.")
def samples_command(directory: Path, check: bool) -> None:
    """Write (or check) the sample manifests."""
    stale = []
    for name, text in render_samples().items():
        path = directory / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
            continue
        write_output(path, text)
        click.echo(f"wrote {path}")
    if stale:
        raise click.ClickException(f"stale: {', '.join(stale)}; regenerate with: "
                                   "python -m absa_pipeline.samples")
    if check:
        click.echo(f"{directory}/ is up to date")


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the samples command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    samples_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                         prog_name="python -m absa_pipeline.samples")


if __name__ == "__main__":
    main()

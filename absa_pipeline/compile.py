"""``python -m absa_pipeline.compile``: compile the pipeline to YAML, deterministically.

``--check`` compares with the file on disk (ignoring only kfp's version noise,
see :func:`normalize_version_noise`) and exits 1 with a short diff when it is
stale. ``--kubernetes-manifest`` also writes (or checks) ``<output stem>.k8s.yaml``:
KFP's Kubernetes-native ``Pipeline`` and ``PipelineVersion`` resources, for
``kubectl apply`` and GitOps.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from absa_pipeline.files import write_output
from absa_pipeline.images import DEFAULT_DEPLOYER_IMAGE
from absa_pipeline.manifests import check_image_reference

DEFAULT_OUTPUT = Path("compiled") / "absa_pipeline.yaml"
_VERSION_NOISE = (
    (re.compile(r"^( *)sdkVersion: kfp-\S+$", re.M), r"\1sdkVersion: kfp-<version>"),
    (re.compile(r"'kfp==[^']+'"), "'kfp==<version>'"),
)


def normalize_version_noise(text: str) -> str:
    """Blanks out what changes with the kfp SDK version alone.

    That is the ``sdkVersion`` line and the ``kfp==X`` pin of the
    components' install step; everything else must match byte for byte.

    Args:
        text: Compiled pipeline YAML.

    Returns:
        The text with those two spots replaced by placeholders.
    """
    for pattern, replacement in _VERSION_NOISE:
        text = pattern.sub(replacement, text)
    return text


def render_pipeline_yaml(deployer_image: str = DEFAULT_DEPLOYER_IMAGE) -> str:
    """Compiles the pipeline and returns the YAML text.

    Args:
        deployer_image: Image of the deploy step.

    Returns:
        The compiled pipeline; the same inputs give the same bytes.
    """
    from kfp import compiler

    from absa_pipeline.pipeline import build_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "pipeline.yaml"
        compiler.Compiler().compile(build_pipeline(deployer_image), str(target))
        return target.read_text(encoding="utf-8")


def kubernetes_manifest_path(output: Path) -> Path:
    """Returns where ``--kubernetes-manifest`` writes, beside ``output``.

    Args:
        output: The compiled package, e.g. ``compiled/absa_pipeline.yaml``.

    Returns:
        E.g. ``compiled/absa_pipeline.k8s.yaml``.
    """
    return output.with_name(f"{output.stem}.k8s.yaml")


def render_kubernetes_manifest(deployer_image: str = DEFAULT_DEPLOYER_IMAGE) -> str:
    """Compiles the pipeline to KFP's Kubernetes-native resources (KFP >= 2.14).

    A ``Pipeline`` and a ``PipelineVersion`` (``pipelines.kubeflow.org/v2beta1``), no
    namespace (give it to ``kubectl apply -n``). A PipelineVersion's spec is immutable, so
    its name carries the first 12 hex digits of the SHA-256 of the compiled package
    (kfp's version noise blanked out): a changed pipeline is a new version, an unchanged
    one applies as a no-op.

    Args:
        deployer_image: Image of the deploy step.

    Returns:
        The YAML stream; the same inputs give the same bytes.
    """
    from kfp import compiler

    from absa_pipeline.pipeline import PIPELINE_DISPLAY_NAME, PIPELINE_NAME, build_pipeline

    package = normalize_version_noise(render_pipeline_yaml(deployer_image))
    digest = hashlib.sha256(package.encode("utf-8")).hexdigest()[:12]
    options = compiler.KubernetesManifestOptions(
        pipeline_name=PIPELINE_NAME,
        pipeline_display_name=PIPELINE_DISPLAY_NAME,
        pipeline_version_name=f"{PIPELINE_NAME}-{digest}",
        include_pipeline_manifest=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "pipeline.k8s.yaml"
        compiler.Compiler().compile(build_pipeline(deployer_image), str(target),
                                    kubernetes_manifest_options=options,
                                    kubernetes_manifest_format=True)
        return target.read_text(encoding="utf-8")


def stale_diff(expected: str, actual: str, path: str, max_lines: int = 40) -> str:
    """Returns a short unified diff between the file on disk and a fresh compile.

    Args:
        expected: A fresh compile.
        actual: The file on disk.
        path: The file's name, for the diff header.
        max_lines: Lines of diff to keep.

    Returns:
        The diff ('' when the two agree, ignoring kfp's version noise).
    """
    old = normalize_version_noise(actual).splitlines(keepends=True)
    new = normalize_version_noise(expected).splitlines(keepends=True)
    lines = list(difflib.unified_diff(old, new, fromfile=f"{path} (on disk)",
                                      tofile=f"{path} (fresh compile)"))
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more diff lines)\n"]
    return "".join(lines)


def _write_or_check(path: Path, text: str, check: bool, command: str) -> None:
    if check:
        try:
            on_disk = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise click.ClickException(f"{path} does not exist; run: {command}") from None
        diff = stale_diff(text, on_disk, str(path))
        if diff:
            click.echo(diff, err=True)
            raise click.ClickException(f"{path} is stale; regenerate it with: {command}")
        click.echo(f"{path} is up to date")
        return
    write_output(path, text)
    click.echo(f"wrote {path}")


@click.command("compile")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Where to write the YAML.")
@click.option("--check", is_flag=True,
              help="Do not write; exit 1 with a diff when the file on disk is stale.")
@click.option("--deployer-image", default=DEFAULT_DEPLOYER_IMAGE, show_default=True,
              help="Image of the deploy step (python3 + pinned kubectl).")
@click.option("--kubernetes-manifest", is_flag=True,
              help="Also write (or with --check, check) <output stem>.k8s.yaml: KFP's "
                   "Kubernetes-native Pipeline and PipelineVersion resources.")
def compile_command(output: Path, check: bool, deployer_image: str,
                    kubernetes_manifest: bool) -> None:
    """Compile the ABSA pipeline to a KFP v2 YAML package."""
    try:
        check_image_reference(deployer_image, "--deployer-image")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--deployer-image") from None
    _write_or_check(output, render_pipeline_yaml(deployer_image), check,
                    "python -m absa_pipeline.compile")
    if kubernetes_manifest:
        _write_or_check(kubernetes_manifest_path(output),
                        render_kubernetes_manifest(deployer_image), check,
                        "python -m absa_pipeline.compile --kubernetes-manifest")


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the compile command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    compile_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                         prog_name="python -m absa_pipeline.compile")


if __name__ == "__main__":
    main()

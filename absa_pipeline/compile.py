"""``python -m absa_pipeline.compile``: compile the pipeline to YAML, deterministically.

``--check`` compares with the file on disk (ignoring only kfp's version noise,
see :func:`normalize_version_noise`) and exits 1 with a short diff when it is
stale.
"""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from absa_pipeline.images import DEFAULT_DEPLOYER_IMAGE
from absa_pipeline.manifests import check_image_reference

DEFAULT_OUTPUT = Path("compiled") / "absa_pipeline.yaml"
_VERSION_NOISE = (
    (re.compile(r"^sdkVersion: kfp-\S+$", re.M), "sdkVersion: kfp-<version>"),
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


@click.command("compile")
@click.option("--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Where to write the YAML.")
@click.option("--check", is_flag=True,
              help="Do not write; exit 1 with a diff when the file on disk is stale.")
@click.option("--deployer-image", default=DEFAULT_DEPLOYER_IMAGE, show_default=True,
              help="Image of the deploy step (python3 + pinned kubectl).")
def compile_command(output: Path, check: bool, deployer_image: str) -> None:
    """Compile the ABSA pipeline to a KFP v2 YAML package."""
    try:
        check_image_reference(deployer_image, "--deployer-image")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--deployer-image") from None
    text = render_pipeline_yaml(deployer_image)
    if check:
        try:
            on_disk = output.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise click.ClickException(
                f"{output} does not exist; run: python -m absa_pipeline.compile") from None
        diff = stale_diff(text, on_disk, str(output))
        if diff:
            click.echo(diff, err=True)
            raise click.ClickException(
                f"{output} is stale; regenerate it with: python -m absa_pipeline.compile")
        click.echo(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the compile command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    compile_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                         prog_name="python -m absa_pipeline.compile")


if __name__ == "__main__":
    main()

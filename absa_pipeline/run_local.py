"""``python -m absa_pipeline.run_local``: run the pipeline here with kfp.local.

The components run as subprocesses of this Python (kfp.local's
SubprocessRunner, no Docker, no venv per task), on the bundled sample data by
default. ``--deploy-mode render`` (the default) needs no cluster; ``apply`` and
``server-dry-run`` use the local kubectl context.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any, cast

import click

from absa_pipeline.files import ensure_directory, write_output
from absa_pipeline.images import TRAIN_PACKAGES
from absa_pipeline.manifests import validate_deploy_params
from absa_pipeline.params import ParameterError, parse_overrides, root_parameters
from absa_pipeline.semeval import load_semeval_file

DEPLOY_MODES = ("render", "server-dry-run", "apply")


def sample_data_path(name: str) -> Path:
    """Returns the path of a bundled sample file (``sample_train.xml``, ``sample_test.xml``).

    Args:
        name: The file name in ``absa_pipeline/data``.

    Returns:
        Its path on disk.
    """
    return Path(str(resources.files("absa_pipeline") / "data" / name))


def package_mismatches(requirements: Sequence[str]) -> list[str]:
    """Lists pinned requirements that this environment does not satisfy exactly.

    Args:
        requirements: ``name==version`` pins.

    Returns:
        One line per missing or different package.
    """
    problems = []
    for requirement in requirements:
        if requirement.startswith("-"):  # a pip option such as --no-deps
            continue
        name, _, wanted = requirement.partition("==")
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name}=={wanted} (not installed)")
            continue
        if found != wanted:
            problems.append(f"{name}=={wanted} (found {found})")
    return problems


def pipeline_definitions() -> dict[str, dict[str, Any]]:
    """Returns the root parameter definitions of the pipeline.

    Returns:
        ``{name: definition}`` as in the compiled spec.
    """
    from google.protobuf import json_format

    from absa_pipeline.pipeline import absa_pipeline

    return root_parameters(json_format.MessageToDict(absa_pipeline.pipeline_spec))


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_pipeline_locally(arguments: Mapping[str, Any], pipeline_root: Path) -> dict[str, Any]:
    """Runs the pipeline with kfp.local's SubprocessRunner and summarises it.

    Args:
        arguments: Root parameters of the pipeline.
        pipeline_root: Where kfp.local writes the run's artifacts.

    Returns:
        The summary: ``status``, ``metrics``, ``gate_passed``, ``deploy``,
        ``duration_s``, ``run_dir``.
    """
    import kfp.local

    from absa_pipeline.pipeline import PIPELINE_NAME, absa_pipeline

    pipeline_root.mkdir(parents=True, exist_ok=True)
    before = set(pipeline_root.iterdir())
    kfp.local.init(runner=kfp.local.SubprocessRunner(use_venv=False),
                   pipeline_root=str(pipeline_root), raise_on_error=False)
    started = time.monotonic()
    # The components' pip step must find everything installed: never reach an index.
    with _environment(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1"):
        task = absa_pipeline(**arguments)
    duration = time.monotonic() - started
    outputs = dict(getattr(task, "outputs", None) or {})
    run_dirs = sorted(p for p in set(pipeline_root.iterdir()) - before
                      if p.is_dir() and p.name.startswith(PIPELINE_NAME))
    run_dir = run_dirs[-1] if run_dirs else None
    succeeded = bool(outputs)
    deploy_ran = bool(run_dir and (run_dir / "deploy-model").is_dir())
    scores = dict(getattr(outputs.get("metrics"), "metadata", None) or {})
    model_meta = dict(getattr(outputs.get("model"), "metadata", None) or {})
    n_test = scores.get("n_test")
    return {
        "status": "SUCCEEDED" if succeeded else "FAILED",
        "metrics": {
            "accuracy": scores.get("accuracy"),
            "macro_f1": scores.get("macro_f1"),
            "n_train": int(model_meta["n_train"]) if "n_train" in model_meta else None,
            "n_test": int(n_test) if n_test is not None else None,
        },
        "gate_passed": bool(outputs.get("gate_passed", False)),
        "deploy": {"mode": str(arguments.get("deploy_mode", "apply")), "ran": deploy_ran},
        "duration_s": round(duration, 3),
        "run_dir": str(run_dir) if run_dir else None,
    }


def format_summary(summary: Mapping[str, Any]) -> str:
    """Formats the run summary for people.

    Args:
        summary: From :func:`run_pipeline_locally`.

    Returns:
        A few aligned lines.
    """
    m = summary["metrics"]

    def num(value: Any) -> str:
        return "-" if value is None else f"{value:.4f}"

    deploy = summary["deploy"]
    if deploy["ran"]:
        deployed = f"ran ({deploy['mode']})"
    elif summary["status"] == "SUCCEEDED":
        deployed = "skipped (quality gate failed)"
    else:
        deployed = "did not run"
    return "\n".join([
        "",
        f"ABSA pipeline (local run): {summary['status']} in {summary['duration_s']:.1f}s",
        f"  accuracy    {num(m['accuracy'])}",
        f"  macro-F1    {num(m['macro_f1'])}",
        f"  trained on  {m['n_train'] if m['n_train'] is not None else '-'} aspect terms, "
        f"tested on {m['n_test'] if m['n_test'] is not None else '-'}",
        f"  gate        {'passed' if summary['gate_passed'] else 'not passed'}",
        f"  deploy      {deployed}",
        f"  outputs     {summary['run_dir'] or '-'}",
    ])


@click.command("run-local")
@click.option("--train-data", type=click.Path(path_type=Path), default=None,
              help="SemEval-2014 XML to train on [default: the bundled sample].")
@click.option("--test-data", type=click.Path(path_type=Path), default=None,
              help="SemEval-2014 XML to test on [default: the bundled sample].")
@click.option("--min-accuracy", type=float, default=None, help="Quality gate: lowest accuracy.")
@click.option("--min-macro-f1", type=float, default=None, help="Quality gate: lowest macro-F1.")
@click.option("--deploy-mode", type=click.Choice(DEPLOY_MODES), default="render",
              show_default=True, help="render needs no cluster; the others use kubectl.")
@click.option("--namespace", default=None, help="Namespace of the model server.")
@click.option("--deployment-name", default=None, help="Name of the Deployment and Service.")
@click.option("--serving-image", default=None, help="Model server image (pinned).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="Any other root parameter of the pipeline (repeatable).")
@click.option("--pipeline-root", type=click.Path(file_okay=False, path_type=Path),
              default=Path("local_outputs"), show_default=True,
              help="Where the run's artifacts go.")
@click.option("--summary-json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the summary as JSON here.")
def run_local_command(train_data: Path | None, test_data: Path | None,
                      min_accuracy: float | None, min_macro_f1: float | None, deploy_mode: str,
                      namespace: str | None, deployment_name: str | None,
                      serving_image: str | None, params: tuple[str, ...], pipeline_root: Path,
                      summary_json: Path | None) -> None:
    """Run the ABSA pipeline locally with kfp.local (no cluster needed in render mode)."""
    definitions = pipeline_definitions()
    try:
        arguments = parse_overrides(params, definitions)
    except ParameterError as exc:
        raise click.BadParameter(str(exc), param_hint="--param") from None
    named = {
        "train_data_uri": train_data or sample_data_path("sample_train.xml"),
        "test_data_uri": test_data or sample_data_path("sample_test.xml"),
        "min_accuracy": min_accuracy, "min_macro_f1": min_macro_f1,
        "deploy_mode": deploy_mode, "namespace": namespace,
        "deployment_name": deployment_name, "serving_image": serving_image,
    }
    for key, value in named.items():
        if value is None:
            continue
        if key in arguments:
            raise click.UsageError(f"{key} is given both as an option and as --param")
        arguments[key] = value
    for key, option in (("train_data_uri", "--train-data"), ("test_data_uri", "--test-data")):
        path = Path(arguments[key]).resolve()
        try:
            load_semeval_file(str(path))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
        arguments[key] = str(path)
    merged = {name: arguments.get(name, d.get("defaultValue")) for name, d in definitions.items()}
    try:
        validate_deploy_params(str(merged["namespace"]), str(merged["deployment_name"]),
                               str(merged["serving_image"]), int(cast(float, merged["replicas"])),
                               int(cast(float, merged["rollout_timeout_s"])),
                               str(merged["deploy_mode"]))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    ensure_directory(pipeline_root, "--pipeline-root")
    missing = package_mismatches(TRAIN_PACKAGES)
    if missing:
        raise click.ClickException(
            "run-local runs the components in this Python environment, which lacks "
            f"{', '.join(missing)}; install them with: python -m pip install -e \".[dev]\"")
    summary = run_pipeline_locally(arguments, pipeline_root)
    click.echo(format_summary(summary))
    if summary_json is not None:
        public = {k: v for k, v in summary.items() if k != "run_dir"}
        write_output(summary_json, json.dumps(public, indent=2, sort_keys=True) + "\n")
    if summary["status"] != "SUCCEEDED":
        raise click.ClickException("the pipeline failed; the task log above says why")


def main(argv: Sequence[str] | None = None) -> None:
    """Runs the run-local command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).
    """
    run_local_command.main(args=list(argv) if argv is not None else sys.argv[1:],
                           prog_name="python -m absa_pipeline.run_local")


if __name__ == "__main__":
    main()

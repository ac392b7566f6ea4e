"""Reading a compiled KFP pipeline package (pure but for reading the file)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from absa_pipeline.params import root_parameters


class PackageError(ValueError):
    """The package is missing or not a compiled KFP v2 pipeline."""


@dataclass(frozen=True)
class PipelinePackage:
    """A compiled pipeline package.

    Attributes:
        path: Where it was read from.
        digest: Hex SHA-256 of its bytes.
        name: ``pipelineInfo.name``.
        parameters: Root input parameter definitions, by name.
    """

    path: Path
    digest: str
    name: str
    parameters: dict[str, dict[str, Any]]

    @property
    def version_name(self) -> str:
        """The version name derived from the content: the same bytes, the same name."""
        return f"sha256-{self.digest[:12]}"


def load_package(path: Path) -> PipelinePackage:
    """Reads a compiled KFP v2 pipeline (YAML) and checks that it is one.

    Args:
        path: The package file.

    Returns:
        The package.

    Raises:
        PackageError: Missing, unreadable, not YAML, or not a pipeline spec.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PackageError(f"{path}: no such file; compile it with: "
                           "python -m absa_pipeline.compile") from None
    except OSError as exc:
        raise PackageError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        docs = [d for d in yaml.safe_load_all(data) if d is not None]
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0]
        raise PackageError(f"{path}: not valid YAML ({problem})") from None
    spec = docs[0] if docs else None
    if not isinstance(spec, dict) or not isinstance(spec.get("pipelineInfo"), dict) \
            or "root" not in spec or "deploymentSpec" not in spec:
        raise PackageError(f"{path}: not a compiled KFP v2 pipeline (no pipelineInfo, root "
                           "and deploymentSpec); compile it with: python -m absa_pipeline.compile")
    name = spec["pipelineInfo"].get("name")
    if not isinstance(name, str) or not name:
        raise PackageError(f"{path}: pipelineInfo.name is missing")
    return PipelinePackage(path=path, digest=hashlib.sha256(data).hexdigest(), name=name,
                           parameters=root_parameters(spec))

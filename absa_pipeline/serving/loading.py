"""Finding and loading the model file the server serves (no web framework here).

The model artifact is ONE JSON file (``absa-linear/v1``) written by build_model
at its artifact path (``.../build-model/model``). In the cluster the
storage-initializer init container downloads ``MODEL_URI`` into ``/models``:
an S3/MinIO object or an https file lands there under its base name, so
``/models/model``. :func:`resolve_model_file` maps a directory to the file:
``DIR/model`` when it exists, otherwise the only regular (non-hidden) file in
``DIR``; anything else is refused.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from absa_pipeline.model import load_model_document

#: The file name build_model gives the model artifact (and the download keeps).
DEFAULT_MODEL_FILE_NAME = "model"

#: A model document larger than this is refused (the sample model is a few MB).
MAX_MODEL_BYTES = 512 * 1024 * 1024


class ModelLoadError(Exception):
    """The model is missing, unreadable or not a valid ``absa-linear/v1`` document."""


@dataclass(frozen=True)
class LoadedModel:
    """A validated model document, read-only once loaded.

    Attributes:
        document: The ``absa-linear/v1`` document (never mutated after load).
        path: The file it was read from.
        version: 12 hex digits of the file's SHA-256 (build_model's ``model_version``).
        uri: Where it came from (env ``MODEL_URI``), or the path.
    """

    document: dict[str, Any]
    path: Path
    version: str
    uri: str

    @property
    def classes(self) -> list[str]:
        """The polarity classes of the model, in score order."""
        return [str(c) for c in self.document["classes"]]


def resolve_model_file(model_dir: Path | None = None, model_file: Path | None = None) -> Path:
    """Maps the server's options to the one model file to load.

    Args:
        model_dir: A directory holding the model (``DIR/model``, or its only file).
        model_file: The model file itself; exclusive with ``model_dir``.

    Returns:
        The path of the model file.

    Raises:
        ModelLoadError: Neither or both given, the path is missing, or the
            directory holds no unambiguous model file. The message is one line.
    """
    if (model_dir is None) == (model_file is None):
        raise ModelLoadError("give exactly one of --model-dir DIR or --model-file PATH")
    if model_file is not None:
        if model_file.is_dir():
            raise ModelLoadError(f"model file {model_file} is a directory; "
                                 "use --model-dir for a directory")
        if not model_file.is_file():
            raise ModelLoadError(f"model file {model_file} does not exist")
        return model_file
    assert model_dir is not None
    if not model_dir.is_dir():
        raise ModelLoadError(f"model directory {model_dir} does not exist or is not a directory")
    named = model_dir / DEFAULT_MODEL_FILE_NAME
    if named.is_file():
        return named
    candidates = sorted(p for p in model_dir.iterdir()
                        if p.is_file() and not p.name.startswith("."))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ModelLoadError(f"model directory {model_dir} holds no model file "
                             f"(expected {named}); did the storage initializer download it?")
    names = ", ".join(p.name for p in candidates[:5])
    raise ModelLoadError(f"model directory {model_dir} holds {len(candidates)} files ({names}) "
                         f"and no file named {DEFAULT_MODEL_FILE_NAME!r}; "
                         "point --model-file at the model")


def load_model(path: Path, uri: str | None = None) -> LoadedModel:
    """Reads and validates a model file (JSON only: nothing is executed).

    Args:
        path: The model file.
        uri: Where it came from (``MODEL_URI``), for logs and the metadata route.

    Returns:
        The loaded model.

    Raises:
        ModelLoadError: The file cannot be read, is too large, or is not a
            valid ``absa-linear/v1`` document. The message is one line.
    """
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ModelLoadError(f"{path}: {size} bytes is larger than the "
                                 f"{MAX_MODEL_BYTES} bytes a model may have")
        data = path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"{path}: cannot read the model ({exc.strerror or exc})") from None
    try:
        document = load_model_document(data, source=str(path))
    except ValueError as exc:
        raise ModelLoadError(" ".join(str(exc).split())) from None
    version = hashlib.sha256(data).hexdigest()[:12]
    return LoadedModel(document=document, path=path, version=version,
                       uri=uri or os.environ.get("MODEL_URI") or str(path))

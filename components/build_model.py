"""The ``build_model`` component: train the aspect-polarity classifier."""

from kfp import dsl
from kfp.dsl import Dataset, Input, Model, Output

from absa_pipeline.images import PYTHON_IMAGE, TRAIN_PACKAGES
from absa_pipeline.model import (
    aspect_features,
    dump_model_document,
    load_vader_lexicon,
    train_linear_model,
)
from absa_pipeline.semeval import load_semeval_file, parse_semeval_xml, sha256_file


@dsl.component(
    base_image=PYTHON_IMAGE,
    packages_to_install=TRAIN_PACKAGES,
    additional_funcs=[parse_semeval_xml, load_semeval_file, sha256_file, load_vader_lexicon,
                      aspect_features, train_linear_model, dump_model_document],
)
def build_model(
    train_data: Input[Dataset],
    model: Output[Model],
    trainer: str = "linear",
    seed: int = 0,
) -> None:
    """Trains a 3-class aspect-polarity classifier on SemEval-2014 Task 4 XML.

    Drops ``conflict`` terms; writes the model as an ``absa-linear/v1`` JSON
    document (loading it never executes code).

    Args:
        train_data: Training data, SemEval-2014 Task 4 XML.
        model: The trained model (JSON); metadata: framework, classes,
            n_train, train_data_sha256, model_version (12 hex digits of the
            model's SHA-256).
        trainer: The trainer; ``linear`` (the default) is the only one built in.
        seed: Seed of the cross-validation folds.
    """
    import hashlib

    if trainer != "linear":
        raise ValueError(f"unknown trainer {trainer!r}; the built-in trainer is 'linear'")
    records = load_semeval_file(train_data.path)
    document = train_linear_model(records, seed=seed)
    document["train_digest"] = "sha256:" + sha256_file(train_data.path)
    data = dump_model_document(document).encode("utf-8")
    with open(model.path, "wb") as handle:
        handle.write(data)
    version = hashlib.sha256(data).hexdigest()[:12]
    model.metadata.update({
        "framework": "absa-linear/v1 (scikit-learn LinearSVC)",
        "classes": document["classes"],
        "n_train": document["n_train"],
        "train_data_sha256": document["train_digest"],
        "model_version": version,
        "hyperparameters": document["hyperparameters"],
    })
    print(f"trained on {document['n_train']} aspect terms; C={document['hyperparameters']['C']}; "
          f"model version {version}")

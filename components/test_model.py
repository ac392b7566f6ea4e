"""The ``test_model`` component: score the model and decide the quality gate."""

from kfp import dsl
from kfp.dsl import ClassificationMetrics, Dataset, Input, Metrics, Model, Output

from absa_pipeline.images import PYTHON_IMAGE
from absa_pipeline.metrics import evaluate_predictions, gate_passes
from absa_pipeline.model import aspect_features, load_model_document, predict_polarities
from absa_pipeline.semeval import load_semeval_file, parse_semeval_xml


@dsl.component(
    base_image=PYTHON_IMAGE,
    additional_funcs=[parse_semeval_xml, load_semeval_file, aspect_features,
                      load_model_document, predict_polarities, evaluate_predictions,
                      gate_passes],
)
def test_model(
    model: Input[Model],
    test_data: Input[Dataset],
    min_accuracy: float,
    min_macro_f1: float,
    metrics: Output[Metrics],
    confusion_matrix: Output[ClassificationMetrics],
) -> bool:
    """Scores the model on held-out SemEval data and decides the quality gate.

    ``conflict`` terms are left out, as in the SemEval-2014 evaluation.

    Args:
        model: The model from build_model.
        test_data: Test data, SemEval-2014 Task 4 XML.
        min_accuracy: Lowest accuracy that passes the gate.
        min_macro_f1: Lowest macro-F1 that passes the gate.
        metrics: accuracy, macro_f1, f1_<class> and n_test (KFP Metrics).
        confusion_matrix: The confusion matrix (KFP ClassificationMetrics).

    Returns:
        The gate decision: ``accuracy >= min_accuracy and macro_f1 >= min_macro_f1``.
    """
    with open(model.path, "rb") as handle:
        document = load_model_document(handle.read(), source=model.uri or model.path)
    classes = list(document["classes"])
    records = [r for r in load_semeval_file(test_data.path) if r["polarity"] in classes]
    if not records:
        raise ValueError(f"{test_data.path}: no test aspect terms with a polarity in {classes}")
    predicted = [p["polarity"] for p in predict_polarities(document, records)]
    result = evaluate_predictions([r["polarity"] for r in records], predicted, classes)
    metrics.log_metric("accuracy", round(result["accuracy"], 6))
    metrics.log_metric("macro_f1", round(result["macro_f1"], 6))
    for cls, value in sorted(result["f1"].items()):
        metrics.log_metric(f"f1_{cls}", round(value, 6))
    metrics.log_metric("n_test", result["n"])
    confusion_matrix.log_confusion_matrix(classes, result["confusion"])
    passed = gate_passes(result["accuracy"], result["macro_f1"], min_accuracy, min_macro_f1)
    print(f"accuracy={result['accuracy']:.4f} macro_f1={result['macro_f1']:.4f} "
          f"n_test={result['n']}: gate {'PASSED' if passed else 'FAILED'} "
          f"(min_accuracy={min_accuracy}, min_macro_f1={min_macro_f1})")
    return passed

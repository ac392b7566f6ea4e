"""Classification metrics and the quality gate (pure; shipped into ``test_model``)."""

from __future__ import annotations

from typing import Any


def evaluate_predictions(truth: list[str], predicted: list[str],
                         classes: list[str]) -> dict[str, Any]:
    """Computes accuracy, macro-F1, per-class F1 and the confusion matrix.

    Args:
        truth: The gold labels.
        predicted: The predicted labels, aligned with ``truth``.
        classes: The class names; macro-F1 averages over those present in
            ``truth`` or ``predicted``.

    Returns:
        ``{"accuracy", "macro_f1", "f1": {class: f1}, "confusion": rows of
        counts (truth x predicted, in ``classes`` order), "n": int}``.

    Raises:
        ValueError: The lists differ in length or are empty.
    """
    if len(truth) != len(predicted) or not truth:
        raise ValueError(f"need aligned, non-empty label lists (got {len(truth)} gold and "
                         f"{len(predicted)} predicted)")
    index = {c: i for i, c in enumerate(classes)}
    confusion = [[0] * len(classes) for _ in classes]
    for gold, guess in zip(truth, predicted, strict=True):
        confusion[index[gold]][index[guess]] += 1
    correct = sum(confusion[i][i] for i in range(len(classes)))
    f1: dict[str, float] = {}
    for i, cls in enumerate(classes):
        tp = confusion[i][i]
        support = sum(confusion[i])
        guessed = sum(row[i] for row in confusion)
        if support == 0 and guessed == 0:
            continue
        f1[cls] = 2 * tp / (support + guessed)
    return {
        "accuracy": correct / len(truth),
        "macro_f1": sum(f1.values()) / len(f1),
        "f1": f1,
        "confusion": confusion,
        "n": len(truth),
    }


def gate_passes(accuracy: float, macro_f1: float, min_accuracy: float,
                min_macro_f1: float) -> bool:
    """The quality gate: the model deploys only when both thresholds are met.

    Args:
        accuracy: Test accuracy.
        macro_f1: Test macro-F1.
        min_accuracy: Lowest acceptable accuracy.
        min_macro_f1: Lowest acceptable macro-F1.

    Returns:
        ``accuracy >= min_accuracy and macro_f1 >= min_macro_f1``.
    """
    return accuracy >= min_accuracy and macro_f1 >= min_macro_f1

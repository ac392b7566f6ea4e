"""Model quality: train on one SemEval-2014 file, score on another (or cross-validate).

    python benchmarks/model_quality.py TRAIN_XML TEST_XML
    python benchmarks/model_quality.py TRAIN_XML --cv 5      # grouped by sentence, train data only

Prints accuracy, macro-F1, per-class F1 and the training time (conflict terms left out of
scoring, as in SemEval-2014). Uses the same functions as build_model and test_model.
"""

from __future__ import annotations

import argparse
import random
import time

from absa_pipeline.metrics import evaluate_predictions
from absa_pipeline.model import (
    dump_model_document,
    load_model_document,
    predict_polarities,
    train_linear_model,
)
from absa_pipeline.semeval import load_semeval_file

CLASSES = ["negative", "neutral", "positive"]


def score(train: list[dict], test: list[dict]) -> tuple[dict, float]:
    started = time.perf_counter()
    model = load_model_document(dump_model_document(train_linear_model(train)))
    seconds = time.perf_counter() - started
    test = [r for r in test if r["polarity"] in CLASSES]
    predicted = [p["polarity"] for p in predict_polarities(model, test)]
    result = evaluate_predictions([r["polarity"] for r in test], predicted, CLASSES)
    result["C"] = model["hyperparameters"]["C"]
    return result, seconds


def show(label: str, result: dict, seconds: float) -> None:
    f1 = " ".join(f"{c}={result['f1'].get(c, 0):.4f}" for c in CLASSES)
    print(f"{label}: accuracy={result['accuracy']:.4f} macro_f1={result['macro_f1']:.4f} "
          f"f1[{f1}] n={result['n']} C={result['C']} train_s={seconds:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train")
    parser.add_argument("test", nargs="?")
    parser.add_argument("--cv", type=int, default=0, help="folds, grouped by sentence")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train = load_semeval_file(args.train)
    if args.test:
        result, seconds = score(train, load_semeval_file(args.test))
        show("test", result, seconds)
    if args.cv:
        sentences = sorted({r["sentence_id"] for r in train})
        random.Random(args.seed).shuffle(sentences)
        fold_of = {s: i % args.cv for i, s in enumerate(sentences)}
        accs, f1s = [], []
        for k in range(args.cv):
            fit = [r for r in train if fold_of[r["sentence_id"]] != k]
            held = [r for r in train if fold_of[r["sentence_id"]] == k]
            result, seconds = score(fit, held)
            show(f"fold {k}", result, seconds)
            accs.append(result["accuracy"])
            f1s.append(result["macro_f1"])
        print(f"cv{args.cv}: accuracy={sum(accs) / len(accs):.4f} "
              f"macro_f1={sum(f1s) / len(f1s):.4f}")


if __name__ == "__main__":
    main()

"""The default ABSA model: aspect-centred sparse features and a linear classifier.

Training uses scikit-learn's LinearSVC; the trained model is a plain JSON document
(``absa-linear/v1``), so loading it never executes code, and prediction is
pure Python, shared by ``test_model`` and the model server (no train/serve
skew).

The functions here are shipped verbatim into the lightweight components
(``additional_funcs``): each is self-contained (imports in its body) and
refers to no module-level name but the other functions of this module.

Model document (``absa-linear/v1``)::

    {"format": "absa-linear/v1",
     "classes": ["negative", "neutral", "positive"],
     "intercept": [b_neg, b_neu, b_pos],
     "weights": {"feature": [w_neg, w_neu, w_pos], ...},
     "featurizer": {"window": 3},
     "lexicon": {"good": 1.9, ...},   # VADER valences the features use
     "trainer": "linear", "hyperparameters": {"C": ...},
     "n_train": 3608, "train_digest": "sha256..."}
"""

from __future__ import annotations

from typing import Any

MODEL_FORMAT = "absa-linear/v1"
CLASSES = ("negative", "neutral", "positive")


def load_vader_lexicon() -> dict[str, float]:
    """Reads the VADER sentiment lexicon shipped inside the vaderSentiment package (MIT).

    Nothing is downloaded: the lexicon is a data file of the installed package.
    Only single-word entries (what the tokenizer can produce) are kept.

    Returns:
        ``{word: valence}``, valence in -4..4.
    """
    import re
    from importlib import resources

    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    word = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
    lexicon: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and word.fullmatch(parts[0]):
            try:
                lexicon[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return lexicon


def aspect_features(text: str, start: int, end: int, window: int = 3,
                    lexicon: dict[str, float] | None = None) -> dict[str, float]:
    """Extracts the sparse features of one aspect term in its sentence.

    Features: the aspect term; the words left and right of it (with their
    distance bucket); the words and bigrams of the clause that holds it (split
    at punctuation and contrastive conjunctions such as "but"); the words of
    the whole sentence; character 3-grams of the clause. Words after a negator
    ("not", "never", "n't", ...) up to the end of their clause are marked
    ``NOT_``. Values are L2-normalised per feature group. With a polarity
    lexicon: the sums of positive and negative valences, and the extremes, in
    the clause, in the rest of the sentence, and weighted by distance to the
    aspect; a negated word's valence is flipped and damped (x -0.74, as VADER).

    Args:
        text: The sentence.
        start: Character offset of the aspect term.
        end: Character offset just past the aspect term.
        window: How many words left and right of the aspect count as context.
        lexicon: ``{word: valence in -4..4}``, or ``None`` for no lexicon features.

    Returns:
        A mapping of feature name to value.
    """
    import math
    import re

    negators = {"not", "no", "never", "nothing", "none", "nobody", "nor", "neither",
                "cannot", "without", "hardly", "barely"}
    contrast = {"but", "although", "though", "however", "while", "whereas", "yet",
                "except", "despite"}
    lowered = text.lower()
    tokens = [(m.group(), m.start(), m.end())
              for m in re.finditer(r"[^\W_]+(?:'[^\W_]+)?|[^\w\s]", lowered)]
    # Mark negation scope: from a negator to the next clause boundary.
    marked: list[str] = []
    in_scope: list[bool] = []
    negated = False
    for tok, _, _ in tokens:
        boundary = not tok[0].isalnum() or tok in contrast
        if boundary:
            negated = False
            marked.append(tok)
            in_scope.append(False)
            continue
        marked.append("NOT_" + tok if negated else tok)
        in_scope.append(negated)
        if tok in negators or tok.endswith("n't"):
            negated = True
    inside = [i for i, (_, s, e) in enumerate(tokens) if s < end and e > start]
    first = inside[0] if inside else next((i for i, (_, s, _) in enumerate(tokens) if s >= end),
                                          len(tokens))
    last = inside[-1] if inside else first - 1
    # Clause: the span between the nearest boundaries around the aspect.
    lo = first
    while lo > 0 and tokens[lo - 1][0][0].isalnum() and tokens[lo - 1][0] not in contrast:
        lo -= 1
    hi = last + 1
    while hi < len(tokens) and tokens[hi][0][0].isalnum() and tokens[hi][0] not in contrast:
        hi += 1
    groups: dict[str, dict[str, float]] = {"a": {}, "w": {}, "c": {}, "s": {}, "g": {}}
    groups["a"]["a=" + " ".join(t for t, _, _ in tokens[first:last + 1])] = 1.0
    for d in range(1, window + 1):
        if first - d >= 0:
            groups["w"][f"l{min(d, 2)}={marked[first - d]}"] = 1.0
        if last + d < len(tokens):
            groups["w"][f"r{min(d, 2)}={marked[last + d]}"] = 1.0
    clause = [marked[i] for i in range(lo, hi) if i < first or i > last]
    for tok in clause:
        groups["c"]["c=" + tok] = 1.0
    for left, right in zip(clause, clause[1:], strict=False):
        groups["c"][f"cb={left}_{right}"] = 1.0
    for tok in marked:
        if tok[0].isalnum() or tok in "!?":
            groups["s"]["s=" + tok] = 1.0
    clause_text = " ".join(clause)
    for i in range(len(clause_text) - 2):
        groups["g"]["g=" + clause_text[i:i + 3]] = 1.0
    features: dict[str, float] = {}
    for group in groups.values():
        if group:
            norm = 1.0 / math.sqrt(len(group))
            for name in group:
                features[name] = norm
    if lexicon:
        outside = [i for i in range(len(tokens)) if i < first or i > last]
        scopes = {"c": [i for i in outside if lo <= i < hi], "s": outside, "d": outside}
        for tag, indexes in scopes.items():
            positive = negative = highest = lowest = 0.0
            for i in indexes:
                valence = lexicon.get(tokens[i][0])
                if valence is None:
                    continue
                if in_scope[i]:
                    valence *= -0.74
                if tag == "d":  # nearer words weigh more
                    valence /= 1.0 + 0.5 * (max(first - i, i - last) - 1)
                if valence > 0:
                    positive += valence
                else:
                    negative += valence
                highest, lowest = max(highest, valence), min(lowest, valence)
            features[f"L{tag}+"] = positive / 4.0
            features[f"L{tag}-"] = negative / 4.0
            features[f"L{tag}^"] = highest / 4.0
            features[f"L{tag}v"] = lowest / 4.0
    return features


def train_linear_model(records: list[dict[str, Any]], c_values: list[float] | None = None,
                       seed: int = 0) -> dict[str, Any]:
    """Trains the default linear model on SemEval records.

    ``conflict`` terms are dropped. The regularisation strength ``C`` is
    chosen by cross-validation on the training records only (stratified, the
    terms of one sentence kept in one fold).
    Training is deterministic: the same records give the same document.

    Args:
        records: Records from ``parse_semeval_xml``.
        c_values: Candidate values of ``C`` (inverse regularisation).
        seed: Seed for the cross-validation folds.

    Returns:
        The model document (``absa-linear/v1``), ready for ``json.dumps``.

    Raises:
        ValueError: Fewer than two polarity classes to learn from.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_score
    from sklearn.svm import LinearSVC

    classes = ["negative", "neutral", "positive"]
    usable = [r for r in records if r["polarity"] in classes]
    labels = [r["polarity"] for r in usable]
    present = sorted(set(labels))
    if len(present) < 2:
        raise ValueError(
            f"training data has {len(usable)} usable aspect terms in {len(present)} class(es) "
            f"{present}; need at least two of {classes}"
        )
    lexicon = {word: round(valence, 3) for word, valence in load_vader_lexicon().items()}
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(
        [aspect_features(r["text"], r["from"], r["to"], 3, lexicon) for r in usable]).tocsr()
    matrix.indices = matrix.indices.astype("int32")  # liblinear takes 32-bit indices
    matrix.indptr = matrix.indptr.astype("int32")
    grid = list(c_values) if c_values else [0.05, 0.1, 0.2, 0.4, 0.8]
    groups = [str(r.get("sentence_id", i)) for i, r in enumerate(usable)]
    splits = min(5, min(labels.count(c) for c in present), len(set(groups)))
    best_c = grid[0]
    if len(grid) > 1 and splits >= 3:
        # Folds keep a sentence's terms together: they share words, so splitting them
        # would reward memorising sentences (and pick too weak a regularisation).
        folds = StratifiedGroupKFold(n_splits=splits, shuffle=True, random_state=seed)
        best_score = -1.0
        for c in grid:
            clf = LinearSVC(C=c, random_state=seed)
            score = float(cross_val_score(clf, matrix, labels, groups=groups, cv=folds,
                                          scoring="accuracy").mean())
            if score > best_score + 1e-12:
                best_c, best_score = c, score
    clf = LinearSVC(C=best_c, random_state=seed)
    clf.fit(matrix, labels)
    fitted = [str(c) for c in clf.classes_]
    names = vectorizer.get_feature_names_out()
    coef = clf.coef_
    intercept = clf.intercept_
    if len(fitted) == 2:  # binary: sklearn keeps one row for the second class
        coef = [[-w for w in coef[0]], list(coef[0])]
        intercept = [-intercept[0], intercept[0]]
    weights: dict[str, list[float]] = {}
    for j, name in enumerate(names):
        row = [0.0] * len(classes)
        for k, cls in enumerate(fitted):
            row[classes.index(cls)] = round(float(coef[k][j]), 6)
        if any(row):
            weights[str(name)] = row
    bias = [-1e3] * len(classes)  # a class never seen in training is never predicted
    for k, cls in enumerate(fitted):
        bias[classes.index(cls)] = round(float(intercept[k]), 6)
    return {
        "format": "absa-linear/v1",
        "classes": classes,
        "intercept": bias,
        "weights": weights,
        "featurizer": {"window": 3},
        "lexicon": lexicon,
        "lexicon_source": "vaderSentiment 3.3.2 vader_lexicon.txt (MIT)",
        "trainer": "linear",
        "hyperparameters": {"C": best_c, "classifier": "LinearSVC (one-vs-rest)"},
        "n_train": len(usable),
    }


def predict_polarities(model: dict[str, Any],
                       items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Predicts the polarity of aspect terms with a model document.

    Args:
        model: A document from ``train_linear_model`` (already validated by
            ``load_model_document``).
        items: Dicts with ``text``, ``from`` and ``to``.

    Returns:
        For each item, ``{"polarity": str, "scores": {class: score}}``; the
        scores are a softmax of the linear decision values (they sum to 1 but
        are not calibrated probabilities).
    """
    import math

    classes = model["classes"]
    weights = model["weights"]
    window = int(model.get("featurizer", {}).get("window", 3))
    lexicon = model.get("lexicon") or None
    results = []
    for item in items:
        scores = list(model["intercept"])
        for name, value in aspect_features(item["text"], item["from"], item["to"],
                                           window, lexicon).items():
            row = weights.get(name)
            if row is not None:
                for k in range(len(classes)):
                    scores[k] += value * row[k]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        best = max(range(len(classes)), key=lambda k: (scores[k], -k))
        results.append({
            "polarity": classes[best],
            "scores": {cls: round(e / total, 6) for cls, e in zip(classes, exps, strict=True)},
        })
    return results


def dump_model_document(model: dict[str, Any]) -> str:
    """Serialises a model document deterministically (sorted keys, compact).

    Args:
        model: The model document.

    Returns:
        JSON text; the same document always gives the same bytes.
    """
    import json

    return json.dumps(model, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def load_model_document(data: bytes | str, source: str = "<model>") -> dict[str, Any]:
    """Parses and validates a model document without executing anything.

    Args:
        data: JSON text of an ``absa-linear/v1`` document.
        source: A name for the document (a path) used in error messages.

    Returns:
        The validated document.

    Raises:
        ValueError: The document is not valid JSON or not an ``absa-linear/v1``
            model.
    """
    import json
    import math

    try:
        model = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{source}: not a model document (invalid JSON: {exc})") from None
    if not isinstance(model, dict) or model.get("format") != "absa-linear/v1":
        raise ValueError(f"{source}: not an absa-linear/v1 model document; "
                         "rebuild it with build_model")
    classes = model.get("classes")
    intercept = model.get("intercept")
    weights = model.get("weights")
    lexicon = model.get("lexicon", {})
    ok = (isinstance(lexicon, dict)
          and all(isinstance(w, (int, float)) and not isinstance(w, bool) and math.isfinite(w)
                  for w in lexicon.values())
          and isinstance(classes, list) and len(classes) >= 2
          and all(isinstance(c, str) for c in classes)
          and isinstance(intercept, list) and len(intercept) == len(classes)
          and isinstance(weights, dict))
    if ok and isinstance(weights, dict) and isinstance(classes, list):
        for row in [intercept, *weights.values()]:
            if not (isinstance(row, list) and len(row) == len(classes)
                    and all(isinstance(w, (int, float)) and not isinstance(w, bool)
                            and math.isfinite(w) for w in row)):
                ok = False
                break
    if not ok:
        raise ValueError(f"{source}: corrupt absa-linear/v1 model (classes, intercept or "
                         "weights malformed); rebuild it with build_model")
    return model

"""Training of the sentiment model (needs scikit-learn: ``pip install -e .[train]``).

    python -m cxlab.text.train          # or: make sentiment-model

reads ``data/sentiment/train_*.tsv`` and rewrites ``cxlab/resources/sentiment_model.tsv``.
The training files hold only text written for cxlab (see ``data/sentiment/README.md``); no
evaluation corpus is read here.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from cxlab.paths import PROJECT_ROOT
from cxlab.text.model import BIAS, CLASSES, MODEL_FILE, RULE
from cxlab.text.prepare import analysis_text
from cxlab.text.segment import tokenize
from cxlab.text.sentiment import model_inputs

TRAIN_DIR = PROJECT_ROOT / "data" / "sentiment"
#: Inverse regularisation strength (chosen on data/sentiment/heldout.tsv, see the README there).
C = 2.0
#: Weights smaller than this in every class are dropped from the shipped table.
PRUNE = 1e-3


def read_corpus(paths: Iterable[Path]) -> list[tuple[str, str, int]]:
    """(domain, text, class code) rows of labelled corpus files (``domain<TAB>label<TAB>text``)."""
    rows = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[1] not in ("0", "1", "2") or not parts[2].strip():
                raise ValueError(
                    f"{path}, line {n}: expected 'domain<TAB>label<TAB>text' with label 0, 1 or 2; "
                    f"got {line[:60]!r}."
                )
            rows.append((parts[0], parts[2].strip(), int(parts[1])))
    return rows


def encode(texts: Sequence[str]) -> tuple[list[dict[str, float]], list[float]]:
    """Features and rule scores of texts, exactly as :func:`cxlab.text.sentiment` computes them."""
    feats, rules = [], []
    for t in texts:
        f, r = model_inputs(tokenize(analysis_text(t)))
        feats.append(f)
        rules.append(r)
    return feats, rules


def fit(texts: Sequence[str], labels: Sequence[int], c: float = C):
    """Fit the model; returns (feature names, coefficient matrix classes x features, intercepts).

    L2-penalised multinomial logistic regression (scikit-learn ``LogisticRegression``,
    lbfgs; classes weighted inversely to their frequency), with the rule score as one more
    (continuous) column. See Hastie, Tibshirani & Friedman, *The Elements of Statistical
    Learning* (2009), 4.4.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    feats, rules = encode(texts)
    vocab = sorted(set().union(*feats))
    index = {f: i for i, f in enumerate(vocab)}
    rows = [i for i, fs in enumerate(feats) for _ in fs]
    cols = [index[f] for fs in feats for f in fs]
    vals = [v for fs in feats for v in fs.values()]
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(feats), len(vocab)))
    x = sparse.hstack([x, sparse.csr_matrix(np.array(rules)[:, None])]).tocsr()
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000, tol=1e-8)
    clf.fit(x, np.asarray(labels))
    if list(clf.classes_) != [0, 1, 2]:
        raise ValueError("The training corpus needs examples of all three classes (0, 1, 2).")
    return [*vocab, RULE], clf.coef_, clf.intercept_


def write_model(names, coef, intercept, path: Path, header: Sequence[str]) -> int:
    """Write the table (pruned); returns the number of feature rows kept."""
    lines = [f"# {h}" for h in header]
    lines.append("# feature\t" + "\t".join(CLASSES))
    lines.append(BIAS + "".join(f"\t{v:.6f}" for v in intercept))
    kept = 0
    for j, name in enumerate(names):
        col = coef[:, j]
        if name != RULE and max(abs(v) for v in col) < PRUNE:
            continue
        if "\t" in name or "\n" in name:
            continue
        lines.append(name + "".join(f"\t{v:.6f}" for v in col))
        kept += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kept


def train_files(directory: Path = TRAIN_DIR) -> list[Path]:
    return sorted(directory.glob("train_*.tsv"))


def main(argv: Sequence[str] | None = None) -> int:
    """Train on ``data/sentiment/train_*.tsv`` and write ``resources/sentiment_model.tsv``."""
    import sklearn

    argv = list(sys.argv[1:] if argv is None else argv)
    out = Path(argv[0]) if argv else MODEL_FILE
    files = train_files()
    rows = read_corpus(files)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    names, coef, intercept = fit([t for _, t, _ in rows], [y for _, _, y in rows])
    counts = {c: sum(1 for *_, y in rows if y == i) for i, c in enumerate(CLASSES)}
    header = [
        "cxlab sentiment model: multinomial logistic regression (python -m cxlab.text.train).",
        f"Trained on {len(rows)} texts of data/sentiment/train_*.tsv ({counts}),",
        f"sha256 of the files in name order {digest.hexdigest()[:16]}; C = {C};",
        f"scikit-learn {sklearn.__version__}; weights below {PRUNE} in every class dropped.",
        "Licence: BSD-3-Clause (trained only on text written for cxlab).",
    ]
    kept = write_model(names, coef, intercept, out, header)
    print(f"{out}: {kept:,} features from {len(rows):,} texts ({counts})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

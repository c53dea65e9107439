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
    """The rows of labelled corpus files.

    Parameters
    ----------
    paths : iterable of pathlib.Path
        Files of ``domain<TAB>label<TAB>text`` lines (label 0 negative, 1 positive,
        2 neutral); empty lines and lines starting with ``#`` are skipped.

    Returns
    -------
    list of (str, str, int)
        (domain, text, class code) per line.

    Raises
    ------
    ValueError
        Naming the file and line of the first malformed line.

    Examples
    --------
    >>> rows = read_corpus([TRAIN_DIR / "train_news.tsv"])
    >>> domain, text, label = rows[0]
    >>> domain, label in (0, 1, 2), len(rows) > 0
    ('news', True, True)
    """
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
    """Features and rule scores of texts, exactly as :func:`cxlab.text.sentiment` computes them.

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    (list of dict, list of float)
        Per text, its features and its rule score (:func:`cxlab.text.sentiment.model_inputs`
        of its analysis form).

    Examples
    --------
    >>> feats, rules = encode(["很满意"])
    >>> feats, [round(r, 3) for r in rules]
    ([{'w:满意': 1.3, 'c:满意': 1.0}], [0.778])
    """
    feats, rules = [], []
    for t in texts:
        f, r = model_inputs(tokenize(analysis_text(t)))
        feats.append(f)
        rules.append(r)
    return feats, rules


def fit(texts: Sequence[str], labels: Sequence[int], c: float = C):
    """Fit the model.

    Parameters
    ----------
    texts : sequence of str
    labels : sequence of int
        Class codes (0 negative, 1 positive, 2 neutral); all three must occur.
    c : float
        Inverse regularisation strength.

    Returns
    -------
    (list of str, numpy.ndarray, numpy.ndarray)
        Feature names (the rule score last, as :data:`cxlab.text.model.RULE`), the
        coefficient matrix (classes x features) and the intercepts.

    Notes
    -----
    L2-penalised multinomial logistic regression (scikit-learn ``LogisticRegression``,
    lbfgs; classes weighted inversely to their frequency), with the rule score as one more
    (continuous) column. See Hastie, Tibshirani & Friedman, *The Elements of Statistical
    Learning* (2009), 4.4.

    Examples
    --------
    >>> names, coef, intercept = fit(["很好", "太差了", "今天开会"], [1, 0, 2])
    >>> names[-1], coef.shape[0], len(intercept)
    ('__rule__', 3, 3)
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
    """Write the model table.

    Parameters
    ----------
    names, coef, intercept
        As :func:`fit` returns them.
    path : pathlib.Path
        The file to write.
    header : sequence of str
        Comment lines at the top (provenance and licence).

    Returns
    -------
    int
        The feature rows kept: features whose weights are all below :data:`PRUNE` in
        absolute value are dropped (the rule score never is).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = Path(d) / "m.tsv"
    ...     kept = write_model(["w:好", "w:的", RULE], np.array([[-1, 0, 0.5], [1, 0, 0.5], [0, 0, 0]]),
    ...                        [0.0, 0.0, 0.0], path, ["test"])
    ...     kept, path.read_text(encoding="utf-8").splitlines()[3].split()
    (2, ['w:好', '-1.000000', '1.000000', '0.000000'])
    """
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
    """The training files of a folder.

    Parameters
    ----------
    directory : pathlib.Path
        Default ``data/sentiment/``.

    Returns
    -------
    list of pathlib.Path
        Its ``train_*.tsv`` files in name order (``heldout.tsv`` is never one of them).

    Examples
    --------
    >>> [p.name for p in train_files()][:2]
    ['train_colloquial.tsv', 'train_complaint.tsv']
    """
    return sorted(directory.glob("train_*.tsv"))


def main(argv: Sequence[str] | None = None) -> int:
    """Train on ``data/sentiment/train_*.tsv`` and write the model table.

    Parameters
    ----------
    argv : sequence of str, optional
        ``[path]``: where to write (default ``resources/sentiment_model.tsv``); default the
        command line.

    Returns
    -------
    int
        The exit code, 0.

    Examples
    --------
    Retraining takes a few seconds, so this one is not run as a doctest
    (``tests/test_text.py`` checks that it reproduces the shipped table):

    >>> main(["/tmp/model.tsv"])  # doctest: +SKIP
    /tmp/model.tsv: 17,000 features from 5,000 texts (...)
    0
    """
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

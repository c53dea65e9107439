"""Sentiment that learns a team's own labelled comments.

:func:`train_sentiment` adapts a model to labelled comments (label ``1`` positive, ``0``
negative, ``2`` neutral, as in ``data/sentiment/``), starting from cxlab's shipped model when
``base=True``, and measures it by cross-validation on those labels; a
:class:`SentimentModel` is saved to and loaded from a small text file and scores comments in
:func:`cxlab.text.sentiment` and :func:`cxlab.text.analyze` (``model=``).
:func:`suggest_labels` says which comments to label next; :func:`append_label` and
:func:`read_labels` keep labels in a TSV file of the ``data/sentiment/`` format, written one
line at a time (what :func:`cxlab.widgets.labeler` uses).

Training is a few seconds of numpy and scipy (both cxlab dependencies); scoring reads the
stored weights, so neither needs scikit-learn.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from cxlab.text import model as shipped
from cxlab.text.batch import score_chunk
from cxlab.text.model import CLASSES, CLAUSE_END
from cxlab.text.prepare import analysis_text
from cxlab.text.segment import tokenize_many
from cxlab.text.sentiment import NEUTRAL_BAND, model_inputs

__all__ = [
    "LABEL_CODES",
    "SentimentModel",
    "append_label",
    "as_model",
    "read_labels",
    "report_model",
    "suggest_labels",
    "train_sentiment",
    "tsv_text",
    "wilson",
]

#: Label names and their codes in ``data/sentiment/`` files (codes index :data:`CLASSES`).
LABEL_CODES = {"negative": 0, "positive": 1, "neutral": 2}
#: Inverse L2 penalty of the word and bigram weights, chosen on the development sample of the
#: review corpus, never on its evaluation sample (``benchmarks/learning_curve.py``): 0.1 beat
#: 1.0 by 1 to 1.5 points at 300, 1,000 and 3,000 labels, with and without the shipped model,
#: and 0.03-0.1 were level (data/sentiment/README.md).
C = 0.1
#: L2 penalty of the shipped model's inputs (weak: they carry the prior).
DENSE_PENALTY = 1.0
#: A feature is learned when at least this many labelled comments have it.
MIN_COUNT = 2
#: Cross-validation folds.
FOLDS = 5
#: Weight of an unlabelled comment against a labelled one in the naive Bayes input (the λ of
#: Nigam et al. 2000), chosen on the development sample (data/sentiment/README.md): 1 beat
#: 0.1 on each of eleven pools, chosen labels and random ones alike.
POOL_WEIGHT = 1.0
#: EM iterations of that naive Bayes over the unlabelled comments after its first M-step
#: (whose posterior is the shipped model's): 0 beat 3 on the development sample (3 let the
#: naive Bayes's own overconfident posteriors take over: 1,000 random labels 0.821 against
#: 0.812).
EM_ITERATIONS = 0
_BASE, _RULE, _LOGODDS, _BIAS = "__base__", "__rule__", "__logodds__", "__bias__"
#: The shipped model's inputs of a model trained with ``base=True``, in column order.
BASE_INPUTS = (_BASE, _RULE, _LOGODDS)
_MAGIC = "# cxlab sentiment model"


def _text_features(tokens: list[str], inputs=None) -> tuple[dict[str, float], float]:
    """Features of one tokenised text: the shipped model's words (negation and degree), the
    character bigrams of the whole text within clauses, "!"/"?"; and the rule score.
    ``inputs``: the text's :func:`~cxlab.text.sentiment.model_inputs`, when already known."""
    feats, rule = model_inputs(tokens) if inputs is None else inputs
    out = {k: v for k, v in feats.items() if not k.startswith("c:")}
    prev = ""
    for ch in "".join(tokens):
        if ch in CLAUSE_END or ch.isspace():
            prev = ""
            continue
        if prev:
            out["b:" + prev + ch] = 1.0
        prev = ch
    return out, rule


def _tokens(texts: Sequence[str]) -> list[list[str]]:
    return tokenize_many([analysis_text(t) for t in texts])


def _encode(
    token_lists: Sequence[list[str]], base: bool
) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """Sparse features per text; with ``base``, the dense inputs (:data:`BASE_INPUTS`: the
    shipped model's score, the rule score and the shipped model's log-odds positive against
    negative) and the shipped model's log-probabilities (the prior), else empty/zero."""
    feats, dense, prior = [], [], []
    for tokens in token_lists:
        inputs = model_inputs(tokens)
        f, rule = _text_features(tokens, inputs)
        feats.append(f)
        if base:
            p = shipped.probabilities(*inputs)
            logp = np.log(np.maximum(p, 1e-300))
            dense.append((p[1] - p[0], rule, logp[1] - logp[0]))
            prior.append(logp)
    if not base:
        return feats, np.zeros((len(feats), 0)), np.zeros((len(feats), len(CLASSES)))
    dense_array = np.array(dense).reshape(-1, len(BASE_INPUTS))
    return feats, dense_array, np.array(prior).reshape(-1, len(CLASSES))


def _matrix(feats: list[dict], index: dict[str, int]) -> sparse.csr_matrix:
    """Rows of the texts' features, columns of ``index`` (features not in it left out)."""
    chain = itertools.chain.from_iterable
    cols = np.array(list(map(index.get, chain(feats), itertools.repeat(-1))), dtype=np.int64)
    vals = np.array(list(chain(fs.values() for fs in feats)), dtype=float).reshape(len(cols))
    rows = np.repeat(np.arange(len(feats)), [len(fs) for fs in feats])
    keep = cols >= 0
    return sparse.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(len(feats), len(index)))


def _fit(x, dense: np.ndarray, prior: np.ndarray, y: np.ndarray, k: int, start=None):
    """L2-penalised multinomial logistic regression, classes weighted inversely to their counts,
    around a prior: logits = prior + X W + D V + b.

    Minimises ``c * sum_i s_i * CE_i + ||W||^2 / 2 + DENSE_PENALTY * ||V||^2 / 2`` over the
    sparse weights W, the dense weights V and the intercepts (L-BFGS, from ``start``: the
    optimum is unique, so a start near it only saves iterations).
    """
    c = C
    n, d = x.shape
    m = dense.shape[1]
    sw = n / (k * np.bincount(y, minlength=k)[y])
    onehot = np.eye(k)[y]
    xt = x.T.tocsr()

    def loss(theta):
        w, v, b = theta[: d * k].reshape(d, k), theta[d * k : (d + m) * k].reshape(m, k), theta[-k:]
        z = x @ w + dense @ v + b + prior
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -c * float((sw * (onehot * logp).sum(axis=1)).sum())
        value += 0.5 * float((w * w).sum()) + 0.5 * DENSE_PENALTY * float((v * v).sum())
        g = c * sw[:, None] * (np.exp(logp) - onehot)
        grad = np.concatenate(
            [(xt @ g + w).ravel(), (dense.T @ g + DENSE_PENALTY * v).ravel(), g.sum(axis=0)]
        )
        return value, grad

    x0 = np.zeros((d + m + 1) * k) if start is None else np.concatenate([a.ravel() for a in start])
    theta = _lbfgs(loss, x0)
    return theta[: d * k].reshape(d, k), theta[d * k : (d + m) * k].reshape(m, k), theta[-k:]


def _lbfgs(f, x: np.ndarray, *, memory: int = 10, tol: float = 1e-8, maxiter: int = 1000):
    """Minimise a smooth convex ``f`` (returning value and gradient) by L-BFGS with Armijo
    backtracking (Nocedal & Wright 2006, algorithm 7.4); stops when an iteration lowers the
    value by less than ``tol`` relative to it (as scipy's L-BFGS-B ``factr``).

    Here rather than scipy's L-BFGS-B, whose per-iteration overhead on 10^5 parameters was
    ten times the cost of the gradient itself. Dot products go through :func:`_dot`, not BLAS:
    threaded BLAS made training 8 times slower on a busy machine.
    """
    fx, g = f(x)
    pairs: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(maxiter):
        q = g.copy()
        alphas = []
        for s_, y_, rho in reversed(pairs):
            a = rho * _dot(s_, q)
            q -= a * y_
            alphas.append(a)
        if pairs:
            s_, y_, _ = pairs[-1]
            q *= _dot(s_, y_) / _dot(y_, y_)
        for (s_, y_, rho), a in zip(pairs, reversed(alphas), strict=True):
            q += s_ * (a - rho * _dot(y_, q))
        step, slope = -q, -_dot(g, q)
        if slope >= 0:  # not a descent direction: restart from the gradient
            pairs.clear()
            step, slope = -g, -_dot(g, g)
        t = 1.0
        while True:
            xn = x + t * step
            fn, gn = f(xn)
            if fn <= fx + 1e-4 * t * slope or t < 1e-12:
                break
            t *= 0.5
        s_, y_ = xn - x, gn - g
        ys = _dot(y_, s_)
        if ys > 1e-12:
            pairs.append((s_, y_, 1.0 / ys))
            pairs = pairs[-memory:]
        done = fx - fn <= tol * max(abs(fn), 1.0)
        x, fx, g = xn, fn, gn
        if done:
            break
    return x


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Dot product of two vectors in one thread (no BLAS)."""
    return float(np.einsum("i,i->", a, b))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _bands(score: np.ndarray) -> np.ndarray:
    """Label codes of scores as :func:`cxlab.text.sentiment` labels them."""
    return np.where(score > NEUTRAL_BAND, 1, np.where(score < -NEUTRAL_BAND, 0, 2))


def _scores(p: np.ndarray, classes: tuple[int, ...]) -> np.ndarray:
    """P(positive) - P(negative) from probabilities in the order of ``classes``."""
    pos = p[:, classes.index(1)] if 1 in classes else 0.0
    neg = p[:, classes.index(0)] if 0 in classes else 0.0
    return pos - neg


def wilson(correct: int, n: int, *, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of a proportion.

    Parameters
    ----------
    correct : int
        Successes.
    n : int
        Trials.
    alpha : float
        1 - confidence level.

    Returns
    -------
    (float, float)
        Lower and upper bound (NaN when ``n`` is 0).

    Notes
    -----
    Wilson (1927), *JASA* 22: 209-212; R: ``prop.test(x, n, correct = FALSE)$conf.int``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson(80, 100)]
    [0.7112, 0.8666]
    """
    if n == 0:
        return math.nan, math.nan
    from scipy.stats import norm

    z = norm.ppf(1 - alpha / 2)
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return float(centre - half), float(centre + half)


@dataclasses.dataclass(frozen=True, eq=False)
class SentimentModel:
    """A sentiment model trained on labelled comments by :func:`train_sentiment`.

    Attributes
    ----------
    features : tuple of str
        Feature names (``w:word``, ``n:word`` negated, ``b:xy`` character bigram, ``p:!``).
    weights : numpy.ndarray
        One row per feature, one column per class of ``classes``.
    dense : tuple of str
        :data:`BASE_INPUTS` ``("__base__", "__rule__", "__logodds__")``: the shipped model's
        score, the rule score and the shipped model's log-odds positive against negative,
        when trained with ``base=True``; else empty (a file saved before the log-odds input
        existed loads with the first two).
    dense_weights : numpy.ndarray
        Their weights, one row each.
    bias : numpy.ndarray
        The intercepts, one per class.
    classes : tuple of int
        The label codes learned (1 positive, 0 negative, 2 neutral), in column order.
    counts : dict
        Label code -> labels learned from.
    accuracy, ci_low, ci_high : float
        Cross-validated accuracy of the labels (:func:`cxlab.text.sentiment`'s ``label``
        against the given one) and its 95 % Wilson interval; NaN when there were too few
        labels to cross-validate.
    folds : int
        Folds of that cross-validation (0: none).
    name : str
        A name for reports (default ``"team"``; a loaded model: its file name).
    """

    features: tuple[str, ...]
    weights: np.ndarray
    dense: tuple[str, ...]
    dense_weights: np.ndarray
    bias: np.ndarray
    classes: tuple[int, ...]
    counts: dict
    accuracy: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    folds: int = 0
    name: str = "team"

    @property
    def base(self) -> bool:
        """Whether the model builds on the shipped model's score."""
        return bool(self.dense)

    @property
    def n_labels(self) -> int:
        """How many labels it learned from."""
        return int(sum(self.counts.values()))

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {f: i for i, f in enumerate(self.features)}

    def probabilities(self, token_lists: Sequence[list[str]]) -> np.ndarray:
        """Class probabilities of tokenised texts.

        Parameters
        ----------
        token_lists : sequence of list of str
            The tokens of each text's analysis form
            (:func:`cxlab.text.segment.tokenize_many`).

        Returns
        -------
        numpy.ndarray
            One row per text, one column per class of :data:`cxlab.text.model.CLASSES`
            (negative, positive, neutral); a class the model never saw has probability 0.

        Examples
        --------
        >>> m = train_sentiment(pd.DataFrame({"text": ["很好", "太差"], "label": [1, 0]}))
        >>> m.probabilities([["很", "好"]]).shape
        (1, 3)
        """
        feats, dense, prior = _encode(token_lists, self.base)
        dense = dense[:, [BASE_INPUTS.index(d) for d in self.dense]]
        z = _matrix(feats, self._index) @ self.weights + dense @ self.dense_weights + self.bias
        z = z + prior[:, list(self.classes)]
        p = _softmax(np.asarray(z, dtype=float).reshape(len(feats), len(self.classes)))
        out = np.zeros((len(feats), len(CLASSES)))
        out[:, list(self.classes)] = p
        return out

    def score_tokens(self, token_lists: Sequence[list[str]]) -> np.ndarray:
        """Scores in [-1, 1] of tokenised texts: P(positive) - P(negative).

        Parameters
        ----------
        token_lists : sequence of list of str
            As :meth:`probabilities` takes them.

        Returns
        -------
        numpy.ndarray

        Examples
        --------
        >>> m = train_sentiment(pd.DataFrame({"text": ["很好", "太差"], "label": [1, 0]}))
        >>> bool(m.score_tokens([["很", "好"]])[0] > 0)
        True
        """
        p = self.probabilities(token_lists)
        return p[:, 1] - p[:, 0]

    def describe(self) -> dict:
        """What a report says about the model.

        Returns
        -------
        dict
            ``name``, ``base``, ``n_labels``, ``accuracy``, ``ci_low``, ``ci_high``,
            ``folds``.

        Examples
        --------
        >>> m = train_sentiment(pd.DataFrame({"text": ["很好", "太差"], "label": [1, 0]}))
        >>> m.describe()["n_labels"]
        2
        """
        return {
            "name": self.name,
            "base": self.base,
            "n_labels": self.n_labels,
            "accuracy": self.accuracy,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "folds": self.folds,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model to a text file (UTF-8 TSV: feature, then one weight per class).

        Parameters
        ----------
        path : str or pathlib.Path

        Returns
        -------
        pathlib.Path
            The file written (atomically: a temporary file, then renamed).

        Examples
        --------
        >>> import tempfile
        >>> m = train_sentiment(pd.DataFrame({"text": ["很好", "太差"], "label": [1, 0]}))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     back = SentimentModel.load(m.save(f"{d}/m.tsv"))
        >>> back.classes, back.n_labels
        ((0, 1), 2)
        """
        path = Path(path)
        meta = {
            "classes": list(self.classes),
            "counts": {str(k): v for k, v in self.counts.items()},
            "accuracy": self.accuracy,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "folds": self.folds,
        }
        lines = [
            f"{_MAGIC} (cxlab.text.learn.train_sentiment); scored by cxlab without scikit-learn",
            "# meta " + json.dumps(meta),
            "# feature\t" + "\t".join(CLASSES[c] for c in self.classes),
        ]
        rows = [(_BIAS, self.bias)]
        rows += list(zip(self.dense, self.dense_weights, strict=True))
        rows += [
            (f, w)
            for f, w in zip(self.features, self.weights, strict=True)
            if np.abs(w).max() >= 1e-6 and "\t" not in f and "\n" not in f
        ]
        lines += [name + "".join(f"\t{v:.9g}" for v in w) for name, w in rows]
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save`.

        Parameters
        ----------
        path : str or pathlib.Path

        Returns
        -------
        SentimentModel
            Named after the file's stem.

        Raises
        ------
        ValueError
            The file is not a saved cxlab sentiment model.

        Examples
        --------
        See :meth:`save`.

        >>> SentimentModel.load("no/such/file.tsv")  # doctest: +SKIP
        """
        path = Path(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith(_MAGIC) or not lines[1].startswith("# meta "):
            raise ValueError(f"{path} is not a sentiment model saved by SentimentModel.save.")
        meta = json.loads(lines[1][len("# meta ") :])
        table = {}
        for line in lines[3:]:
            name, *ws = line.split("\t")
            table[name] = np.array([float(w) for w in ws])
        dense = tuple(d for d in BASE_INPUTS if d in table)
        k = len(meta["classes"])
        features = tuple(f for f in table if f not in (_BIAS, *dense))
        return cls(
            features=features,
            weights=np.array([table[f] for f in features]).reshape(-1, k),
            dense=dense,
            dense_weights=np.array([table[d] for d in dense]).reshape(-1, k),
            bias=table[_BIAS],
            classes=tuple(meta["classes"]),
            counts={int(c): n for c, n in meta["counts"].items()},
            accuracy=float(meta["accuracy"]),
            ci_low=float(meta["ci_low"]),
            ci_high=float(meta["ci_high"]),
            folds=int(meta["folds"]),
            name=path.stem,
        )


def as_model(model) -> SentimentModel | None:
    """A sentiment model from what a caller passed as ``model``.

    Parameters
    ----------
    model : SentimentModel, str, pathlib.Path or None
        A model, the path of a saved one, or None (or ""): cxlab's shipped model.

    Returns
    -------
    SentimentModel or None

    Raises
    ------
    TypeError
        ``model`` is something else.

    Examples
    --------
    >>> as_model(None) is None, as_model("") is None
    (True, True)
    """
    if model is None or (isinstance(model, str) and not model):
        return None
    if isinstance(model, SentimentModel):
        return model
    if isinstance(model, str | os.PathLike):
        return _load_cached(str(Path(model).resolve()))
    raise TypeError(
        f"`model` should be a SentimentModel or the path of a saved one, not {type(model).__name__}."
    )


def report_model(*, parameter: str | Path | None = "", codebook=None) -> SentimentModel | None:
    """The sentiment model a report scores comments with.

    Parameters
    ----------
    parameter : str or pathlib.Path, optional
        The report's ``sentiment_model`` parameter: a saved model's path (relative to the
        working folder, as the ``data`` parameter); it overrides the codebook.
    codebook : cxlab.codebook.Codebook, optional
        Its ``sentiment_model:`` key (already resolved against the codebook's folder and
        checked to exist when the codebook was read).

    Returns
    -------
    SentimentModel or None
        None: neither names a model, cxlab's shipped model scores.

    Raises
    ------
    FileNotFoundError
        The parameter names a file that does not exist (the message names the parameter and
        the file).

    Examples
    --------
    >>> report_model() is None
    True
    >>> report_model(parameter="no/such/model.tsv")
    Traceback (most recent call last):
    ...
    FileNotFoundError: The `sentiment_model` parameter names no/such/model.tsv, which does not exist.
    """
    if parameter:
        if not Path(parameter).is_file():
            raise FileNotFoundError(
                f"The `sentiment_model` parameter names {parameter}, which does not exist."
            )
        return as_model(parameter)
    found = getattr(codebook, "sentiment_model", None)
    return as_model(found) if found else None


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> SentimentModel:
    return SentimentModel.load(path)


def _labels_of(df: pd.DataFrame, text: str, label: str) -> tuple[list[str], np.ndarray]:
    """The labelled rows: texts and label codes (rows without a text or a label left out)."""
    missing = [c for c in (text, label) if c not in df.columns]
    if missing:
        raise ValueError(
            f"Column(s) {missing} not in the labels; columns are {list(df.columns)[:20]}."
        )
    d = df[[text, label]].dropna()
    d = d[d[text].map(lambda t: isinstance(t, str) and bool(t.strip()))]
    codes = pd.to_numeric(d[label], errors="coerce")
    bad = d[label][~codes.isin([0, 1, 2])]
    if len(bad):
        raise ValueError(
            f"Column `{label}` should hold 1 (positive), 0 (negative) or 2 (neutral), but has "
            f"{len(bad)} other value(s): {bad.unique()[:5].tolist()}."
        )
    y = codes.to_numpy(dtype=int)
    if len(set(y)) < 2:
        raise ValueError(
            f"Column `{label}` needs labels of at least two classes to learn from; it has "
            f"{len(y)} label(s) of {sorted(set(y.tolist()))}."
        )
    return d[text].tolist(), y


def _folds(y: np.ndarray, k: int, seed) -> np.ndarray:
    """Stratified fold of each label: each class shuffled, then dealt round the folds."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=int)
    start = 0
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        fold[idx] = (np.arange(len(idx)) + start) % k
        start += len(idx)
    return fold


def _n_folds(pos: np.ndarray) -> int:
    """Folds of the cross-validation: :data:`FOLDS`, fewer when a class has fewer labels."""
    return min(FOLDS, int(np.bincount(pos).min()))


def _cross_validate(x, dense, prior, pos, y, classes, fold, start, bayes=None):
    """Out-of-fold accuracy of the labels, its Wilson interval and the number of folds; with
    ``bayes`` (:class:`_PoolBayes`), each fold's naive Bayes input is computed without it."""
    k = int(fold.max()) + 1 if len(fold) else 0
    if k < 2:
        return math.nan, math.nan, math.nan, 0
    predicted = np.empty(len(y), dtype=int)
    for f in range(k):
        train, test = fold != f, fold == f
        d = dense
        if bayes is not None:
            d = np.hstack([dense, bayes.out_of_fold(without=f)[:, None]])
        w, v, b = _fit(x[train], d[train], prior[train], pos[train], len(classes), start)
        p = _softmax(np.asarray(x[test] @ w + d[test] @ v + b + prior[test]))
        predicted[test] = _bands(_scores(p, classes))
    correct = int((predicted == y).sum())
    return correct / len(y), *wilson(correct, len(y)), k


class _PoolBayes:
    """Semi-supervised multinomial naive Bayes, positive against negative, over the labelled
    comments and an unlabelled pool (EM, Nigam, McCallum, Thrun & Mitchell 2000): its
    log-odds is one more input of the logistic model (see :func:`train_sentiment`)."""

    def __init__(self, feats, y, pool_feats, start, fold):
        seen = Counter(f for fs in (*feats, *pool_feats) for f in fs)
        self.names = sorted(f for f, count in seen.items() if count >= MIN_COUNT)
        index = {f: i for i, f in enumerate(self.names)}
        self.x = _matrix(feats, index).tocsr()
        self.pool = _matrix(pool_feats, index).tocsr()
        self.pool_t = self.pool.T.tocsr()
        self.pool_sum = np.asarray(self.pool.sum(axis=0)).ravel()
        self.start = start  # P(positive) of each pool comment before the first M-step
        self.fold = fold
        # Feature sums of each fold's positive and negative labels (a fit leaves folds out).
        self.sums = {
            (g, c): np.asarray(self.x[(fold == g) & (y == c)].sum(axis=0)).ravel()
            for g in np.unique(fold)
            for c in (0, 1)
        }
        self._fits: dict[frozenset, np.ndarray] = {}
        self.scale = 1.0
        self.final = self.log_odds(frozenset())

    def log_odds(self, without: frozenset) -> np.ndarray:
        """Weights of the features, log P(f | positive) - log P(f | negative) (Laplace
        smoothed), of a naive Bayes fitted without the labels of the folds ``without``."""
        if without not in self._fits:
            pos, neg = (
                sum(v for (g, c), v in self.sums.items() if c == cls and g not in without)
                for cls in (1, 0)
            )
            post = self.start
            if post is None:  # no shipped model: the first posterior is the labels' own NB
                post = _logistic(self.pool @ (_log_share(pos) - _log_share(neg)))
            for _ in range(EM_ITERATIONS + 1):
                ppos = self.pool_t @ post
                r = _log_share(pos + POOL_WEIGHT * ppos) - _log_share(
                    neg + POOL_WEIGHT * (self.pool_sum - ppos)
                )
                post = _logistic(self.pool @ r)
            self._fits[without] = r
        return self._fits[without]

    def out_of_fold(self, without: int | None = None) -> np.ndarray:
        """The input of each labelled comment from a naive Bayes fitted without its fold (and
        without fold ``without``), divided by :attr:`scale`."""
        col = np.zeros(self.x.shape[0])
        for g in np.unique(self.fold):  # fold ``without`` itself: fitted without it alone
            rows = self.fold == g
            col[rows] = self.x[rows] @ self.log_odds(frozenset({g, without}) - {None})
        return col / self.scale


def _logistic(z) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(z, dtype=float), -30, 30)))


def _log_share(counts: np.ndarray) -> np.ndarray:
    """Log of Laplace-smoothed shares of ``counts``."""
    counts = np.asarray(counts, dtype=float).ravel() + 1.0
    return np.log(counts) - np.log(counts.sum())


def _unlabelled(pool, labelled: list[str]) -> list[str]:
    """The distinct comments of ``pool`` (str, not empty) that are not among ``labelled``."""
    if pool is None:
        return []
    done = set(labelled)
    values = pool.tolist() if isinstance(pool, pd.Series) else list(pool)
    return [t for t in dict.fromkeys(values) if isinstance(t, str) and t.strip() and t not in done]


def train_sentiment(
    df: pd.DataFrame,
    *,
    text: str = "text",
    label: str = "label",
    base: bool = True,
    pool=None,
    seed: int | None = None,
) -> SentimentModel:
    """A sentiment model adapted to labelled comments, with its cross-validated accuracy.

    Parameters
    ----------
    df : pandas.DataFrame
        One labelled comment per row (e.g. :func:`read_labels` of a labeler's file). Rows
        without a text or a label are left out.
    text : str
        The comment column.
    label : str
        The label column: 1 positive, 0 negative, 2 neutral (as in ``data/sentiment/``);
        at least two classes.
    base : bool
        Start from cxlab's shipped model: its log-probabilities are the starting point (the
        prior) and its score, log-odds and the lexicon rules' score are inputs of the new
        model, so that a few hundred labels correct it rather than start from nothing.
        False: learn from the labels alone.
    pool : pandas.Series or sequence of str, optional
        The team's comments, labelled or not (e.g. all those the labeler shows): those not
        among the labels shape one more input, a naive Bayes fitted on the labels and on
        them (Notes). None: the labels alone.
    seed : int, optional
        Seeds the assignment of labels to cross-validation folds.

    Returns
    -------
    SentimentModel
        With ``accuracy``, ``ci_low``, ``ci_high`` and ``folds`` of a stratified 5-fold
        cross-validation on the labels given (fewer folds when a class has fewer than 5
        labels; NaN below 2 a class).

    Notes
    -----
    Multinomial logistic regression with an L2 penalty (inverse strength :data:`C`), classes
    weighted inversely to their frequency, over the words of each comment (marked when
    negated, scaled by degree words, as in :mod:`cxlab.text.model`), the character bigrams
    within its clauses, "!" and "?". With ``base=True`` the logits start from the shipped
    model's log-probabilities (an offset, so the learned weights are corrections of it) and
    three more inputs are penalised only lightly (:data:`DENSE_PENALTY`): the shipped
    model's score P(positive) - P(negative), its log-odds log P(positive) - log P(negative)
    (a learned weight on it rescales the shipped model's confidence, as temperature
    scaling does: Guo et al. 2017) and the lexicon rules' score.

    With ``pool``, one more input is the log-odds, positive against negative, of a
    multinomial naive Bayes over the same features (those in at least :data:`MIN_COUNT` of
    the labelled and unlabelled comments, Laplace smoothed), fitted on the positive and
    negative labels and on the unlabelled comments, each of these counted as positive and as
    negative by the shipped model's probabilities (or, with ``base=False``, by a naive Bayes
    of the labels alone) and weighted :data:`POOL_WEIGHT`: the first M-step of EM (Nigam,
    McCallum, Thrun & Mitchell 2000), followed by :data:`EM_ITERATIONS` more (0: on review
    data, more iterations lowered the accuracy). Naive Bayes does well with few labels (Ng &
    Jordan 2002), and the unlabelled comments teach it the words of the team's domain as the
    shipped model reads them. The input of each labelled comment comes from a naive Bayes
    fitted without its cross-validation fold (stacking), and each fold of the
    cross-validation refits it without that fold. Being linear in the features, it is added
    into the saved weights: the model scores and saves as one without.

    Without labels of a class (e.g. no neutral ones) the model
    gives that class probability 0. Fitted by L-BFGS (scipy). Accuracy counts a comment right
    when the label :func:`cxlab.text.sentiment` would give it (|score| < 0.1 neutral) is its
    own; the interval is Wilson's (95 %) over all out-of-fold predictions.

    Examples
    --------
    >>> labels = pd.DataFrame({"text": ["很好", "非常满意", "太差了", "很失望"],
    ...                        "label": [1, 1, 0, 0]})
    >>> m = train_sentiment(labels, seed=0)
    >>> from cxlab.text import sentiment
    >>> m.classes, m.n_labels, m.folds
    ((0, 1), 4, 2)
    >>> sentiment(["服务很好"], model=m)["label"].tolist()
    ['positive']
    >>> pooled = train_sentiment(labels, pool=["快递很快，很满意", "质量太差，很失望"], seed=0)
    >>> pooled.n_labels, len(pooled.features) > len(m.features)
    (4, True)
    """
    texts, y = _labels_of(df, text, label)
    classes = tuple(int(c) for c in np.unique(y))
    pos = np.searchsorted(classes, y)
    feats, dense, prior = _encode(_tokens(texts), base)
    prior = prior[:, list(classes)]
    seen = Counter(f for fs in feats for f in fs)
    names = sorted(f for f, count in seen.items() if count >= MIN_COUNT)
    x = _matrix(feats, {f: i for i, f in enumerate(names)})
    k = _n_folds(pos)
    fold = _folds(pos, k, seed) if k >= 2 else np.zeros(len(y), dtype=int)
    bayes = _pool_bayes(feats, y, pool, texts, base, fold)
    inputs = dense if bayes is None else np.hstack([dense, bayes.out_of_fold()[:, None]])
    w, v, b = _fit(x, inputs, prior, pos, len(classes))
    acc, low, high, folds = _cross_validate(
        x, dense, prior, pos, y, classes, fold, (w, v, b), bayes=bayes
    )
    if bayes is not None:
        names, w = _fold_in(names, w, bayes.names, np.outer(bayes.final / bayes.scale, v[-1]))
        v = v[:-1]
    return SentimentModel(
        features=tuple(names),
        weights=w,
        dense=BASE_INPUTS if base else (),
        dense_weights=v,
        bias=b,
        classes=classes,
        counts={c: int((y == c).sum()) for c in classes},
        accuracy=acc,
        ci_low=low,
        ci_high=high,
        folds=folds,
    )


def _pool_bayes(feats, y, pool, texts, base, fold) -> _PoolBayes | None:
    """The pool's naive Bayes of :func:`train_sentiment`, its :attr:`scale` the spread of its
    out-of-fold input and :attr:`final` fitted on every label; None without unlabelled
    comments, without two folds, or without positive and negative labels."""
    unlabelled = _unlabelled(pool, texts)
    if not unlabelled or fold.max() < 1 or not {0, 1} <= set(y.tolist()):
        return None
    pool_feats, _, pool_prior = _encode(_tokens(unlabelled), base)
    start = None
    if base:  # the shipped model's P(positive) against P(negative)
        start = _logistic(pool_prior[:, 1] - pool_prior[:, 0])
    bayes = _PoolBayes(feats, y, pool_feats, start, fold)
    bayes.scale = float(np.std(bayes.out_of_fold())) or 1.0
    return bayes


def _fold_in(names, w, more, w_more):
    """Features and weights of two linear models added together (a feature of both: the
    sum of its weights)."""
    union = sorted(set(names) | set(more))
    index = {f: i for i, f in enumerate(union)}
    out = np.zeros((len(union), w.shape[1]))
    out[[index[f] for f in names]] += w
    out[[index[f] for f in more]] += w_more
    return union, out


#: Two comments whose character-bigram sets overlap this much (Jaccard) are near-duplicates.
NEAR_DUPLICATE = 0.6


def _bigrams(t: str) -> frozenset[str]:
    t = "".join(ch for ch in t if not (ch in CLAUSE_END or ch.isspace()))
    return frozenset(t[i : i + 2] for i in range(len(t) - 1)) or frozenset({t})


def _sureness(tokens: list[list[str]], model: SentimentModel | None) -> np.ndarray:
    """How sure the model is of each text: the margin between its two likeliest classes (the
    shipped model: |P(positive) - P(negative)|)."""
    if model is None:
        return np.abs(score_chunk(tokens)[0])
    p = np.sort(model.probabilities(tokens), axis=1)
    return p[:, -1] - p[:, -2]


def _strata(norm: list[str], groups) -> np.ndarray:
    """Stratum of each text: its first topic (cxlab's taxonomy) and its group."""
    from cxlab.text.batch import topic_matrix
    from cxlab.text.topics import load_taxonomy

    tax = load_taxonomy(None)
    found = topic_matrix(norm, tax)
    keys = np.array(["", *tax], dtype=object)
    first = np.where(found.any(axis=1), found.argmax(axis=1) + 1, 0)
    return np.array([f"{k}\x1f{g}" for k, g in zip(keys[first], groups, strict=True)], dtype=object)


def _quotas(strata: np.ndarray, n: int) -> dict:
    """Labels per stratum, proportional to its size (largest remainders)."""
    names, sizes = np.unique(strata, return_counts=True)
    exact = n * sizes / sizes.sum()
    quota = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - quota), kind="stable")[: n - quota.sum()]:
        quota[i] += 1
    return dict(zip(names.tolist(), quota.tolist(), strict=True))


def _pick(order: np.ndarray, strata, quotas: dict, grams: list, n: int) -> list[int]:
    """Walk the texts least sure first; take one when its stratum has room and it is no
    near-duplicate of one taken; then fill what is left in the same order."""
    taken: list[int] = []
    taken_set: set[int] = set()
    kept: list[frozenset] = []

    def new(i) -> bool:
        g = grams[i]
        return all(len(g & h) < NEAR_DUPLICATE * len(g | h) for h in kept)

    for respect_quota in (True, False):
        for i in order:
            if len(taken) >= n:
                return taken
            if (respect_quota and quotas[strata[i]] <= 0) or i in taken_set or not new(i):
                continue
            taken.append(int(i))
            taken_set.add(int(i))
            kept.append(grams[i])
            quotas[strata[i]] -= 1
    return taken


def suggest_labels(
    texts, *, model=None, n: int = 200, by=None, seed: int | None = None
) -> pd.Index:
    """Which comments to label next: those the model is least sure of, spread over topics
    and groups, with no near-duplicates.

    Parameters
    ----------
    texts : pandas.Series or sequence of str
        The comments not labelled yet (missing and empty ones are never suggested).
    model : SentimentModel, path or None
        The current model; None: cxlab's shipped model.
    n : int
        How many to suggest (fewer when fewer distinct comments remain).
    by : pandas.Series or sequence, optional
        A group of each comment (a segment's values, aligned with ``texts``): suggestions are
        spread over these groups as well as over topics.
    seed : int, optional
        Breaks ties between comments the model is equally sure of.

    Returns
    -------
    pandas.Index
        Labels of ``texts``' index (a list: positions), least sure first.

    Notes
    -----
    Uncertainty sampling (Lewis & Gale 1994) with stratification: sureness is the margin
    between the model's two likeliest classes (for the shipped model |score|). The comments
    are grouped by their first topic in cxlab's taxonomy (none is a group too) and by ``by``;
    each group gets a share of the ``n`` proportional to its size (largest remainders) and
    fills it with its least sure comments; a comment whose character bigrams overlap one
    already chosen by 60 % or more (Jaccard) is passed over, so the suggestions are not
    copies of one another. Places a group cannot fill go to the least sure comments left.

    Examples
    --------
    >>> s = pd.Series(["很好", "很好！", "太差了", "还行吧，价格一般", "物流慢，但客服好"],
    ...               index=list("abcde"))
    >>> list(suggest_labels(s, n=3, seed=0))
    ['e', 'a', 'c']
    """
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    groups = (
        np.full(len(s), "", dtype=object)
        if by is None
        else np.asarray(pd.Series(list(by)).astype(str), dtype=object)
    )
    if len(groups) != len(s):
        raise ValueError(f"`by` has {len(groups)} values for {len(s)} comments.")
    ok = np.flatnonzero([isinstance(t, str) and bool(t.strip()) for t in s.tolist()])
    if not len(ok) or n <= 0:
        return s.index[[]]
    values = s.tolist()
    norm = [analysis_text(values[i]) for i in ok]
    sure = _sureness(tokenize_many(norm), as_model(model))
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(ok)), sure))
    strata = _strata(norm, groups[ok])
    n = min(n, len(ok))
    chosen = _pick(order, strata, _quotas(strata, n), [_bigrams(t) for t in norm], n)
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    chosen.sort(key=rank.__getitem__)
    return s.index[ok[chosen]]


#: The first line of a labels file.
LABELS_HEADER = (
    "# cxlab labels: domain<TAB>label<TAB>text (1 positive, 0 negative, 2 neutral; "
    "'# skip' lines: passed over); the data/sentiment/ format"
)


def tsv_text(text: str) -> str:
    """A comment as a labels file holds it: tabs and line breaks become spaces, runs of
    whitespace one space.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> tsv_text("物流\\t很快\\n 好评")
    '物流 很快 好评'
    """
    return " ".join(str(text).replace("\t", " ").split())


def append_label(path: str | Path, text: str, label, *, domain: str = "team") -> None:
    """Append one label to a labels file, at once and to the disk.

    Parameters
    ----------
    path : str or pathlib.Path
        The TSV file (created with a header line when new).
    text : str
        The comment as shown (redacted); tabs and line breaks become spaces.
    label : {"positive", "negative", "neutral", "skip"} or {1, 0, 2}
        ``"skip"`` writes a ``# skip`` line: the comment was passed over (it is not a label,
        and readers of the ``data/sentiment/`` format skip it as a comment line).
    domain : str
        The first column (a word naming where the comments come from).

    Returns
    -------
    None

    Notes
    -----
    Each label is one ``write`` of one line to a file opened for appending, then flushed and
    ``os.fsync``-ed, so a label is on disk before the next comment is shown: a kernel that
    dies loses nothing that was labelled.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     append_label(f"{d}/l.tsv", "快递很快", "positive")
    ...     append_label(f"{d}/l.tsv", "一般\\t吧", "skip")
    ...     read_labels(f"{d}/l.tsv").to_dict("list")
    {'domain': ['team', 'team'], 'label': [1, None], 'text': ['快递很快', '一般 吧']}
    """
    if label == "skip":
        line = f"# skip\t{domain}\t{tsv_text(text)}\n"
    else:
        code = LABEL_CODES.get(label, label)
        if code not in (0, 1, 2) or isinstance(code, bool):
            raise ValueError(
                f"`label` should be 'positive', 'negative', 'neutral', 'skip' or 1, 0, 2; "
                f"not {label!r}."
            )
        if "\t" in domain or not domain.strip():
            raise ValueError(f"`domain` should be a word without tabs, not {domain!r}.")
        line = f"{domain}\t{int(code)}\t{tsv_text(text)}\n"
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", encoding="utf-8", newline="\n") as f:
        f.write((LABELS_HEADER + "\n" if new else "") + line)
        f.flush()
        os.fsync(f.fileno())


def read_labels(path: str | Path) -> pd.DataFrame:
    """The labels of a labels file (or of any ``data/sentiment/`` file).

    Parameters
    ----------
    path : str or pathlib.Path
        A file of ``domain<TAB>label<TAB>text`` lines. A missing file gives no labels.

    Returns
    -------
    pandas.DataFrame
        Columns ``domain``, ``label`` (Int64: 1 positive, 0 negative, 2 neutral; missing for
        a comment passed over) and ``text``, in file order. Later lines of the same text
        replace earlier ones (a comment labelled again). A last line cut short (a write
        interrupted by the machine going down) is left out.

    Examples
    --------
    See :func:`append_label`.

    >>> read_labels("no/such/file.tsv").shape
    (0, 3)
    """
    path = Path(path)
    rows: dict[str, tuple[str, object]] = {}
    if path.exists():
        lines = path.read_text(encoding="utf-8").split("\n")
        for n, line in enumerate(lines, start=1):
            skip = line.startswith("# skip\t")
            if (line.startswith("#") and not skip) or not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 3 or (not skip and parts[1] not in ("0", "1", "2")):
                if n == len(lines):  # the last line, without its line break
                    continue
                raise ValueError(f"{path}, line {n}: expected 'domain<TAB>label<TAB>text'.")
            if skip:
                domain, label, text = parts[1], None, parts[2]
            else:
                domain, label, text = parts[0], int(parts[1]), parts[2]
            rows.pop(text, None)
            rows[text] = (domain, label)
    return pd.DataFrame(
        {
            "domain": pd.Series([d for d, _ in rows.values()], dtype=object),
            "label": pd.array([lab for _, lab in rows.values()], dtype="Int64"),
            "text": pd.Series(list(rows), dtype=object),
        }
    )

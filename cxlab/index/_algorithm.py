"""Wold's PLS path-modelling algorithm on covariance matrices, batched over resamples.

Internal to :mod:`cxlab.index` (tested through :func:`cxlab.index.pls_pm` and directly in
``tests/test_index.py``). Every step of Lohmöller's version of Wold's algorithm, as R ``plspm``
0.5 runs it (``get_weights``, ``get_path_scheme``, ``get_scores``, ``get_paths``), needs only the
covariance matrix ``S`` of the treated items (standardised or centred, population moments):
the construct scores are linear in the items, so every variance, correlation and regression
among scores and items is a quadratic form in ``S``. Working on ``S`` makes a weighted model the
same code (a weighted ``S``) and lets thousands of bootstrap resamples run as one batch of small
matrices: ``S`` has shape ``(B, p, p)`` for ``B`` resamples of ``p`` items.

Shapes used throughout: ``p`` items, ``L`` constructs, ``B`` resamples (1 for the fit itself).
The examples share one tiny model: constructs A (items a1, a2) -> B (items b1, b2), four
respondents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCHEMES = ("centroid", "factorial", "path")


@dataclass(frozen=True)
class Spec:
    """A model in index form: ``odm`` (items x constructs 0/1), ``adj`` (``adj[i, j] = 1`` for a
    path i -> j), ``mode_b`` (bool per construct), ``scheme``, ``tol``, ``max_iter``."""

    odm: np.ndarray
    adj: np.ndarray
    mode_b: np.ndarray
    scheme: str
    tol: float
    max_iter: int


def build_spec(blocks, paths, modes, scheme, tol, max_iter) -> Spec:
    """The index form of a model given by construct names (blocks, paths, modes).

    Parameters
    ----------
    blocks : dict
        Construct -> its item columns (already checked by :func:`cxlab.index.pls_pm`).
    paths : list of (str, str)
        Structural paths (from, to).
    modes : dict
        Construct -> ``"A"`` or ``"B"``, for every construct.
    scheme : {"centroid", "factorial", "path"}
        Inner weighting scheme.
    tol : float
        Convergence tolerance of :func:`outer_weights`.
    max_iter : int
        Iteration limit of :func:`outer_weights`.

    Returns
    -------
    Spec
        ``odm`` (p, L), ``adj`` (L, L), ``mode_b`` (L,), and the settings.

    Raises
    ------
    ValueError
        ``scheme`` is not one of :data:`SCHEMES`.

    Examples
    --------
    >>> spec = build_spec({"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")],
    ...                   {"A": "A", "B": "A"}, "path", 1e-6, 300)
    >>> spec.odm.tolist(), spec.adj.tolist(), spec.mode_b.tolist()
    ([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], [[0, 1], [0, 0]], [False, False])
    """
    cons = list(blocks)
    items = [i for v in blocks.values() for i in v]
    odm = np.zeros((len(items), len(cons)))
    for j, c in enumerate(cons):
        odm[[items.index(i) for i in blocks[c]], j] = 1
    adj = np.zeros((len(cons), len(cons)), dtype=int)
    for a, b in paths:
        adj[cons.index(a), cons.index(b)] = 1
    mode_b = np.array([modes[c] == "B" for c in cons])
    if scheme not in SCHEMES:
        raise ValueError(f"`scheme` should be one of {SCHEMES}, not {scheme!r}.")
    return Spec(odm, adj, mode_b, scheme, float(tol), int(max_iter))


def covariances(x: np.ndarray, v: np.ndarray, *, scaled: bool) -> tuple[np.ndarray, np.ndarray]:
    """Population covariance (``scaled``: correlation) matrices of ``x`` under row weights ``v``.

    Parameters
    ----------
    x : numpy.ndarray
        Items, ``(n, p)``: complete cases only.
    v : numpy.ndarray
        Row weights, ``(B, n)``: one weight vector per resample (frequency counts times
        respondent weights; ``np.ones((1, n))`` for the unweighted fit).
    scaled : bool
        Return correlations (standardised items) rather than covariances (centred items).

    Returns
    -------
    s : numpy.ndarray
        ``(B, p, p)``: weighted population covariance or correlation matrices.
    sd : numpy.ndarray
        ``(B, p)``: weighted population standard deviations of the raw items.

    Notes
    -----
    Moments divide by the sum of the weights (population moments, as R ``plspm`` uses after
    standardising with ``scale(x) * sqrt(n / (n - 1))``).

    Examples
    --------
    >>> x = np.array([[1., 2, 1, 2], [2, 3, 2, 2], [3, 3, 4, 3], [4, 5, 3, 5]])
    >>> s, sd = covariances(x, np.ones((1, 4)), scaled=True)
    >>> s.shape, sd.round(3).tolist(), s[0, 0].round(3).tolist()
    ((1, 4, 4), [[1.118, 1.09, 1.118, 1.225]], [1.0, 0.923, 0.8, 0.913])
    >>> covariances(x, np.array([[1., 1, 1, 1], [2, 0, 1, 1]]), scaled=False)[0][:, 0, 0].tolist()
    [1.25, 1.6875]
    """
    xc = x - x.mean(axis=0)  # centre once for numerical accuracy; moments are shift-invariant
    total = v.sum(axis=1, keepdims=True)
    mean = (v @ xc) / total
    outer = (xc[:, :, None] * xc[:, None, :]).reshape(len(xc), -1)
    second = ((v @ outer) / total).reshape(len(v), x.shape[1], x.shape[1])
    s = second - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.clip(np.diagonal(s, axis1=1, axis2=2), 0, None))
    if scaled:
        s = s / (sd[:, :, None] * sd[:, None, :])
    return s, sd


def _normalise(w: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Scale each construct's weights so its score has variance 1."""
    var = np.einsum("bpl,bpq,bql->bl", w, s, w)
    return w / np.sqrt(var)[:, None, :]


def _inner_weights(r: np.ndarray, spec: Spec) -> np.ndarray:
    """Inner weights ``E`` (B, L, L): column k builds construct k's inner estimate."""
    adj = spec.adj
    both = (adj + adj.T).astype(float)
    if spec.scheme == "centroid":
        return np.sign(r * both)
    if spec.scheme == "factorial":
        return r * both
    e = np.zeros_like(r)
    for k in range(adj.shape[0]):
        pred, succ = np.flatnonzero(adj[:, k]), np.flatnonzero(adj[k, :])
        if pred.size:  # regression of k on its predecessors (Lohmöller's path weighting)
            rpp = r[:, pred[:, None], pred[None, :]]
            e[:, pred, k] = np.linalg.solve(rpp, r[:, pred, k][:, :, None])[:, :, 0]
        if succ.size:  # correlations with its successors
            e[:, succ, k] = r[:, succ, k]
    return e


def _outer_update(s: np.ndarray, wn: np.ndarray, e: np.ndarray, spec: Spec) -> np.ndarray:
    """New outer weights: Mode A cov(item, inner estimate); Mode B OLS of it on the block."""
    cz = s @ wn @ e  # cov(X_i, Z_k), (B, p, L)
    w = cz * spec.odm
    for k in np.flatnonzero(spec.mode_b):
        idx = np.flatnonzero(spec.odm[:, k])
        sbb = s[:, idx[:, None], idx[None, :]]
        w[:, idx, k] = np.linalg.solve(sbb, cz[:, idx, k][:, :, None])[:, :, 0]
    return w


def outer_weights(s: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Iterate to the outer weights, as R ``plspm::get_weights`` (then ``get_scores``' signs).

    Parameters
    ----------
    s : numpy.ndarray
        ``(B, p, p)`` covariance or correlation matrices from :func:`covariances`.
    spec : Spec
        The model, from :func:`build_spec`.

    Returns
    -------
    w : numpy.ndarray
        ``(B, p, L)`` outer weights, normalised so every score has variance 1 and most of a
        block's loadings are positive (zero outside a construct's block).
    iterations : numpy.ndarray
        ``(B,)`` iterations run.
    converged : numpy.ndarray
        ``(B,)`` bool: False where ``max_iter`` was reached.

    Notes
    -----
    A resample stops when the sum of squared changes of the absolute weights falls below
    ``tol``, as in plspm. Each step: scores of variance 1, inner weights by the scheme, then
    Mode A weights cov(item, inner estimate) or Mode B the OLS of the inner estimate on the
    block (Lohmöller, 1989).

    Examples
    --------
    >>> spec = build_spec({"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")],
    ...                   {"A": "A", "B": "A"}, "path", 1e-6, 300)
    >>> x = np.array([[1., 2, 1, 2], [2, 3, 2, 2], [3, 3, 4, 3], [4, 5, 3, 5]])
    >>> w, iterations, converged = outer_weights(covariances(x, np.ones((1, 4)), scaled=True)[0],
    ...                                          spec)
    >>> w[0].round(3).tolist(), iterations.tolist(), converged.tolist()
    ([[0.543, 0.0], [0.476, 0.0], [0.0, 0.474], [0.0, 0.658]], [4], [True])
    """
    b = s.shape[0]
    w = _normalise(np.broadcast_to(spec.odm, (b, *spec.odm.shape)).astype(float), s)
    w_old = w.sum(axis=2)
    iterations = np.ones(b, dtype=int)
    active = np.ones(b, dtype=bool)
    while True:
        wn = _normalise(w, s)
        r = np.swapaxes(wn, 1, 2) @ s @ wn
        w_new = _outer_update(s, wn, _inner_weights(r, spec), spec)
        w = np.where(active[:, None, None], w_new, w)
        row = w.sum(axis=2)
        diff = ((np.abs(w_old) - np.abs(row)) ** 2).sum(axis=1)
        done = active & ((diff < spec.tol) | (iterations == spec.max_iter))
        active &= ~done
        if not active.any():
            break
        w_old = np.where(active[:, None], row, w_old)
        iterations += active
    converged = iterations < spec.max_iter
    w = _normalise(w, s)
    load = loadings(s, w) * spec.odm
    sign = np.sign(np.sign(load).sum(axis=1))
    sign[sign == 0] = -1
    return w * sign[:, None, :], iterations, converged


def loadings(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Correlations of every item with every construct score, for scores of variance 1.

    Parameters
    ----------
    s : numpy.ndarray
        ``(B, p, p)`` covariance or correlation matrices.
    w : numpy.ndarray
        ``(B, p, L)`` outer weights from :func:`outer_weights`.

    Returns
    -------
    numpy.ndarray
        ``(B, p, L)``: cov(item, score) / sd(item); the loadings are the entries inside each
        construct's block, cross-loadings the others.

    Examples
    --------
    >>> s = np.array([[[1.0, 0.6], [0.6, 1.0]]])
    >>> w = np.array([[[1 / np.sqrt(3.2)], [1 / np.sqrt(3.2)]]])
    >>> loadings(s, w).round(3).tolist()
    [[[0.894], [0.894]]]
    """
    sd = np.sqrt(np.diagonal(s, axis1=1, axis2=2))
    return (s @ w) / sd[:, :, None]


def score_correlations(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Correlation matrix of the construct scores, for scores of variance 1.

    Parameters
    ----------
    s : numpy.ndarray
        ``(B, p, p)`` covariance or correlation matrices.
    w : numpy.ndarray
        ``(B, p, L)`` outer weights from :func:`outer_weights`.

    Returns
    -------
    numpy.ndarray
        ``(B, L, L)``: Wᵀ S W.

    Examples
    --------
    >>> s = np.array([[[1.0, 0.5], [0.5, 1.0]]])
    >>> score_correlations(s, np.eye(2)[None]).tolist()
    [[[1.0, 0.5], [0.5, 1.0]]]
    """
    return np.swapaxes(w, 1, 2) @ s @ w


def path_coefficients(r: np.ndarray, adj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS path coefficients and R² of every endogenous construct, from score correlations.

    Parameters
    ----------
    r : numpy.ndarray
        ``(B, L, L)`` score correlations from :func:`score_correlations`.
    adj : numpy.ndarray
        ``(L, L)`` 0/1 path matrix, ``adj[i, j] = 1`` for a path i -> j.

    Returns
    -------
    p : numpy.ndarray
        ``(B, L, L)`` standardised path coefficients, ``p[:, i, j]`` for i -> j (0 elsewhere).
    r2 : numpy.ndarray
        ``(B, L)`` R² of each construct on its predecessors (0 for exogenous constructs).

    Examples
    --------
    >>> r = np.array([[[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]]])
    >>> adj = np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]])
    >>> p, r2 = path_coefficients(r, adj)
    >>> p[0, :, 2].round(3).tolist(), r2.round(3).tolist()
    ([0.418, 0.275, 0.0], [[0.0, 0.0, 0.319]])
    """
    p = np.zeros_like(r)
    r2 = np.zeros(r.shape[:2])
    for k in range(adj.shape[0]):
        pred = np.flatnonzero(adj[:, k])
        if pred.size:
            rpp = r[:, pred[:, None], pred[None, :]]
            rpk = r[:, pred, k]
            beta = np.linalg.solve(rpp, rpk[:, :, None])[:, :, 0]
            p[:, pred, k] = beta
            r2[:, k] = (beta * rpk).sum(axis=1)
    return p, r2


def total_effects(p: np.ndarray) -> np.ndarray:
    """Total effects ``T = P + P² + ...`` of an acyclic path matrix.

    Parameters
    ----------
    p : numpy.ndarray
        ``(B, L, L)`` path coefficients, ``p[:, i, j]`` for i -> j, without cycles.

    Returns
    -------
    numpy.ndarray
        ``(B, L, L)``: direct plus every indirect effect of i on j (the indirect effect is the
        total minus ``p``).

    Examples
    --------
    >>> total_effects(np.array([[[0, 0.5, 0.2], [0, 0, 0.4], [0, 0, 0]]])).round(3).tolist()
    [[[0.0, 0.5, 0.4], [0.0, 0.0, 0.4], [0.0, 0.0, 0.0]]]
    """
    total = np.zeros_like(p)
    step = p
    for _ in range(p.shape[1]):
        total = total + step
        step = step @ p
    return total

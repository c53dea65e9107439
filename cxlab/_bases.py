"""Internal: the two bases of the weight rule for estimators run on the rows that count.

The weight rule (:mod:`cxlab.checks`) leaves respondents with weight 0 out of every estimate
but keeps them in the base ``n``, beside ``n_used``. The estimators of :mod:`cxlab.survey`
count the rows they are given, so :mod:`cxlab.gaps` and :mod:`cxlab.journey` give them only
the rows that count (:func:`used_rows`) and add the other base afterwards (:func:`with_bases`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxlab.checks import weight_values

__all__ = ["used_rows", "with_bases"]


def used_rows(
    df: pd.DataFrame, weight: str | None, answered
) -> tuple[np.ndarray | None, np.ndarray]:
    """The weights (None without ``weight``) and the rows that count: answered, weight > 0.

    The weights of the answered rows are checked by the weight rule.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, None], "w": [1.0, 0.0, None]})
    >>> w, used = used_rows(df, "w", df["y"].notna())
    >>> w.tolist()[:2], used.tolist()
    ([1.0, 0.0], [True, False, False])
    """
    answered = np.asarray(answered, dtype=bool)
    if weight is None:
        return None, answered
    w = weight_values(df, weight, rows=answered)
    with np.errstate(invalid="ignore"):
        return w, answered & (w > 0)


def with_bases(
    est: pd.DataFrame,
    df: pd.DataFrame,
    answered,
    used,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """``est`` (computed on the ``used`` rows; its ``n`` counts them) with both bases.

    Returns ``est`` with ``n`` (rows of ``df`` that answered, per group of ``by``) and
    ``n_used`` (``est``'s own ``n``) side by side where ``n`` was.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 2.0, 3.0]})
    >>> est = pd.DataFrame({"g": ["a", "b"], "n": [1, 1], "mean": [1.0, 3.0]})
    >>> with_bases(est, df, [True, True, True], [True, False, True], ["g"]).to_dict("list")
    {'g': ['a', 'b'], 'n': [2, 1], 'n_used': [1, 1], 'mean': [1.0, 3.0]}
    """
    answered, used = np.asarray(answered, dtype=bool), np.asarray(used, dtype=bool)
    out = est.rename(columns={"n": "n_used"})
    pos = out.columns.get_loc("n_used")
    by = list(by)
    if answered.sum() == used.sum():
        n = out["n_used"].to_numpy()
    elif not by:
        n = np.full(len(out), int(answered.sum()))
    else:
        sizes = df.loc[answered].groupby(by, dropna=False, sort=False).size().rename("n")
        n = out[by].merge(sizes.reset_index(), on=by, how="left")["n"].to_numpy()
    out.insert(pos, "n", n)
    return out

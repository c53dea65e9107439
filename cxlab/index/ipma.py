"""Importance-performance map analysis (IPMA) of an index model."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxlab.index.scores import IndexScores
from cxlab.quadrants import importance_performance

__all__ = ["IPMA", "ipma"]


@dataclass(frozen=True)
class IPMA:
    """The result of :func:`ipma`.

    Attributes
    ----------
    constructs : pandas.DataFrame
        One row per construct with an effect on the target: ``target``, ``construct``,
        ``importance`` (unstandardised total effect: index points the target gains per index
        point of the construct), ``importance_std`` (standardised total effect),
        ``performance`` (0-100 index), ``quadrant`` (a code of :data:`cxlab.quadrants.QUADRANTS`)
        and ``priority`` (1, 2, ... for "concentrate here", most important first).
    items : pandas.DataFrame
        The same per item of those constructs: ``target``, ``construct``, ``item``,
        ``importance`` (normalised outer weight x the construct's importance), ``performance``
        (mean answer on 0-100), ``quadrant``, ``priority``.
    crosshair : pandas.DataFrame
        Where the construct map is split (``importance``, ``performance``: their means).
    """

    constructs: pd.DataFrame
    items: pd.DataFrame
    crosshair: pd.DataFrame


def ipma(result: IndexScores, target: str) -> IPMA:
    """Importance x performance of the constructs and items that drive ``target``.

    Parameters
    ----------
    result : IndexScores
        From :func:`cxlab.index.index_scores` without ``by`` (it carries the model, the
        index and the item performance).
    target : str
        The construct to improve (``"satisfaction"``, ``"loyalty"``...).

    Returns
    -------
    IPMA
        ``constructs``, ``items`` and ``crosshair``; see :class:`IPMA`.

    Notes
    -----
    Ringle & Sarstedt (2016), Industrial Management & Data Systems 116(9): importance is the
    unstandardised total effect on the target in the model estimated on items rescaled to
    0-100, performance the 0-100 index; an item's importance is its normalised outer weight
    times its construct's importance. Quadrants: Martilla & James (1977), split at the means.

    Examples
    --------
    >>> import numpy as np
    >>> from cxlab.index import index_scores, pls_pm
    >>> rng = np.random.default_rng(2)
    >>> a = rng.standard_normal(300); b = 0.5 * a + rng.standard_normal(300)
    >>> c = 0.4 * a + 0.4 * b + rng.standard_normal(300)
    >>> df = pd.DataFrame({f"{n}{k}": np.clip(np.round(6 + 1.4 * v + rng.standard_normal(300)),
    ...     1, 10) for n, v in (("a", a), ("b", b), ("c", c)) for k in (1, 2)})
    >>> blocks = {"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1", "c2"]}
    >>> model = pls_pm(df, blocks, paths=[("A", "B"), ("A", "C"), ("B", "C")])
    >>> out = ipma(index_scores(model, df, scale=(1, 10), n_boot=0), "C")
    >>> out.constructs[["construct", "importance", "performance"]].round(2).to_dict("list")
    {'construct': ['A', 'B'], 'importance': [0.41, 0.34], 'performance': [53.46, 54.14]}
    """
    if not isinstance(result, IndexScores):
        raise TypeError("`result` should be the IndexScores of index_scores() (without `by`).")
    table = result.table
    if len(table) != table["construct"].nunique():
        raise ValueError("`result` has an index per group; call index_scores() without `by`.")
    if target not in result.model.blocks:
        raise ValueError(f"`target` {target!r} is not a construct: {list(result.model.blocks)}.")
    eff = result.effects[result.effects["to"] == target]
    if eff.empty:
        raise ValueError(f"No construct has an effect on `{target}`: it is exogenous.")
    perf = table.set_index("construct")["index"]
    cons = pd.DataFrame(
        {
            "target": target,
            "construct": eff["from"].to_numpy(),
            "importance": eff["total"].to_numpy(),
            "importance_std": eff["total_std"].to_numpy(),
            "performance": perf.loc[eff["from"]].to_numpy(),
        }
    )
    mapped = importance_performance(cons)
    imp = cons.set_index("construct")["importance"]
    items = result.items[result.items["construct"].isin(imp.index)].copy()
    items.insert(0, "target", target)
    items["importance"] = items["weight"] * items["construct"].map(imp)
    items = items[["target", "construct", "item", "importance", "performance"]]
    return IPMA(
        constructs=mapped.points,
        items=importance_performance(items.reset_index(drop=True)).points,
        crosshair=mapped.crosshair,
    )

"""Figures of an index model: the path diagram and the importance-performance map (matplotlib)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cxlab.index.pls import PLSResult
from cxlab.messages import msg

__all__ = ["diagram_layout", "plot_ipma", "plot_path_diagram"]

BOX_W, BOX_H = 1.5, 0.62
#: Box centres of the template constructs, as the ECSI model is usually drawn (Tenenhaus et
#: al., 2005, fig. 4): image above, expectation and quality on the left, value below
#: satisfaction, complaints and loyalty on the right.
CLASSIC = {
    "image": (0.0, 2.2),
    "expectation": (0.0, 0.5),
    "quality": (0.0, -1.4),
    "value": (2.8, -1.4),
    "satisfaction": (2.8, 0.5),
    "complaint": (5.6, -1.4),
    "loyalty": (5.6, 2.2),
}


def diagram_layout(result: PLSResult, *, positions: dict | None = None) -> pd.DataFrame:
    """Where each construct's box goes.

    Template constructs (``image``, ``satisfaction``...) take their places in the classic ECSI
    drawing (:data:`CLASSIC`), or ``positions`` (construct -> (x, y)) places them; other
    models go round an ellipse in causal order (sources on the left), so that no straight
    arrow runs through a third box.

    Parameters
    ----------
    result : PLSResult
        A model from :func:`cxlab.index.pls_pm` (its blocks and paths are drawn).
    positions : dict, optional
        Construct -> (x, y) box centre, for every construct; default :data:`CLASSIC` when
        every construct is a template construct, else the ellipse.

    Returns
    -------
    pandas.DataFrame
        ``construct``, ``x``, ``y`` (box centres), ``depth`` (longest path from an exogenous
        construct).

    Examples
    --------
    >>> import numpy as np
    >>> from cxlab.index import pls_pm
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.standard_normal((50, 4)) + rng.standard_normal((50, 1)),
    ...                   columns=["a1", "a2", "b1", "b2"])
    >>> res = pls_pm(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, paths=[("A", "B")])
    >>> diagram_layout(res).to_dict("list")
    {'construct': ['A', 'B'], 'x': [-2.0, 2.0], 'y': [0.0, 0.0], 'depth': [0, 1]}
    """
    cons = list(result.blocks)
    depth = dict.fromkeys(cons, 0)
    for _ in cons:  # longest-path layering of an acyclic graph
        for a, b in result.structure:
            depth[b] = max(depth[b], depth[a] + 1)
    places = positions or (CLASSIC if set(cons) <= set(CLASSIC) else None)
    if places is not None:
        rows = [(c, *map(float, places[c]), depth[c]) for c in cons]
    else:
        order = sorted(cons, key=lambda c: (depth[c], cons.index(c)))
        angle = np.pi - 2 * np.pi * np.arange(len(order)) / len(order)
        rx, ry = 1.0 * len(order), 0.6 * len(order)
        xy = np.round(np.c_[rx * np.cos(angle), ry * np.sin(angle)], 6) + 0.0
        rows = [(c, *xy[k], depth[c]) for k, c in enumerate(order)]
    out = pd.DataFrame(rows, columns=["construct", "x", "y", "depth"])
    return out.set_index("construct").loc[cons].reset_index()


def _edge_points(p0, p1):
    """Where the segment between two box centres leaves the first box and enters the second."""
    d = np.subtract(p1, p0)
    scale = min(
        (BOX_W / 2) / abs(d[0]) if d[0] else np.inf, (BOX_H / 2) / abs(d[1]) if d[1] else np.inf
    )
    return np.add(p0, d * scale), np.subtract(p1, d * scale)


def plot_path_diagram(
    result: PLSResult,
    *,
    labels: dict | None = None,
    positions: dict | None = None,
    alpha: float = 0.05,
    lang: str = "zh",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """The structural model: constructs as boxes (R² inside), path coefficients on the arrows.

    Parameters
    ----------
    result : PLSResult
        A model from :func:`cxlab.index.pls_pm`; with ``n_boot`` its path p values are used.
    labels : dict, optional
        Construct -> display name; default the message ``construct.<code>`` when the catalogue
        has it, else the code.
    positions : dict, optional
        Construct -> (x, y) box centre; see :func:`diagram_layout`.
    alpha : float
        With bootstrap p values, paths with ``p >= alpha`` are drawn dashed and grey.
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    **kwargs
        Passed to the box patches (e.g. ``facecolor``).

    Returns
    -------
    matplotlib.axes.Axes
        Each arrow carries a text artist with its coefficient (``f"{estimate:.2f}"``), each
        box a text with the label and ``R² = ...`` for endogenous constructs.

    Examples
    --------
    >>> import numpy as np
    >>> from cxlab.index import pls_pm
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.standard_normal((50, 4)) + rng.standard_normal((50, 1)),
    ...                   columns=["a1", "a2", "b1", "b2"])
    >>> res = pls_pm(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, paths=[("A", "B")])
    >>> ax = plot_path_diagram(res, lang="en")
    >>> sorted(" ".join(t.get_text().split()) for t in ax.texts)
    ['0.77', 'A', 'B R² = 0.59']
    >>> plt.close("all")
    """
    from cxlab.messages import has
    from cxlab.plots import use_cjk_font

    use_cjk_font()
    ax = ax or plt.gca()
    pos = diagram_layout(result, positions=positions).set_index("construct")
    r2 = result.r2.set_index("construct")["r2"]

    def name(c):
        if labels and c in labels:
            return labels[c]
        return msg(f"construct.{c}", lang) if has(f"construct.{c}") else c

    box = {"facecolor": "#eaf1fb", "edgecolor": "#2f5d8a", "linewidth": 1.2} | kwargs
    for c, row in pos.iterrows():
        ax.add_patch(
            FancyBboxPatch(
                (row.x - BOX_W / 2, row.y - BOX_H / 2),
                BOX_W,
                BOX_H,
                boxstyle="round,pad=0.02,rounding_size=0.08",
                **box,
            )
        )
        text = name(c) + (f"\nR² = {r2[c]:.2f}" if c in r2.index else "")
        ax.text(row.x, row.y, text, ha="center", va="center", fontsize=9)
    for _, p in result.paths.iterrows():
        start, end = _edge_points(
            pos.loc[p["from"], ["x", "y"]].to_numpy(float),
            pos.loc[p["to"], ["x", "y"]].to_numpy(float),
        )
        weak = "p" in p and p["p"] >= alpha
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                arrowstyle="-|>",
                mutation_scale=12,
                linewidth=0.8 + 3 * min(abs(p["estimate"]), 1),
                linestyle="--" if weak else "-",
                color="#9a9a9a" if weak else "#2f5d8a",
            )
        )
        mid = start + (end - start) * 0.4  # off the middle: crossing arrows keep apart
        ax.text(
            *mid,
            f"{p['estimate']:.2f}",
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )
    ax.set_xlim(pos["x"].min() - BOX_W, pos["x"].max() + BOX_W)
    ax.set_ylim(pos["y"].min() - BOX_H * 1.5, pos["y"].max() + BOX_H * 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_ipma(
    table: pd.DataFrame,
    *,
    labels: dict | None = None,
    name: str = "construct",
    lang: str = "zh",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """The importance-performance map of :func:`cxlab.index.ipma` (constructs or items).

    Parameters
    ----------
    table : pandas.DataFrame
        ``IPMA.constructs`` or ``IPMA.items``.
    labels : dict, optional
        Code -> display name for the points.
    name : str
        The column naming each point (``"construct"`` or ``"item"``).
    lang : {"zh", "en"}
    ax : matplotlib Axes, optional
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes
        The scatter's offsets are (importance, performance) of the rows, in order.

    Examples
    --------
    >>> table = pd.DataFrame({"construct": ["quality", "value"], "importance": [0.4, 0.2],
    ...                       "performance": [70.0, 80.0]})
    >>> ax = plot_ipma(table, lang="en")
    >>> ax.collections[0].get_offsets().tolist(), [t.get_text() for t in ax.texts]
    ([[0.4, 70.0], [0.2, 80.0]], ['Perceived quality', 'Perceived value'])
    >>> plt.close("all")
    """
    from cxlab.messages import has
    from cxlab.plots import use_cjk_font

    use_cjk_font()
    ax = ax or plt.gca()
    ax.scatter(table["importance"], table["performance"], **({"color": "#2f5d8a"} | kwargs))
    for _, r in table.iterrows():
        code = r[name]
        text = (labels or {}).get(code) or (
            msg(f"construct.{code}", lang) if has(f"construct.{code}") else code
        )
        ax.annotate(
            text,
            (r["importance"], r["performance"]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.axvline(table["importance"].mean(), color="#bbbbbb", linewidth=0.8)
    ax.axhline(table["performance"].mean(), color="#bbbbbb", linewidth=0.8)
    ax.set_xlabel(msg("index.importance", lang))
    ax.set_ylabel(msg("index.performance", lang))
    return ax

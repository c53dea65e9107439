"""Banner tables: column percentages, nets, means and bases, with significance letters.

One call, :func:`crosstab`, tables row items against a banner of Total plus segment columns and
returns a tidy cell table (one row per cell). The work is done on sufficient statistics: every
respondent falls into one cell of the joint banner (region x channel x tier ...), so one
``numpy.bincount`` per statistic gives the weighted counts of every banner column at once, and
percentages, means, standard deviations, effective bases and tests follow from those sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from cxlab.checks import as_list, require_columns, weight_values
from cxlab.codebook import Codebook
from cxlab.inference import two_proportion_z, welch_t
from cxlab.tables.spec import BannerVar, value_key

__all__ = [
    "CELL_COLUMNS",
    "COMPARES",
    "ROW_TYPES",
    "TOTAL",
    "BannerPlan",
    "as_list_banner",
    "crosstab",
    "plan_banner",
]

#: The banner value and banner variable of the Total column.
TOTAL = "total"
#: Row types: how an item is tabled (from its codebook type; ``category`` without a codebook).
ROW_TYPES = ("category", "binary", "kano", "scale", "nps", "numeric", "multi")
COMPARES = ("columns", "total")
ADJUSTS = (None, "bonferroni", "fdr_bh")
#: Columns of the cell table, in order.
CELL_COLUMNS = [
    "row",
    "row_type",
    "row_value",
    "kind",
    "banner",
    "banner_value",
    "column",
    "n",
    "n_used",
    "base",
    "base_weighted",
    "base_effective",
    "count",
    "pct",
    "mean",
    "sd",
    "value",
    "sig",
    "low_base",
]
#: Fixed answer codes of the row types that have them.
_FIXED = {"binary": (0, 1), "kano": (1, 5), "nps": (0, 10)}
#: Most cells of the joint banner counted in one pass (else the banner is split).
_JOINT_LIMIT = 4096
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Arrows of compare="total": higher / lower than the rest of the sample (doubled at alpha_strong).
UP, DOWN = "▲", "▼"


# -- the banner ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    """Banner variables counted together: each respondent's joint cell, and column membership."""

    codes: np.ndarray  # joint cell of each respondent
    size: int  # number of joint cells
    columns: np.ndarray  # which banner columns this chunk gives (indices into the plan)
    member: np.ndarray  # (len(columns), size) 0/1: joint cell j belongs to the column


@dataclass(frozen=True)
class BannerPlan:
    """A banner encoded over the rows of one DataFrame (build with :func:`plan_banner`).

    Attributes
    ----------
    columns : pandas.DataFrame
        One row per banner column, Total first: ``banner``, ``banner_value``, ``column`` (letter),
        ``members`` (tuple of values for a net, else None).
    var : numpy.ndarray
        Banner-variable index of each column (-1 for Total).
    overlap : numpy.ndarray
        (C, C) bool: two columns of one variable share respondents (a net and its members);
        such pairs are not tested against each other.
    chunks : tuple
        The counting passes (internal).
    """

    columns: pd.DataFrame
    var: np.ndarray
    overlap: np.ndarray
    chunks: tuple[_Chunk, ...]
    n_rows: int = 0

    @cached_property
    def letters(self) -> np.ndarray:
        """The letter of each column (empty for Total)."""
        return self.columns["column"].to_numpy(dtype=object)

    @cached_property
    def labels(self) -> tuple[np.ndarray, np.ndarray]:
        """The banner variable and banner value of each column."""
        return (
            self.columns["banner"].to_numpy(dtype=object),
            self.columns["banner_value"].to_numpy(dtype=object),
        )

    @cached_property
    def pair_a(self) -> np.ndarray:
        """First column of each tested pair (same variable, no shared respondents)."""
        return self._pairs()[0]

    @cached_property
    def pair_b(self) -> np.ndarray:
        """Second column of each tested pair."""
        return self._pairs()[1]

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        a, b = np.triu_indices(len(self.var), 1)
        keep = (self.var[a] >= 0) & (self.var[a] == self.var[b]) & ~self.overlap[a, b]
        return a[keep], b[keep]

    def subset(self, rows: np.ndarray) -> BannerPlan:
        """The same banner over a subset of the rows, with the same columns.

        Parameters
        ----------
        rows : numpy.ndarray of bool
            The rows kept (a base filter).

        Returns
        -------
        BannerPlan

        Examples
        --------
        >>> plan = plan_banner(pd.DataFrame({"seg": ["x", "y", "y"]}), "seg")
        >>> sub = plan.subset(np.array([True, False, False]))
        >>> sub.n_rows, sub.columns["banner_value"].tolist()
        (1, ['total', 'x', 'y'])
        """
        chunks = tuple(_Chunk(c.codes[rows], c.size, c.columns, c.member) for c in self.chunks)
        return BannerPlan(self.columns, self.var, self.overlap, chunks, int(np.sum(rows)))


def _levels(series: pd.Series, values: tuple[str, ...] | None) -> tuple[list[str], np.ndarray]:
    """The level keys of a banner column in order, and each row's level (len(levels): none)."""
    codes, uniques = pd.factorize(series, sort=False)
    keys = [value_key(u) for u in uniques]
    if values is not None:
        levels = list(values)
    elif isinstance(series.dtype, pd.CategoricalDtype):
        levels = [value_key(c) for c in series.cat.categories]
    else:
        levels = sorted(set(keys), key=_natural)
    index = {k: i for i, k in enumerate(levels)}
    lookup = np.array([index.get(k, len(levels)) for k in keys] + [len(levels)], dtype=np.int64)
    return levels, lookup[codes]


def _natural(key: str):
    try:
        return (0, float(key), "")
    except ValueError:
        return (1, 0.0, key)


def plan_banner(df: pd.DataFrame, banner) -> BannerPlan:
    """Encode a banner over ``df``: Total, each variable's values, and their nets.

    Parameters
    ----------
    df : pandas.DataFrame
    banner : str, BannerVar, or a list of them
        Segment columns (a :class:`~cxlab.tables.spec.BannerVar` sets value order and nets).

    Returns
    -------
    BannerPlan

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["华东", "华南", "华北", "华东"]})
    >>> plan = plan_banner(df, [BannerVar("region", nets={"南方": ("华东", "华南")})])
    >>> plan.columns[["banner", "banner_value", "column"]].values.tolist()
    [['total', 'total', ''], ['region', '华东', 'A'], ['region', '华北', 'B'], \
['region', '华南', 'C'], ['region', '南方', 'D']]
    """
    bvars = [b if isinstance(b, BannerVar) else BannerVar(b) for b in as_list_banner(banner)]
    require_columns(df, *(b.column for b in bvars), arg="banner column(s)")
    if len({b.column for b in bvars}) < len(bvars):
        raise ValueError(f"`banner` names a column twice: {[b.column for b in bvars]}.")
    rows = [{"banner": TOTAL, "banner_value": TOTAL, "column": "", "members": None}]
    var, defs = [-1], []  # defs: (var index, level codes, n levels, members per column)
    for v, b in enumerate(bvars):
        levels, codes = _levels(df[b.column], b.values)
        sets = [(lev, (i,)) for i, lev in enumerate(levels)]
        for name, members in b.nets.items():
            missing = [m for m in members if m not in levels]
            if missing:
                raise ValueError(
                    f"Banner net {name!r} of `{b.column}` names value(s) {missing} that are not "
                    f"among its values {levels}."
                )
            sets.append((name, tuple(levels.index(m) for m in members)))
        if len(sets) > len(_LETTERS):
            raise ValueError(
                f"Banner column `{b.column}` has {len(sets)} values and nets; a banner variable "
                f"holds at most {len(_LETTERS)} columns (A-Z). Choose `values` in the spec."
            )
        for i, (name, members) in enumerate(sets):
            is_net = i >= len(levels)
            rows.append(
                {
                    "banner": b.column,
                    "banner_value": name,
                    "column": _LETTERS[i],
                    "members": tuple(levels[m] for m in members) if is_net else None,
                }
            )
            var.append(v)
        defs.append((codes, len(levels), [m for _, m in sets]))
    columns = pd.DataFrame(rows, columns=["banner", "banner_value", "column", "members"])
    var = np.array(var)
    overlap = _overlap(var, [m for d in defs for m in d[2]])
    return BannerPlan(columns, var, overlap, _chunks(len(df), defs), len(df))


def as_list_banner(banner) -> list:
    """A banner argument as a list (a single column or BannerVar in a list; None: empty).

    Parameters
    ----------
    banner : str, BannerVar, list of them, or None

    Returns
    -------
    list

    Examples
    --------
    >>> as_list_banner("region"), as_list_banner(None)
    (['region'], [])
    """
    if banner is None:
        return []
    if isinstance(banner, str | BannerVar):
        return [banner]
    return list(banner)


def _overlap(var: np.ndarray, members: list[tuple[int, ...]]) -> np.ndarray:
    """Pairs of columns of one variable that share a value (Total excluded)."""
    c = len(var)
    out = np.zeros((c, c), dtype=bool)
    for i in range(1, c):
        for j in range(1, c):
            if i != j and var[i] == var[j] and set(members[i - 1]) & set(members[j - 1]):
                out[i, j] = True
    return out


def _chunks(n: int, defs) -> tuple[_Chunk, ...]:
    """Group banner variables so each group's joint cells stay under the limit."""
    groups: list[list[int]] = [[]]
    size = 1
    for v, (_, n_levels, _) in enumerate(defs):
        if groups[-1] and size * (n_levels + 1) > _JOINT_LIMIT:
            groups.append([])
            size = 1
        groups[-1].append(v)
        size *= n_levels + 1
    chunks = []
    starts = np.cumsum([1] + [len(d[2]) for d in defs])
    for g, vs in enumerate(groups):
        codes, stride, strides = np.zeros(n, dtype=np.int64), 1, []
        for v in vs:
            codes += defs[v][0] * stride
            strides.append(stride)
            stride *= defs[v][1] + 1
        cells = np.arange(stride)
        member, cols = [], []
        if g == 0:
            member.append(np.ones(stride))
            cols.append(0)
        for v, st in zip(vs, strides, strict=True):
            digit = (cells // st) % (defs[v][1] + 1)
            for k, m in enumerate(defs[v][2]):
                member.append(np.isin(digit, m).astype(float))
                cols.append(int(starts[v]) + k)
        chunks.append(_Chunk(codes, stride, np.array(cols), np.array(member)))
    return tuple(chunks)


#: Stands for the weight vector w > 0 when every weight is positive (then n_used = n).
ALL_POSITIVE = "all positive"


def _sums(plan: BannerPlan, cat: np.ndarray, k: int, weights: list):
    """Per banner column and category, the sum of each weight vector (None: a count).

    ``cat`` is each respondent's category 0..k-1, or k when the respondent is not counted;
    the first entry of ``weights`` is None (the count), and :data:`ALL_POSITIVE` repeats it.
    Returns one (C, k) array per entry of ``weights``.
    """
    n_cols = len(plan.columns)
    out = [np.zeros((n_cols, k)) for _ in weights]
    for ch in plan.chunks:
        key = ch.codes * (k + 1) + cat
        for o, wv in zip(out, weights, strict=True):
            if isinstance(wv, str):
                o[ch.columns] = out[0][ch.columns]
                continue
            t = np.bincount(key, weights=wv, minlength=ch.size * (k + 1))
            o[ch.columns] = ch.member @ t.reshape(ch.size, k + 1)[:, :k]
    return out


# -- row items -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """How one row item is tabled: its type and its columns (several for a multi set)."""

    name: str
    type: str
    columns: tuple[str, ...]
    codes: tuple | None = None  # category codes in order (category rows)
    low: float | None = None  # first point (scale)
    high: float | None = None


def _resolve_row(name: str, df: pd.DataFrame, codebook: Codebook | None) -> _Row:
    if codebook is not None and name in codebook.items:
        item = codebook.items[name]
        if item.type in ("text", "date"):
            raise ValueError(f"Row `{name}` is a `{item.type}` item; tables take closed items.")
        if item.type == "multi":
            raise ValueError(
                f"Row `{name}` is one column of the multi set `{item.set}`; table the set."
            )
        if item.type == "category":
            return _Row(name, "category", (name,), codes=_category_codes(df[name], item.values))
        if item.type == "scale":
            return _Row(name, "scale", (name,), low=item.min, high=item.max)
        if item.type in _FIXED:
            lo, hi = _FIXED[item.type]
            return _Row(name, item.type, (name,), low=lo, high=hi)
        return _Row(name, "numeric", (name,))
    if codebook is not None:
        members = tuple(
            c for c, it in codebook.items.items() if it.type == "multi" and it.set == name
        )
        if members:
            return _Row(name, "multi", members)
    require_columns(df, name, arg="row item")
    return _Row(name, "category", (name,), codes=_category_codes(df[name], None))


def _category_codes(series: pd.Series, values) -> tuple[tuple[str, ...], dict[str, int]]:
    """Category codes in order (the codebook's, then others seen), and text -> position."""
    seen = [value_key(u) for u in pd.unique(series.dropna())]
    if values:
        codes = list(values)
        by_label = {str(lab): c for c, lab in values.items()}
        pos = {c: i for i, c in enumerate(codes)}
        others = sorted({s for s in seen if s not in pos and s not in by_label}, key=_natural)
        codes += others
        pos = {c: i for i, c in enumerate(codes)}
        index = {**{lab: pos[c] for lab, c in by_label.items()}, **pos}
    else:
        codes = sorted(set(seen), key=_natural)
        index = {c: i for i, c in enumerate(codes)}
    return tuple(codes), index


def _category_index(series: pd.Series, index: dict[str, int], k: int) -> np.ndarray:
    codes, uniques = pd.factorize(series)
    lookup = np.array([index[value_key(u)] for u in uniques] + [k], dtype=np.int64)
    return lookup[codes]


def _points(series: pd.Series, name: str, low: float, high: float) -> np.ndarray:
    """Each answer's position on an integer scale low..high (high-low+1 when unanswered)."""
    x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isnan(x)
    bad = ~ok & ((x < low) | (x > high) | (x != np.round(x)))
    if bad.any():
        raise ValueError(
            f"Row `{name}` should hold whole answers {low:g}-{high:g}, but has {int(bad.sum())} "
            f"other value(s): {sorted(set(x[bad].tolist()))[:5]}. Load the survey with its "
            "codebook (cxlab.io.load_survey) or recode them."
        )
    k = int(high - low) + 1
    return np.where(ok, k, x - low).astype(np.int64)


# -- lines (the rows of a table) -------------------------------------------------------------------


@dataclass
class _Line:
    """One line of a table across the banner columns."""

    row_value: str
    kind: str  # pct, mean, sd, median, nps
    test: str | None  # "prop", "mean" or None
    count: np.ndarray | None = None  # weighted count (pct lines)
    s1: np.ndarray | None = None  # weighted sum of x (mean lines)
    s2: np.ndarray | None = None  # weighted sum of x^2
    value: np.ndarray | None = None  # the shown value where not computed from sums (median)


@dataclass(frozen=True)
class _Base:
    n: np.ndarray
    n_used: np.ndarray
    w: np.ndarray  # weighted base
    w2: np.ndarray  # sum of squared weights


def _distribution_lines(row: _Row, df, plan, w, pos, nets) -> tuple[_Base, list[_Line]]:
    """Lines of a single-choice item: each category, nets, and statistics by type."""
    if row.type == "category":
        codes, index = row.codes
        k = len(codes)
        cat = _category_index(df[row.name], index, k)
        labels = list(codes)
        nets = {
            name: tuple(codes[index[key]] if (key := value_key(m)) in index else key for m in ms)
            for name, ms in (nets or {}).items()
        } or None
    else:
        cat = _points(df[row.name], row.name, row.low, row.high)
        k = int(row.high - row.low) + 1
        labels = [value_key(row.low + i) for i in range(k)]
    n, n_used, wk, w2k = _sums(plan, cat, k, [None, pos, w, w * w])
    base = _Base(n.sum(1), n_used.sum(1), wk.sum(1), w2k.sum(1))
    if row.type == "nps":
        return base, _nps_lines(wk)
    lines = [_Line(lab, "pct", "prop", count=wk[:, i]) for i, lab in enumerate(labels)]
    if nets is None and row.type == "scale":
        nets = {"top2": tuple(labels[-2:]), "bottom2": tuple(labels[:2])}
    for name, members in (nets or {}).items():
        members = [value_key(m) for m in members]
        idx = [labels.index(m) for m in members if m in labels]
        if len(idx) < len(members):
            raise ValueError(
                f"Net {name!r} of row `{row.name}` names codes "
                f"{[m for m in members if m not in labels]} that are not among {labels}."
            )
        lines.append(_Line(name, "pct", "prop", count=wk[:, idx].sum(1)))
    if row.type == "scale":
        x = row.low + np.arange(k)
        s1, s2 = wk @ x, wk @ (x * x)
        lines.append(_Line("mean", "mean", "mean", s1=s1, s2=s2))
        lines.append(_Line("sd", "sd", None, s1=s1, s2=s2))
    return base, lines


def _nps_lines(wk: np.ndarray) -> list[_Line]:
    """Promoters (9-10), passives (7-8), detractors (0-6) and NPS = % promoters - % detractors."""
    score = np.array([-100.0] * 7 + [0.0] * 2 + [100.0] * 2)
    return [
        _Line("promoters", "pct", "prop", count=wk[:, 9:].sum(1)),
        _Line("passives", "pct", "prop", count=wk[:, 7:9].sum(1)),
        _Line("detractors", "pct", "prop", count=wk[:, :7].sum(1)),
        _Line("nps", "nps", "mean", s1=wk @ score, s2=wk @ (score * score)),
    ]


def _numeric_lines(row: _Row, df, plan, w, pos) -> tuple[_Base, list[_Line]]:
    """Mean (with SD) and median of a numeric item."""
    x = pd.to_numeric(df[row.name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(x)
    cat = np.where(answered, 0, 1)
    xz = np.where(answered, x, 0.0)
    n, n_used, sw, sw2, s1, s2 = _sums(plan, cat, 1, [None, pos, w, w * w, w * xz, w * xz * xz])
    base = _Base(n[:, 0], n_used[:, 0], sw[:, 0], sw2[:, 0])
    median = _weighted_medians(plan, x, w, answered)
    return base, [
        _Line("mean", "mean", "mean", s1=s1[:, 0], s2=s2[:, 0]),
        _Line("median", "median", None, value=median),
    ]


def _weighted_medians(plan: BannerPlan, x, w, answered) -> np.ndarray:
    """The weighted median of ``x`` in every banner column (the mean of the two middle values
    where the cumulative weight hits half exactly, which is the ordinary median unweighted)."""
    order = np.argsort(np.where(answered, x, np.inf), kind="stable")
    order = order[answered[order] & (w[order] > 0)]
    xs, ws = x[order], w[order]
    out = np.full(len(plan.columns), np.nan)
    for ch in plan.chunks:
        cell = ch.codes[order]
        for row, col in zip(ch.member, ch.columns, strict=True):
            cw = np.cumsum(ws * row[cell])
            if len(cw) == 0 or cw[-1] <= 0:
                continue
            half = cw[-1] / 2
            lo = np.searchsorted(cw, half * (1 - 1e-12), side="left")
            hi = min(np.searchsorted(cw, half * (1 + 1e-12), side="right"), len(cw) - 1)
            exact = abs(cw[lo] - half) <= 1e-12 * half
            out[col] = (xs[lo] + xs[hi]) / 2 if exact else xs[lo]
    return out


def _multi_lines(row: _Row, df, plan, w, pos) -> tuple[_Base, list[_Line]]:
    """Each option of a multiple-response set; base: respondents who answered the set."""
    x = df[list(row.columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    answered = ~np.isnan(x).all(axis=1)
    bad = ~np.isnan(x) & (x != 0) & (x != 1)
    if bad.any():
        col = row.columns[int(np.argmax(bad.any(axis=0)))]
        raise ValueError(f"Multi set `{row.name}`: column `{col}` should hold 0/1 answers.")
    xz = np.nan_to_num(x)
    cat = np.where(answered, 0, 1)
    sums = _sums(plan, cat, 1, [None, pos, w, w * w, *(w * xz[:, m] for m in range(x.shape[1]))])
    base = _Base(*(s[:, 0] for s in sums[:4]))
    lines = [
        _Line(c, "pct", "prop", count=s[:, 0]) for c, s in zip(row.columns, sums[4:], strict=True)
    ]
    return base, lines


# -- statistics and tests --------------------------------------------------------------------------


def _effective(w: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """Kish's effective base (sum w)^2 / sum w^2 (0 for an empty column)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w2 > 0, w * w / np.where(w2 > 0, w2, 1), 0.0)


def _moments(s1, s2, w, neff):
    """Weighted mean and SD; variance (s2/w - m^2) * neff/(neff-1), the sample variance unweighted."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m = s1 / w
        var = np.maximum(s2 / w - m * m, 0.0) * neff / (neff - 1)
    return np.where(w > 0, m, np.nan), np.where(neff > 1, np.sqrt(var), np.nan)


def _estimates(line: _Line, w, neff):
    """(estimate, standard error or None) of a tested line, per column."""
    if line.test == "prop":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(w > 0, line.count / w, np.nan), None
    m, sd = _moments(line.s1, line.s2, w, neff)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m, sd / np.sqrt(neff)


def _pvalues(line: _Line, est, se, neff, est2, se2, neff2):
    with np.errstate(all="ignore"):  # empty or low-base columns: their p values are not used
        if line.test == "prop":
            return two_proportion_z(est, neff, est2, neff2)[1]
        return welch_t(est, se, neff, est2, se2, neff2)[2]


def _adjusted(p: np.ndarray, valid: np.ndarray, groups: np.ndarray, adjust: str | None):
    """p values adjusted within each group (banner variable) over the valid tests."""
    if adjust is None or not valid.any():
        return p
    from statsmodels.stats.multitest import multipletests

    out = p.copy()
    for g in np.unique(groups):
        sel = valid & (groups == g)
        if sel.any():
            out[sel] = multipletests(p[sel], method=adjust)[1]
    return out


def _letters_columns(line, base, neff, low, plan, opts) -> list[str]:
    """Letters of the columns of the same banner variable each cell is significantly above."""
    est, se = _estimates(line, base.w, neff)
    a, b = plan.pair_a, plan.pair_b
    valid = ~low[a] & ~low[b] & ~np.isnan(est[a]) & ~np.isnan(est[b])
    sea, seb = (None, None) if se is None else (se[a], se[b])
    p = np.where(valid, _pvalues(line, est[a], sea, neff[a], est[b], seb, neff[b]), 1.0)
    p = _adjusted(p, valid, plan.var[a], opts.adjust)
    sig = [""] * len(est)
    for k in np.flatnonzero((p < opts.alpha) & (est[a] != est[b])):
        hi, lo = (a[k], b[k]) if est[a[k]] > est[b[k]] else (b[k], a[k])
        letter = plan.letters[lo]
        sig[hi] += letter if p[k] < opts.alpha_strong else letter.lower()
    return ["".join(sorted(x, key=str.upper)) for x in sig]


def _arrows_total(line, base, neff, low, plan, opts) -> list[str]:
    """Arrows: each column against the rest of the sample (everyone in Total not in it)."""
    est, se = _estimates(line, base.w, neff)
    rest_w, rest_w2 = base.w[0] - base.w, base.w2[0] - base.w2
    rest_neff = _effective(rest_w, rest_w2)
    rest_line = _Line(line.row_value, line.kind, line.test)
    if line.test == "prop":
        rest_line.count = line.count[0] - line.count
    else:
        rest_line.s1, rest_line.s2 = line.s1[0] - line.s1, line.s2[0] - line.s2
    rest, rest_se = _estimates(rest_line, rest_w, rest_neff)
    rest_low = (base.n_used[0] - base.n_used) < opts.min_base
    idx = np.flatnonzero(plan.var >= 0)
    valid = ~low[idx] & ~rest_low[idx] & ~np.isnan(est[idx]) & ~np.isnan(rest[idx])
    sea, seb = (None, None) if se is None else (se[idx], rest_se[idx])
    p = _pvalues(line, est[idx], sea, neff[idx], rest[idx], seb, rest_neff[idx])
    p = _adjusted(np.where(valid, p, 1.0), valid, plan.var[idx], opts.adjust)
    sig = [""] * len(est)
    for c, pv in zip(idx, p, strict=True):
        if pv < opts.alpha and est[c] != rest[c]:
            sig[c] = (UP if est[c] > rest[c] else DOWN) * (2 if pv < opts.alpha_strong else 1)
    return sig


# -- assembly --------------------------------------------------------------------------------------


def _frame(row: _Row, base: _Base, lines: list[_Line], plan: BannerPlan, sigs, low) -> pd.DataFrame:
    """The cell table of one row item: lines x banner columns, line-major."""
    n_cols, n_lines = len(plan.columns), len(lines)
    neff = _effective(base.w, base.w2)
    count, pct, mean, sd, value = (np.full((n_lines, n_cols), np.nan) for _ in range(5))
    for r, line in enumerate(lines):
        if line.count is not None:
            count[r] = line.count
            with np.errstate(divide="ignore", invalid="ignore"):
                pct[r] = np.where(base.w > 0, 100 * line.count / base.w, np.nan)
            value[r] = pct[r]
        elif line.s1 is not None:
            m, s = _moments(line.s1, line.s2, base.w, neff)
            sd[r] = s
            if line.kind == "sd":
                value[r] = s
            else:
                mean[r] = value[r] = m
        else:
            value[r] = line.value

    def tile(a):
        return np.tile(np.asarray(a), n_lines)

    def rep(a):
        return np.repeat(np.asarray(a), n_cols)

    return pd.DataFrame(
        {
            "row": row.name,
            "row_type": row.type,
            "row_value": rep([ln.row_value for ln in lines]),
            "kind": rep([ln.kind for ln in lines]),
            "banner": tile(plan.labels[0]),
            "banner_value": tile(plan.labels[1]),
            "column": tile(plan.letters),
            "n": tile(base.n.round().astype(np.int64)),
            "n_used": tile(base.n_used.round().astype(np.int64)),
            "base": tile(base.n_used.round().astype(np.int64)),
            "base_weighted": tile(base.w),
            "base_effective": tile(neff),
            "count": count.ravel(),
            "pct": pct.ravel(),
            "mean": mean.ravel(),
            "sd": sd.ravel(),
            "value": value.ravel(),
            "sig": np.concatenate([np.asarray(s, dtype=object) for s in sigs]) if sigs else [],
            "low_base": tile(low),
        },
        columns=CELL_COLUMNS,
    )


@dataclass(frozen=True)
class _Options:
    alpha: float
    alpha_strong: float
    compare: str
    adjust: str | None
    min_base: float


def _check_options(alpha, alpha_strong, compare, adjust, min_base) -> _Options:
    if not 0 < alpha_strong <= alpha < 1:
        raise ValueError(
            f"Need 0 < alpha_strong <= alpha < 1; got alpha={alpha!r}, alpha_strong={alpha_strong!r}."
        )
    if compare not in COMPARES:
        raise ValueError(f"`compare` should be one of {COMPARES}, not {compare!r}.")
    if adjust not in ADJUSTS:
        raise ValueError(f"`adjust` should be one of {ADJUSTS}, not {adjust!r}.")
    if min_base < 0:
        raise ValueError(f"`min_base` should be >= 0, not {min_base!r}.")
    return _Options(alpha, alpha_strong, compare, adjust, min_base)


def _table_row(df, row: _Row, plan: BannerPlan, w, pos, opts: _Options, nets=None) -> pd.DataFrame:
    """The cells of one resolved row item."""
    if row.type == "multi":
        base, lines = _multi_lines(row, df, plan, w, pos)
    elif row.type == "numeric":
        base, lines = _numeric_lines(row, df, plan, w, pos)
    else:
        base, lines = _distribution_lines(row, df, plan, w, pos, nets)
    neff = _effective(base.w, base.w2)
    low = base.n_used < opts.min_base
    sigs = []
    for line in lines:
        if line.test is None:
            sigs.append([""] * len(neff))
        elif opts.compare == "columns":
            sigs.append(_letters_columns(line, base, neff, low, plan, opts))
        else:
            sigs.append(_arrows_total(line, base, neff, low, plan, opts))
    return _frame(row, base, lines, plan, sigs, low)


def _resolve_rows(df: pd.DataFrame, rows, codebook: Codebook | None) -> list[_Row]:
    """Each row item as tabled: its type and columns."""
    out = [_resolve_row(r, df, codebook) for r in as_list(rows)]
    if not out:
        raise ValueError("`rows` is empty: name at least one item to table.")
    for r in out:
        require_columns(df, *r.columns, arg=f"row item `{r.name}`")
    return out


def _analysed_weights(df: pd.DataFrame, weight: str | None, items: Sequence[_Row]):
    """Weights by the weight rule over respondents answering any row item; (w, w > 0)."""
    try:
        w = weight_values(df, weight)
    except ValueError:
        # Only the weights of respondents who answered a row item must be valid.
        cols = [c for r in items for c in r.columns]
        w = weight_values(df, weight, rows=df[cols].notna().any(axis=1).to_numpy())
    w = np.where(np.isfinite(w), w, 0.0)  # unchecked rows answered nothing: they count nowhere
    positive = w > 0
    return w, (ALL_POSITIVE if positive.all() else positive.astype(float))


def crosstab(
    df: pd.DataFrame,
    rows: str | Sequence[str],
    banner,
    *,
    weight: str | None = None,
    codebook: Codebook | None = None,
    alpha: float = 0.05,
    alpha_strong: float = 0.01,
    compare: str = "columns",
    adjust: str | None = None,
    min_base: float = 30,
    nets=None,
) -> pd.DataFrame:
    """Banner table: rows against Total and segment columns, with bases and significance letters.

    Parameters
    ----------
    df : pandas.DataFrame
        Respondents in rows.
    rows : str or list of str
        Row items. With a ``codebook`` each is tabled by its type: ``category`` (its codes in
        codebook order, value labels by code), ``binary``, ``kano`` (each code), ``scale`` (each
        point, top-2 and bottom-2 box, mean, SD), ``nps`` (promoters, passives, detractors, NPS),
        ``numeric`` (mean with SD, median), or the name of a multiple-response set (the ``set``
        of ``multi`` items: each option). Without a codebook every row is a category item.
    banner : str, BannerVar, a list of them, or BannerPlan
        Segment columns across the top, after Total. A
        :class:`~cxlab.tables.spec.BannerVar` orders the values and adds nets (南方 = 华东+华南);
        a :class:`BannerPlan` (:func:`plan_banner`) is a banner already encoded over ``df``, reused
        across many calls.
    weight : str, optional
        Weight column (the weight rule of :mod:`cxlab.checks`).
    codebook : Codebook, optional
    alpha, alpha_strong : float
        Significance levels: lower-case letters at ``alpha``, upper case where also at
        ``alpha_strong``.
    compare : {"columns", "total"}
        ``columns``: each column against every other column of the same banner variable
        (letters). ``total``: each column against the rest of the sample, ▲/▼ (▲▲/▼▼ at
        ``alpha_strong``).
    adjust : {None, "bonferroni", "fdr_bh"}
        Multiple-comparison adjustment of the p values of one line across the tests within one
        banner variable (statsmodels ``multipletests``).
    min_base : float
        Columns whose ``base`` is smaller are flagged ``low_base`` and never tested.
    nets : mapping, optional
        Row nets: item -> {net name: [codes]} (replaces a scale's top-2 / bottom-2).

    Returns
    -------
    pandas.DataFrame
        One row per cell, line by line, each line across the banner columns (Total first):

        - ``row``: the item (or multi set); ``row_type``: how it is tabled (:data:`ROW_TYPES`)
        - ``row_value``: a category code, a net name (``top2``, ``bottom2``, spec nets), a multi
          option's column, or a statistic: ``promoters``, ``passives``, ``detractors``, ``nps``,
          ``mean``, ``sd``, ``median``
        - ``kind``: what ``value`` is: ``pct``, ``mean``, ``sd``, ``median`` or ``nps``
        - ``banner``: the banner variable (``total`` for Total); ``banner_value``: its value or
          net name; ``column``: the letter (A, B, C... within each banner variable, ``""`` for Total)
        - ``n``: respondents in the column who answered the row item; ``n_used``: those of them
          with weight > 0; ``base``: the unweighted base (= ``n_used``)
        - ``base_weighted``: sum of weights; ``base_effective``: Kish's (Σw)²/Σw²
        - ``count``: weighted count (``pct`` lines); ``pct``: column percent, 0-100
        - ``mean``, ``sd``: on ``mean`` and ``nps`` lines (``sd`` also on ``sd`` lines)
        - ``value``: the number shown; ``sig``: letters or arrows (empty where not significant or
          not tested); ``low_base``: the column's base is under ``min_base``

    Notes
    -----
    Percentages are compared by the pooled two-proportion z test and means (NPS as the mean of
    +100/0/-100) by Welch's t (:mod:`cxlab.inference`). Under weights the proportions and means
    are weighted and the tests use the effective bases n_eff = (Σw)²/Σw² (Kish, 1965); the SD is
    sqrt((Σw x²/Σw - mean²) · n_eff/(n_eff - 1)), the sample SD when unweighted, and the mean's
    standard error SD/sqrt(n_eff). A net column and the columns it combines share respondents
    and are not tested against each other. SD and median lines are not tested. Unweighted,
    the z test equals R's ``prop.test(correct = FALSE)`` and the t test ``t.test(x, y)``.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [1, 2, 2, 1, 1, 2, 2, 2], "seg": list("xxxxyyyy")})
    >>> t = crosstab(df, "q", "seg", min_base=2)
    >>> t[["row_value", "banner_value", "column", "base", "pct"]].head(3).values.tolist()
    [['1', 'total', '', 8, 37.5], ['1', 'x', 'A', 4, 50.0], ['1', 'y', 'B', 4, 25.0]]
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"q": {"type": "scale", "min": 1, "max": 3}}})
    >>> t = crosstab(df, "q", "seg", codebook=book, min_base=2)
    >>> t.loc[t["banner"] == "total", ["row_value", "value"]].round(3).values.tolist()
    [['1', 37.5], ['2', 62.5], ['3', 0.0], ['top2', 62.5], ['bottom2', 100.0], \
['mean', 1.625], ['sd', 0.518]]
    """
    opts = _check_options(alpha, alpha_strong, compare, adjust, min_base)
    items = _resolve_rows(df, rows, codebook)
    if isinstance(banner, BannerPlan):
        if banner.n_rows != len(df):
            raise ValueError(
                f"`banner` was planned over {banner.n_rows} rows and `df` has {len(df)}; "
                "plan it over the same rows (BannerPlan.subset for a filtered table)."
            )
        plan = banner
    else:
        plan = plan_banner(df, banner)
    w, pos = _analysed_weights(df, weight, items)
    nets = nets or {}
    return pd.concat(
        [_table_row(df, r, plan, w, pos, opts, nets.get(r.name)) for r in items], ignore_index=True
    )

"""Words for an index model: construct names and the generated summary of what to improve."""

from __future__ import annotations

import pandas as pd

from cxlab.markup import escape_markdown
from cxlab.messages import has, msg

__all__ = ["construct_labels", "index_points"]


def construct_labels(codes, *, lang: str = "zh") -> dict[str, str]:
    """Display name of each construct code (message ``construct.<code>``, else the code).

    Parameters
    ----------
    codes : iterable of str
        Construct codes (e.g. ``PLSResult.blocks``).
    lang : {"zh", "en"}

    Returns
    -------
    dict
        Code -> display name, in the order of ``codes``.

    Examples
    --------
    >>> construct_labels(["satisfaction", "IMAG"], lang="en")
    {'satisfaction': 'Satisfaction', 'IMAG': 'IMAG'}
    """
    return {c: msg(f"construct.{c}", lang) if has(f"construct.{c}") else c for c in codes}


def index_points(
    result,
    scores,
    ipma,
    quality: pd.DataFrame,
    *,
    target: str,
    segments: pd.DataFrame | None = None,
    by: str | None = None,
    labels: dict | None = None,
    lang: str = "zh",
) -> list[str]:
    """Key points of an index report, in ``lang``.

    Parameters
    ----------
    result : PLSResult
    scores : IndexScores
        Without ``by``.
    ipma : IPMA
        For ``target``.
    quality : pandas.DataFrame
        :func:`cxlab.index.measurement_quality`.
    target : str
        The construct the summary is about (e.g. ``"satisfaction"``).
    segments : pandas.DataFrame, optional
        ``IndexScores.table`` by the column ``by``, for the best and worst group.
    labels : dict, optional
        Construct and group code -> display name (default :func:`construct_labels`).
    lang : {"zh", "en"}

    Returns
    -------
    list of str
        Sentences: model fit, the target's index, its strongest driver, what to improve first,
        measurement problems, and the best and worst group.

    Examples
    --------
    >>> import numpy as np
    >>> from cxlab.index import index_scores, ipma, measurement_quality, pls_pm
    >>> rng = np.random.default_rng(2)
    >>> a = rng.standard_normal(300); b = 0.5 * a + rng.standard_normal(300)
    >>> df = pd.DataFrame({f"{n}{k}": np.clip(np.round(6 + 1.4 * v + rng.standard_normal(300)),
    ...     1, 10) for n, v in (("a", a), ("b", b)) for k in (1, 2)})
    >>> model = pls_pm(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, paths=[("A", "B")])
    >>> scores = index_scores(model, df, scale=(1, 10), n_boot=50, seed=1)
    >>> points = index_points(model, scores, ipma(scores, "B"), measurement_quality(model),
    ...                       target="B", lang="en")
    >>> points[0]
    'The model explains 16% of the variance of B (GoF 0.37, 300 respondents).'
    >>> points[2]
    'A moves B most (total effect 0.43: one index point more raises B by about 0.43).'
    """
    names = construct_labels(result.blocks, lang=lang) | (labels or {})
    t = names[target]
    r2 = result.r2.set_index("construct")["r2"]
    gof = result.gof.iloc[0]
    points = [
        msg(
            "index.point.model",
            lang,
            target=t,
            r2=r2.get(target, float("nan")),
            gof=gof["gof"],
            n=f"{int(gof['n_used']):,}",
        )
    ]
    row = scores.table.set_index("construct").loc[target]
    points.append(
        msg(
            "index.point.index",
            lang,
            target=t,
            index=row["index"],
            low=row["ci_low"],
            high=row["ci_high"],
        )
    )
    c = ipma.constructs.sort_values("importance", ascending=False)
    if len(c):
        top = c.iloc[0]
        points.append(
            msg(
                "index.point.strongest",
                lang,
                target=t,
                driver=names[top["construct"]],
                effect=top["importance"],
            )
        )
    fix = c[c["priority"].notna()].sort_values("priority")
    sep = "、" if lang == "zh" else ", "
    if len(fix):
        points.append(
            msg("index.point.improve", lang, items=sep.join(names[x] for x in fix["construct"]))
        )
    else:
        points.append(msg("index.point.none", lang))
    points.append(_quality_point(quality, names, lang))
    if segments is not None and by is not None:
        points.extend(_segment_point(segments, by, target, names, lang))
    return points


def _quality_point(quality: pd.DataFrame, names: dict, lang: str) -> str:
    bad = quality[~quality["ok"]]
    if bad.empty:
        return msg("index.point.quality_ok", lang)
    sep = "、" if lang == "zh" else ", "
    problems = sep.join(
        f"{names[r.construct]} {msg(f'check.{r.check}', lang)}" for r in bad.itertuples()
    )
    return msg("index.point.quality", lang, problems=problems)


def _segment_point(segments: pd.DataFrame, by: str, target: str, names: dict, lang: str):
    seg = segments[segments["construct"] == target].set_index(by)["index"]
    if len(seg) < 2:
        return []
    best, worst = seg.idxmax(), seg.idxmin()
    return [
        msg(
            "index.point.segment",
            lang,
            target=names[target],
            best=escape_markdown(str(names.get(best, best))),
            best_value=seg.max(),
            worst=escape_markdown(str(names.get(worst, worst))),
            worst_value=seg.min(),
        )
    ]

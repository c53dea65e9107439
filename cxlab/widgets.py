"""Interactive explorer for JupyterLab: pick a metric, a segment, a wave and filters; the chart,
the table and the verbatims update in place.

The computing is in :func:`explore_table` and :func:`explore_verbatims` (pure, tested); the
widgets only wire controls to them. ipywidgets is imported inside :func:`explorer`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cxlab import survey as sv
from cxlab.text import redact

__all__ = ["ALL", "explore_table", "explore_verbatims", "explorer", "metric_options"]

#: The "no filter" choice of a dropdown.
ALL = "（全部）"


def metric_options(codebook) -> dict[str, tuple[str, str | None]]:
    """Display name -> (metric, item): NPS, CSAT, CES, then the mean of every rating item."""
    opts: dict[str, tuple[str, str | None]] = {}
    for item in codebook.select(type="nps")[:1]:
        opts["NPS"] = ("nps", item)
    for item in codebook.select(role="outcome")[:1]:
        opts[f"CSAT：{codebook.label(item)}（前两档 %）"] = ("top_box", item)
    for item in codebook.select(role="effort")[:1]:
        opts[f"CES：{codebook.label(item)}（均值）"] = ("ces", item)
    for item in codebook.select(type="scale"):
        opts[f"均值：{codebook.label(item)}"] = ("mean", item)
    return opts


def _subset(
    data: pd.DataFrame, codebook, wave: str | None, filters: Mapping[str, str] | None
) -> pd.DataFrame:
    d = data
    if wave and wave != ALL and codebook.wave:
        d = d[d[codebook.wave].astype(str) == wave]
    for col, value in (filters or {}).items():
        if value and value != ALL:
            d = d[d[col].astype(str) == value]
    return d


def explore_table(
    data: pd.DataFrame,
    codebook,
    *,
    metric: str,
    item: str | None,
    segment: str,
    wave: str | None = None,
    filters: Mapping[str, str] | None = None,
    min_base: int = 30,
) -> pd.DataFrame:
    """The explorer's table: a metric by segment, with letters, for one wave and filters.

    Returns
    -------
    pandas.DataFrame
        The output of :func:`cxlab.survey.compare` (``segment``, ``letter``,
        ``n``, ``n_eff``, ``value``, ``se``, ``ci_low``, ``ci_high``,
        ``higher_than``, ``low_base``) on the selected respondents. Raises
        ValueError when the selection leaves nobody.
    """
    d = _subset(data, codebook, wave, filters)
    if d.empty:
        raise ValueError("No respondents match the selected wave and filters.")
    scale = None
    if item is not None and item in codebook.items and codebook.items[item].type == "scale":
        scale = (codebook.items[item].min, codebook.items[item].max)
    return sv.compare(
        d, metric, segment, item, weight=codebook.weight, min_base=min_base, scale=scale
    )


def explore_verbatims(
    data: pd.DataFrame,
    codebook,
    *,
    segment: str,
    group: str,
    wave: str | None = None,
    filters: Mapping[str, str] | None = None,
    n: int = 10,
) -> pd.Series:
    """Redacted comments of one group of the segment (the most recent respondents first)."""
    text_cols = codebook.select(type="text")
    if not text_cols:
        return pd.Series(dtype=object, name="comment")
    d = _subset(data, codebook, wave, filters)
    d = d[d[segment].astype(str) == str(group)]
    comments = d[text_cols[0]].dropna().iloc[::-1].head(n)
    return redact(comments).rename("comment")


def explorer(survey, *, min_base: int = 30):
    """An ipywidgets explorer of a loaded survey (:class:`cxlab.io.Survey`).

    Returns the widget; display it (it is the last expression of a cell).
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from cxlab import plots, present

    book, data = survey.codebook, survey.data
    opts = metric_options(book)
    segments = {book.label(s): s for s in book.segments}
    waves = [ALL, *sorted(data[book.wave].dropna().astype(str).unique())] if book.wave else [ALL]
    metric = w.Dropdown(options=list(opts), description="指标", layout=w.Layout(width="420px"))
    segment = w.Dropdown(options=list(segments), description="细分", layout=w.Layout(width="260px"))
    wave = w.Dropdown(
        options=waves, value=waves[-1], description="波次", layout=w.Layout(width="220px")
    )
    filters = {
        s: w.Dropdown(
            options=[ALL, *sorted(data[s].dropna().astype(str).unique())],
            description=f"{book.label(s)}",
            layout=w.Layout(width="220px"),
        )
        for s in book.segments
    }
    group = w.Dropdown(description="原话", layout=w.Layout(width="260px"))
    chart, table, verbatims = w.Output(), w.Output(), w.Output()

    def chosen_filters():
        return {s: d.value for s, d in filters.items()}

    def refresh(*_):
        m, item = opts[metric.value]
        seg = segments[segment.value]
        for out in (chart, table):
            out.clear_output(wait=True)
        try:
            result = explore_table(
                data,
                book,
                metric=m,
                item=item,
                segment=seg,
                wave=wave.value,
                filters=chosen_filters(),
                min_base=min_base,
            )
        except ValueError as e:
            with table:
                print(f"无法计算：{e}")
            return
        with chart:
            fig, ax = plt.subplots(figsize=(7, 0.45 * len(result) + 1.2))
            plots.plot_estimates(
                result,
                "value",
                by=seg,
                ax=ax,
                title=f"{metric.value} · {segment.value}",
                xlabel=metric.value,
            )
            fig.tight_layout()
            display(fig)
            plt.close(fig)
        with table:
            display(present.table(result, book, rename={"value": metric.value}))
        values = [str(v) for v in result[seg].tolist()]
        group.unobserve(show_verbatims, names="value")
        group.options = values
        group.value = values[0] if values else None
        group.observe(show_verbatims, names="value")
        show_verbatims()

    def show_verbatims(*_):
        verbatims.clear_output(wait=True)
        if group.value is None:
            return
        comments = explore_verbatims(
            data,
            book,
            segment=segments[segment.value],
            group=group.value,
            wave=wave.value,
            filters=chosen_filters(),
        )
        with verbatims:
            display(present.table(comments.to_frame(), book))

    for control in (metric, segment, wave, *filters.values()):
        control.observe(refresh, names="value")
    group.observe(show_verbatims, names="value")
    refresh()
    return w.VBox(
        [
            w.HBox([metric, segment, wave]),
            w.HBox(list(filters.values())),
            w.HBox([chart, table]),
            w.HTML("<b>所选群体的顾客原话（已脱敏）</b>"),
            group,
            verbatims,
        ]
    )

"""Interactive explorer for JupyterLab: pick a metric, a segment, a wave and filters; the chart,
the table and the verbatims update in place. And a sentiment labeler (:func:`labeler`): one
comment at a time, keys for the label, every label on disk at once, retraining on request.

The computing is in :func:`explore_table` and :func:`explore_verbatims` (pure, tested); the
widgets only wire controls to them. ipywidgets is imported inside :func:`explorer`. Words come
from the message catalogue (``widgets.*``) in the language ``lang``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from cxlab import present
from cxlab import survey as sv
from cxlab.markup import escape_html
from cxlab.messages import check_lang, msg
from cxlab.text import redact

__all__ = [
    "LABELER_KEYS",
    "explore_table",
    "explore_verbatims",
    "explorer",
    "labeler",
    "metric_options",
]


def metric_options(codebook, *, lang: str = "zh") -> dict[str, tuple[str, str | None]]:
    """The explorer's metrics: NPS, CSAT, CES, then the mean of every rating item.

    Parameters
    ----------
    codebook : cxlab.codebook.Codebook
        NPS from the first ``nps`` item, CSAT from the ``role: outcome`` item, CES from the
        ``role: effort`` item, a mean for every ``scale`` item (each when present).
    lang : {"zh", "en"}

    Returns
    -------
    dict
        Display name -> (metric of :func:`cxlab.survey.compare`, item).

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"nps": {"type": "nps"},
    ...     "sat": {"label": "Overall", "type": "scale", "min": 1, "max": 5, "role": "outcome"}}})
    >>> metric_options(book, lang="en")
    {'NPS': ('nps', 'nps'), 'CSAT: Overall (top-2 box %)': ('top_box', 'sat'), \
'Mean: Overall': ('mean', 'sat')}
    """
    check_lang(lang)
    opts: dict[str, tuple[str, str | None]] = {}
    for item in codebook.select(type="nps")[:1]:
        opts["NPS"] = ("nps", item)
    for metric, role in (("top_box", "outcome"), ("ces", "effort")):
        for item in codebook.select(role=role)[:1]:
            key = "widgets.option.csat" if metric == "top_box" else "widgets.option.ces"
            opts[msg(key, lang, item=codebook.label(item))] = (metric, item)
    for item in codebook.select(type="scale"):
        opts[msg("widgets.option.mean", lang, item=codebook.label(item))] = ("mean", item)
    return opts


def _subset(
    df: pd.DataFrame, codebook, period: str | None, filters: Mapping[str, str] | None
) -> pd.DataFrame:
    """The respondents of ``period`` (None or "": every wave) and the filters ("": any value)."""
    d = df
    if period and codebook.wave:
        d = d[d[codebook.wave].astype(str) == str(period)]
    for col, value in (filters or {}).items():
        if value:
            d = d[d[col].astype(str) == str(value)]
    return d


def explore_table(
    df: pd.DataFrame,
    codebook,
    *,
    metric: str,
    item: str | None,
    by: str,
    period: str | None = None,
    filters: Mapping[str, str] | None = None,
    min_base: int = 30,
) -> pd.DataFrame:
    """The explorer's table: a metric by a segment, with letters, for one wave and filters.

    Parameters
    ----------
    df : pandas.DataFrame
        The survey data.
    codebook : cxlab.codebook.Codebook
        Gives the wave column, the weight and the item's scale.
    metric : str
        A metric of :func:`cxlab.survey.compare` (``"nps"``, ``"top_box"``, ``"mean"``...).
    item : str or None
        The analysed column.
    by : str
        The segment column.
    period : str, optional
        A value of the codebook's wave column (None or "": every wave).
    filters : mapping, optional
        Column -> value the respondents must have ("" or None: any).
    min_base : int
        Groups with fewer respondents are shown but not tested.

    Returns
    -------
    pandas.DataFrame
        The output of :func:`cxlab.survey.compare` on the selected respondents.

    Raises
    ------
    ValueError
        The selection leaves nobody.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "wave": "w", "items": {"nps": {"type": "nps"}}})
    >>> d = pd.DataFrame({"id": range(6), "w": ["Q1"] * 2 + ["Q2"] * 4,
    ...                   "ch": ["A", "B"] * 3, "nps": [10, 0, 9, 6, 10, 8]})
    >>> explore_table(d, book, metric="nps", item="nps", by="ch", period="Q2")["n"].tolist()
    [2, 2]
    """
    d = _subset(df, codebook, period, filters)
    if d.empty:
        raise ValueError("No respondents match the selected wave and filters.")
    scale = None
    if item is not None and item in codebook.items and codebook.items[item].type == "scale":
        scale = (codebook.items[item].min, codebook.items[item].max)
    return sv.compare(d, metric, by, item, weight=codebook.weight, min_base=min_base, scale=scale)


def explore_verbatims(
    df: pd.DataFrame,
    codebook,
    *,
    by: str,
    group: str,
    period: str | None = None,
    filters: Mapping[str, str] | None = None,
    n: int = 10,
) -> pd.Series:
    """Redacted comments of one group of a segment, the most recent respondents first.

    Parameters
    ----------
    df : pandas.DataFrame
        The survey data.
    codebook : cxlab.codebook.Codebook
        Its first ``text`` item holds the comments.
    by : str
        The segment column.
    group : str
        The value of ``by`` whose comments are shown.
    period : str, optional
        A value of the wave column (None or "": every wave).
    filters : mapping, optional
        Column -> value ("" or None: any).
    n : int
        At most this many comments.

    Returns
    -------
    pandas.Series
        Named ``comment``, indexed like ``df``; empty when the codebook has no text item.

    Examples
    --------
    >>> from cxlab.codebook import Codebook
    >>> book = Codebook.from_dict({"id": "id", "items": {"c": {"type": "text"}}})
    >>> d = pd.DataFrame({"id": [1, 2], "ch": ["A", "B"], "c": ["电话 13812345678 打不通", "好"]})
    >>> explore_verbatims(d, book, by="ch", group="A").tolist()
    ['电话 [手机号] 打不通']
    """
    text_cols = codebook.select(type="text")
    if not text_cols:
        return pd.Series(dtype=object, name="comment")
    d = _subset(df, codebook, period, filters)
    d = d[d[by].astype(str) == str(group)]
    comments = d[text_cols[0]].dropna().iloc[::-1].head(n)
    return redact(comments).rename("comment")


def explorer(survey, *, min_base: int = 30, lang: str = "zh"):
    """An ipywidgets explorer of a loaded survey.

    Parameters
    ----------
    survey : cxlab.io.Survey
        The loaded survey.
    min_base : int
        Groups with fewer respondents are shown but not tested.
    lang : {"zh", "en"}
        Language of the controls and tables.

    Returns
    -------
    ipywidgets.VBox
        Display it (make it the last expression of a cell).

    Examples
    --------
    >>> from cxlab import io
    >>> from cxlab.paths import SAMPLE_DATA
    >>> box = explorer(io.load_survey(SAMPLE_DATA), lang="en")  # doctest: +SKIP
    """
    check_lang(lang)
    book, data = survey.codebook, survey.data
    ui = _controls(book, data, lang)

    def chosen() -> dict:
        return {
            "metric": ui.options[ui.metric.value],
            "by": ui.segments[ui.segment.value],
            "period": ui.wave.value,
            "filters": {s: d.value for s, d in ui.filters.items()},
        }

    def refresh(*_):
        c = chosen()
        (metric, item), by = c["metric"], c["by"]
        for out in (ui.chart, ui.table):
            out.clear_output(wait=True)
        try:
            result = explore_table(
                data,
                book,
                metric=metric,
                item=item,
                by=by,
                period=c["period"],
                filters=c["filters"],
                min_base=min_base,
            )
        except ValueError as e:
            with ui.table:
                print(msg("widgets.cannot_compute", lang, error=e))
            return
        _show_result(ui, result, book, by=by, lang=lang)
        values = [str(v) for v in result[by].tolist()]
        ui.group.unobserve(show_verbatims, names="value")
        ui.group.options = values
        ui.group.value = values[0] if values else None
        ui.group.observe(show_verbatims, names="value")
        show_verbatims()

    def show_verbatims(*_):
        ui.verbatims.clear_output(wait=True)
        if ui.group.value is None:
            return
        c = chosen()
        comments = explore_verbatims(
            data, book, by=c["by"], group=ui.group.value, period=c["period"], filters=c["filters"]
        )
        _display(ui.verbatims, present.table(comments.to_frame(), book, lang=lang))

    for control in (ui.metric, ui.segment, ui.wave, *ui.filters.values()):
        control.observe(refresh, names="value")
    ui.group.observe(show_verbatims, names="value")
    refresh()
    return _layout(ui, lang)


def _display(out, obj) -> None:
    from IPython.display import display

    with out:
        display(obj)


def _controls(book, data: pd.DataFrame, lang: str) -> SimpleNamespace:
    """The dropdowns (every "all" choice has the value "") and the three output areas."""
    import ipywidgets as w

    every = msg("widgets.all", lang)

    def choices(col: str) -> list[tuple[str, str]]:
        return [(every, ""), *((v, v) for v in sorted(data[col].dropna().astype(str).unique()))]

    options = metric_options(book, lang=lang)
    segments = {book.label(s): s for s in book.segments}
    waves = choices(book.wave) if book.wave else [(every, "")]
    return SimpleNamespace(
        options=options,
        segments=segments,
        metric=w.Dropdown(
            options=list(options),
            description=msg("widgets.metric", lang),
            layout=w.Layout(width="420px"),
        ),
        segment=w.Dropdown(
            options=list(segments),
            description=msg("widgets.segment", lang),
            layout=w.Layout(width="260px"),
        ),
        wave=w.Dropdown(
            options=waves,
            value=waves[-1][1],
            description=msg("widgets.wave", lang),
            layout=w.Layout(width="220px"),
        ),
        filters={
            s: w.Dropdown(
                options=choices(s), description=book.label(s), layout=w.Layout(width="220px")
            )
            for s in book.segments
        },
        group=w.Dropdown(description=msg("widgets.group", lang), layout=w.Layout(width="260px")),
        chart=w.Output(),
        table=w.Output(),
        verbatims=w.Output(),
    )


def _show_result(ui: SimpleNamespace, result: pd.DataFrame, book, *, by: str, lang: str) -> None:
    """The chart and the table of a computed selection."""
    import matplotlib.pyplot as plt

    from cxlab import plots

    fig, ax = plt.subplots(figsize=(7, 0.45 * len(result) + 1.2))
    plots.plot_estimates(
        result,
        "value",
        by=by,
        ax=ax,
        title=f"{ui.metric.value} · {ui.segment.value}",
        xlabel=ui.metric.value,
        lang=lang,
    )
    fig.tight_layout()
    _display(ui.chart, fig)
    plt.close(fig)
    shown = present.table(result, book, rename={"value": ui.metric.value}, lang=lang)
    _display(ui.table, shown)


def _layout(ui: SimpleNamespace, lang: str):
    import ipywidgets as w

    return w.VBox(
        [
            w.HBox([ui.metric, ui.segment, ui.wave]),
            w.HBox(list(ui.filters.values())),
            w.HBox([ui.chart, ui.table]),
            w.HTML(f"<b>{msg('widgets.verbatims', lang)}</b>"),
            ui.group,
            ui.verbatims,
        ]
    )


#: Keys of the labeler and the label each writes.
LABELER_KEYS = {"1": "positive", "0": "negative", "2": "neutral", "s": "skip"}
#: Comments suggested per round (the model is retrained, if asked, between rounds).
LABELER_ROUND = 200


class _Labeling:
    """The labeler's state: the comments (redacted), the file, the model and the round."""

    def __init__(self, texts, path, model) -> None:
        from cxlab.text import learn

        s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
        s = s[s.map(lambda t: isinstance(t, str) and bool(t.strip()))]
        self.shown = redact(s).map(learn.tsv_text)
        self.path = Path(path)
        self.model = learn.as_model(model)
        self.round: list = []
        self.done = 0

    def seen(self) -> pd.DataFrame:
        from cxlab.text import learn

        return learn.read_labels(self.path)

    def next_round(self) -> None:
        """The next comments to label: suggested among those the file does not hold yet."""
        from cxlab.text import learn

        rest = self.shown[~self.shown.isin(set(self.seen()["text"]))]
        rest = rest[~rest.duplicated()]
        self.round = list(learn.suggest_labels(rest, model=self.model, n=LABELER_ROUND, seed=0))
        self.done = 0

    def current(self) -> str | None:
        if self.done >= len(self.round):
            self.next_round()
        return self.shown[self.round[self.done]] if self.round else None

    def label(self, key: str) -> bool:
        """Write the label of ``key`` for the current comment; False for another key."""
        from cxlab.text import learn

        label = LABELER_KEYS.get(key.strip().lower())
        comment = self.current()
        if label is None or comment is None:
            return False
        learn.append_label(self.path, comment, label)
        self.done += 1
        return True

    def retrain(self):
        from cxlab.text import learn

        labels = self.seen().dropna(subset=["label"])
        self.model = learn.train_sentiment(labels, pool=self.shown, seed=0)
        saved = self.model.save(self.path.with_suffix(".model.tsv"))
        self.round, self.done = [], 0
        return self.model, saved


def labeler(texts, *, path, model=None, lang: str = "zh"):
    """Label the sentiment of comments in JupyterLab, one at a time, from the keyboard.

    Parameters
    ----------
    texts : pandas.Series or sequence of str
        The comments (shown redacted, :func:`cxlab.text.redact`; missing ones left out).
    path : str or pathlib.Path
        The labels file (TSV, the ``data/sentiment/`` format, see
        :func:`cxlab.text.learn.append_label`): each label is appended and synced to disk the
        moment its key is pressed, so a kernel that dies loses none; reopened, the labeler
        carries on with the comments the file does not hold yet.
    model : cxlab.text.learn.SentimentModel or path, optional
        The model that chooses the comments (:func:`cxlab.text.learn.suggest_labels`, rounds
        of :data:`LABELER_ROUND`); None: the shipped model.
    lang : {"zh", "en"}
        Language of the controls.

    Returns
    -------
    ipywidgets.VBox
        Display it. Keys (typed in its key box) or buttons: ``1`` positive, ``0`` negative,
        ``2`` neutral, ``s`` skip. The retrain button trains
        :func:`cxlab.text.learn.train_sentiment` on the file's labels, with the comments
        given as its unlabelled ``pool``, shows its cross-validated accuracy and label count,
        saves it beside the file (``<name>.model.tsv``) and lets it choose the next comments.

    Examples
    --------
    >>> box = labeler(["快递很快", "客服不理人"], path="labels.tsv")  # doctest: +SKIP
    """
    check_lang(lang)
    state = _Labeling(texts, path, model)
    ui = _labeler_controls(state, lang)

    def press(key: str) -> None:
        if state.label(key):
            _labeler_show(ui, state, lang)

    def on_key(change) -> None:
        if change["new"]:
            press(change["new"][-1])
            ui.keys.value = ""

    def on_retrain(_) -> None:
        ui.trained.value = escape_html(_retrain_message(state, lang))
        _labeler_show(ui, state, lang)

    ui.keys.observe(on_key, names="value")
    for key, button in zip(LABELER_KEYS, ui.buttons, strict=True):
        button.on_click(lambda _, k=key: press(k))
    ui.retrain.on_click(on_retrain)
    _labeler_show(ui, state, lang)
    return ui.box


def _labeler_controls(state: _Labeling, lang: str) -> SimpleNamespace:
    """The labeler's widgets, laid out in ``box``."""
    import ipywidgets as w

    ui = SimpleNamespace(
        comment=w.HTML(layout=w.Layout(min_height="4em", border="1px solid #ccc", padding="8px")),
        keys=w.Text(placeholder=msg("learn.keys", lang), continuous_update=True),
        buttons=[
            w.Button(description=msg(f"learn.{label}", lang), layout=w.Layout(width="120px"))
            for label in LABELER_KEYS.values()
        ],
        progress=w.IntProgress(min=0, max=max(len(state.shown), 1)),
        status=w.HTML(),
        retrain=w.Button(description=msg("learn.retrain", lang), layout=w.Layout(width="220px")),
        trained=w.HTML(),
    )
    ui.box = w.VBox(
        [
            w.HTML(escape_html(msg("learn.help", lang))),
            ui.comment,
            ui.keys,
            w.HBox(ui.buttons),
            w.HBox([ui.progress, ui.status]),
            w.HTML(escape_html(msg("learn.file", lang, path=state.path))),
            ui.retrain,
            ui.trained,
        ]
    )
    ui.box.add_class("cxlab-labeler")
    return ui


def _labeler_show(ui: SimpleNamespace, state: _Labeling, lang: str) -> None:
    """The current comment (redacted, escaped), then the progress: once the count has moved on,
    the next comment is there (the browser applies the updates in the order they are sent)."""
    comment = state.current()
    text = msg("learn.done", lang) if comment is None else comment
    ui.comment.value = f"<div style='font-size:1.2em'>{escape_html(text)}</div>"
    seen = state.seen()
    skipped = int(seen["label"].isna().sum())
    ui.progress.value = min(len(seen), ui.progress.max)
    ui.status.value = escape_html(
        msg(
            "learn.progress",
            lang,
            labelled=len(seen) - skipped,
            skipped=skipped,
            total=len(state.shown),
            done=state.done,
            round=len(state.round),
        )
    )


def _retrain_message(state: _Labeling, lang: str) -> str:
    """Retrain on the file's labels; what the labeler then says."""
    try:
        model, saved = state.retrain()
    except ValueError as e:
        return msg("learn.cannot_train", lang, error=e)
    d = model.describe()
    key = "learn.trained" if d["folds"] else "learn.trained_no_cv"
    return msg(key, lang, n=d["n_labels"], path=saved, **d) + " " + msg("learn.hard_labels", lang)

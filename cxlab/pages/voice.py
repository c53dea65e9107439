"""Sections of the voice-of-the-customer report (``notebooks/voice.ipynb``).

The comments of every wave are analysed once (the trend needs them all); the other sections read
the chosen period. Options (notebook parameters): ``segment`` (keywords by this column; empty:
none), ``top_keywords`` (10), ``n_examples`` (3), ``taxonomy`` (empty: cxlab's CX taxonomy),
``engine`` ("pandas"), ``min_base`` (default: the codebook's, else 30), ``sentiment_model``
(a model saved by :meth:`cxlab.text.learn.SentimentModel.save`; empty: the codebook's
``sentiment_model:``, else cxlab's shipped model).

Small bases (``ctx.min_base``), comments being what can identify a person: a topic raised by
fewer comments shows "n < 30" for its sentiment, is left out of the topic chart and gives no
verbatims (complaints are chosen among the other topics) and no topic-driver estimate; a
segment with fewer comments gets no keywords (named in a note); a wave with fewer respondents
shows "n < 30" in the trend, as does a change from or to it; an emerging word used in fewer
comments keeps its counts and test (they rest on the whole period) but shows no example; with
fewer comments on the whole page, the sentiment shares show "n < 30".
"""

from __future__ import annotations

from cxlab import plots, text
from cxlab.markup import escape_markdown
from cxlab.messages import msg
from cxlab.notebook import ReportContext, report_section
from cxlab.pages.parts import figure, finish_layout, trend_cells, warning_parts
from cxlab.text import learn

__all__ = ["complaints", "drivers", "emerging", "keywords", "topics", "trend", "warning"]

REPORT = "voice"


def _comment(ctx: ReportContext) -> str:
    return ctx.codebook.one(type="text")


def _model(ctx: ReportContext):
    """The sentiment model: the ``sentiment_model`` option, else the codebook's key, else None
    (cxlab's shipped model)."""
    return ctx.cached(
        "sentiment_model",
        lambda: learn.report_model(
            parameter=ctx.option("sentiment_model", ""), codebook=ctx.codebook
        ),
    )


def _analyzed_all(ctx: ReportContext):
    """Tokens, topics and sentiment of every comment of every wave (scored by :func:`_model`)."""
    return ctx.cached(
        "analyzed",
        lambda: text.analyze(
            ctx.survey.data[_comment(ctx)],
            taxonomy=ctx.option("taxonomy"),
            engine=ctx.option("engine", "pandas"),
            progress=False,
            model=_model(ctx),
        ),
    )


def _model_sentence(ctx: ReportContext) -> str:
    """One sentence: which model scored the comments and how accurate it was measured to be."""
    model = _model(ctx)
    if model is None:
        return msg("learn.model.shipped", ctx.lang)
    d = model.describe()
    fields = {"name": escape_markdown(d["name"]), "n": f"{d['n_labels']:,}"}
    if not d["folds"]:
        return msg("learn.model.trained_no_cv", ctx.lang, **fields)
    return msg(
        "learn.model.trained",
        ctx.lang,
        **fields,
        accuracy=d["accuracy"],
        ci_low=d["ci_low"],
        ci_high=d["ci_high"],
    )


def _summary(ctx: ReportContext):
    return ctx.cached(
        "topic_summary",
        lambda: text.topic_summary(
            ctx.df,
            _comment(ctx),
            taxonomy=ctx.option("taxonomy"),
            analyzed=_analyzed_all(ctx).loc[ctx.df.index],
            examples=int(ctx.option("n_examples", 3)),
        ),
    )


@report_section(REPORT, "topics")
def topics(ctx: ReportContext) -> list:
    """How many comment, and the topics they raise with their negative share.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown: how many respondents of the period commented; one sentence naming the
        sentiment model that scored the comments (cxlab's shipped one, or the team's model of
        the ``sentiment_model`` option or codebook key) and its measured accuracy; a figure and the table of
        :func:`cxlab.text.topic_summary` (mentions, share, mean sentiment, negative share per
        topic); the table of the share of each sentiment label.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> line, model, fig, topic_table, sentiment = topics(open_report("voice", lang="en")).parts
    >>> line, sentiment.data.iloc[:, 0].tolist()
    ('864 comments (67% of respondents).', ['Positive', 'Negative', 'Neutral'])
    >>> model
    "Sentiment was scored by cxlab's shipped model (about 77% right on real shopping, hotel and book reviews)."
    """
    lang = ctx.lang
    has = ctx.df[_comment(ctx)].notna()
    share = 100 * has.mean() if len(has) else 0.0
    parts = [
        msg("pages.voice.comments", lang, n=f"{int(has.sum()):,}", share=share),
        _model_sentence(ctx),
    ]
    summary = _summary(ctx)
    drawn = ctx.chart_rows(summary, "label", base="n")
    shown = []
    if not drawn.table.empty:  # else every topic is under min_base: the note says so
        fig, ax = figure(8, 0.45 * len(summary) + 1)
        plots.plot_topics(drawn.table, ax=ax, title=msg("voice.topics_title", lang), lang=lang)
        finish_layout(fig)
        shown.append(fig)
    topic_table = summary.drop(columns=["topic", "examples"])
    labels = _analyzed_all(ctx).loc[ctx.df.index[has], "label"]
    sentiment = (
        labels.value_counts(normalize=True).mul(100).rename("share").rename_axis("label")
    ).reset_index()
    topic_name, sentiment_name = msg("voice.topic", lang), msg("voice.sentiment", lang)
    return [
        *parts,
        *shown,
        *([drawn.note] if drawn.note else []),
        ctx.table(topic_table, rename={"label": topic_name}, base="n", keep=["share"]),
        ctx.table(sentiment, rename={"label": sentiment_name}, base=[len(labels)] * len(sentiment)),
    ]


@report_section(REPORT, "keywords")
def keywords(ctx: ReportContext) -> list:
    """TF-IDF keywords, by a segment when one is given and the survey has it.

    Returns
    -------
    cxlab.notebook.Shown
        The table of :func:`cxlab.text.keywords` (``top_keywords`` per group, option, default
        10), after a sentence when the survey lacks the ``segment`` column asked for. Groups
        with fewer than ``min_base`` comments get no keywords; a note names them.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> [table] = keywords(open_report("voice", lang="en", top_keywords=3)).parts
    >>> table.data.iloc[:, 0].tolist()
    ['客服', '小程序', '配送']
    """
    segment = ctx.option("segment")
    parts = []
    if segment and segment not in ctx.df.columns:
        parts.append(msg("pages.voice.no_segment", ctx.lang, segment=escape_markdown(segment)))
        segment = None
    df, note = _large_comment_groups(ctx, segment or None)
    if df is None:
        return [*parts, note]
    kw = text.keywords(
        df, _comment(ctx), by=segment or None, top=int(ctx.option("top_keywords", 10))
    )
    return [*parts, ctx.table(kw, digits=4, base=False), *([note] if note else [])]


def _large_comment_groups(ctx: ReportContext, by: str | None):
    """The period's respondents in groups of ``by`` with at least ``min_base`` comments, and the
    note naming the groups left out (None: none); without ``by`` the page is the group, and when
    it is too small: (None, the note)."""
    comments = ctx.df[_comment(ctx)].notna()
    if by is None:
        if comments.sum() >= ctx.min_base:
            return ctx.df, None
        whole = msg(
            "small_base.no_verbatims", ctx.lang, n=int(comments.sum()), min_base=ctx.min_base
        )
        return None, whole
    counts = comments.groupby(ctx.df[by], dropna=False).sum().rename("n").rename_axis(by)
    drawn = ctx.chart_rows(counts.reset_index(), by)
    return ctx.df[ctx.df[by].isin(drawn.table[by])], drawn.note


@report_section(REPORT, "trend")
def trend(ctx: ReportContext) -> list:
    """The share of negative comments per wave.

    Returns
    -------
    cxlab.notebook.Shown
        A figure and the table of :func:`cxlab.text.sentiment_trend` (negative share per wave
        with its interval and the change from the wave before, tested).

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> fig, table = trend(open_report("voice", lang="en")).parts
    >>> table.data.iloc[:, 0].tolist()
    ['2025Q1', '2025Q2', '2025Q3', '2025Q4']
    """
    book, lang = ctx.codebook, ctx.lang
    tr = text.sentiment_trend(
        ctx.survey.data,
        _comment(ctx),
        wave=book.wave,
        weight=book.weight,
        analyzed=_analyzed_all(ctx),
    )
    drawn = ctx.chart_rows(tr, book.wave)
    fig, ax = figure(6, 3.2)
    title = msg("voice.negative_title", lang)
    if not drawn.table.empty:  # every wave under min_base: the note says so
        plots.plot_trend(drawn.table, book.wave, ax=ax, title=title, ylabel="%")
    finish_layout(fig)
    rename = {"value": msg("voice.negative_pct", lang)}
    table = ctx.table(tr, rename=rename, cells=trend_cells(tr))
    return [fig, *([drawn.note] if drawn.note else []), table]


@report_section(REPORT, "complaints")
def complaints(ctx: ReportContext) -> list:
    """The most negative verbatims of the topics with most negative comments (redacted).

    Returns
    -------
    cxlab.notebook.Shown
        For each of the three topics of :func:`cxlab.text.top_complaints` among those raised by
        at least ``min_base`` comments, a Markdown line (comments, negative share) and a table
        of its redacted examples (``n_examples``, option, default 3); one sentence when no such
        topic has negative comments.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = complaints(open_report("voice", lang="en"))
    >>> shown.parts[0], shown.parts[1].data.shape
    ('**物流配送**: 286 comments, 47% negative', (3, 1))
    """
    lang = ctx.lang
    summary = _summary(ctx)
    top = text.top_complaints(summary[summary["n"] >= ctx.min_base], top=3)
    parts = []
    for row in top.itertuples():
        parts.append(
            msg(
                "voice.complaint",
                lang,
                label=escape_markdown(row.label),
                n=row.n,
                negative=row.negative_share,
            )
        )
        examples = top.loc[[row.Index], ["examples"]].explode("examples")
        parts.append(ctx.table(examples.rename(columns={"examples": "redacted"}), base=False))
    return parts or [msg("pages.voice.no_complaints", lang)]


@report_section(REPORT, "drivers")
def drivers(ctx: ReportContext) -> list:
    """Which topics move the outcome: the drop when a topic is raised negatively, and its share.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown naming the outcome, and the table of :func:`cxlab.text.topic_drivers` (the
        drop in the outcome with a topic raised negatively, other topics held fixed, with its
        interval; relative importance), most important first; a topic raised negatively by
        fewer than ``min_base`` respondents shows "n < 30".

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = drivers(open_report("voice", lang="en", n_boot=0))
    >>> shown.parts[1].data.shape[0] > 3
    True
    """
    book, lang = ctx.codebook, ctx.lang
    outcome = (book.select(role="outcome") or book.select(type="nps"))[0]
    found = text.topic_drivers(
        ctx.df,
        outcome,
        topics=_analyzed_all(ctx).loc[ctx.df.index],
        weight=book.weight,
        n_boot=int(ctx.option("n_boot", 200)),
        seed=0,
        progress=False,
    )
    title = msg("voice.topic_drivers_title", lang, outcome=escape_markdown(ctx.label(outcome)))
    return [
        f"**{title}**",
        ctx.table(found.table.sort_values("rank"), digits=3, base="n_with"),
    ]


@report_section(REPORT, "emerging")
def emerging(ctx: ReportContext) -> list:
    """Words frequent this period that the topic taxonomy does not know and that were rare before.

    Returns
    -------
    cxlab.notebook.Shown
        Markdown, and the table of :func:`cxlab.text.emerging_terms` (counts, shares before and
        now, lift, a redacted example: only for a word used in at least ``min_base``
        comments), or a sentence when no word is emerging.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> emerging(open_report("voice", lang="en")).parts[1].data.iloc[:, 0].tolist()[:2]
    ['我要', '投诉']
    """
    book, lang = ctx.codebook, ctx.lang
    found = text.emerging_terms(
        ctx.survey.data,
        _comment(ctx),
        wave=book.wave,
        period=ctx.period,
        taxonomy=ctx.option("taxonomy"),
    )
    if found.empty:
        return [f"**{msg('voice.emerging_title', lang)}**", msg("pages.voice.no_emerging", lang)]
    title = f"**{msg('voice.emerging_title', lang)}**"
    return [title, ctx.table(found, digits=3, base=False, cells={"example": "n"})]


@report_section(REPORT, "warning")
def warning(ctx: ReportContext) -> list:
    """Early warning (预警): comment volume, negative share and each topic's share per owner or
    segment and wave, on control charts; the alerts of the latest wave.

    Returns
    -------
    cxlab.notebook.Shown
        A sentence (alerts, and the false alarms expected if nothing changed) and the table of
        the alerts (:func:`cxlab.loop.page.alerts_table`), if any.

    Examples
    --------
    >>> from cxlab.notebook import open_report
    >>> shown = warning(open_report("voice", lang="en"))
    >>> shown.parts[0][:20]
    '**1** alerts in 2025'
    """
    return warning_parts(ctx, text=_comment(ctx), analyzed=_analyzed_all(ctx))

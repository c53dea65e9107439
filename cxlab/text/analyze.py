"""Everything at once, on one process, several, or dask; and the per-topic summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.text import model
from cxlab.text.normalize import _normalize_one, _script_one, _tables
from cxlab.text.redact import _redact_one
from cxlab.text.segment import _lexicon, _tokens, tokenizer
from cxlab.text.sentiment import _check_method, _score
from cxlab.text.topics import _topics_one, load_taxonomy

ANALYSIS_COLUMNS = ["redacted", "script", "n_tokens", "score", "label", "topics"]


def _analyze_records(texts: list, taxonomy, extra: tuple[str, ...], method: str) -> list[tuple]:
    """One record per text. Stage by stage over the whole chunk rather than text by text:
    the segmenter's tables stay in the CPU cache (about 20 % faster, measured)."""
    tax = load_taxonomy(taxonomy)
    ok = [t for t in texts if isinstance(t, str)]
    norm = [_normalize_one(t) for t in ok]
    toks = [_tokens(n, extra) for n in norm]
    scores = [_score(tk, method) for tk in toks]
    done = iter(
        zip(
            map(_redact_one, ok),
            map(_script_one, ok),
            map(len, toks),
            (sc for sc, _ in scores),
            (lab for _, lab in scores),
            (";".join(_topics_one(n, tax)) for n in norm),
            strict=True,
        )
    )
    return [next(done) if isinstance(t, str) else (t, None, 0, np.nan, None, "") for t in texts]


def _frame(records: list[tuple], index, keys: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame.from_records(records, columns=ANALYSIS_COLUMNS, index=index)
    out["n_tokens"] = out["n_tokens"].astype(int)
    out["score"] = out["score"].astype(float)
    found = [set(t.split(";")) for t in out["topics"]]
    for key in keys:
        out[key] = np.array([key in f for f in found], dtype=bool)
    return out


def _analyze_partition(part: pd.Series, taxonomy, extra, method) -> pd.DataFrame:
    keys = list(load_taxonomy(taxonomy))
    return _frame(_analyze_records(part.tolist(), taxonomy, extra, method), part.index, keys)


def _pool_init(extra: tuple[str, ...]) -> None:
    tokenizer(extra)
    _lexicon()
    _tables()
    model.weights()


def _pool_work(args):
    return _analyze_records(*args)


def analyze(
    texts,
    *,
    taxonomy: str | Path | Mapping | None = None,
    extra_words: Sequence[str] = (),
    method: str = "model",
    engine: str = "pandas",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    chunk: int = 2000,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Redaction, script, segmentation, sentiment and topics of every comment, in one pass.

    Parameters
    ----------
    texts : pandas.Series or dask Series
        The comments (missing values are kept, with empty results).
    taxonomy : path, mapping or None
        Topic taxonomy (see :func:`topics`).
    extra_words : sequence of str
        Words for the segmenter to keep whole.
    method : {"model", "rules"}
        Sentiment method (see :func:`sentiment`).
    engine : {"pandas", "processes", "dask"}
        One process; ``n_jobs`` worker processes; or dask (``scheduler`` is a
        ``dask.distributed`` address, or None for a local cluster of
        ``n_jobs`` processes). A dask Series always uses dask. Every engine
        gives exactly the same result.
    chunk : int
        Comments per work unit (process and progress granularity).
    progress : bool, optional
        Progress bar (default: on a terminal or in a notebook, not under cron).

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``: ``redacted`` (the original text, personal
        data masked: what may be shown), ``script``, ``n_tokens``, ``score``,
        ``label`` (as :func:`sentiment`), ``topics`` (keys joined by ";") and
        one bool column per topic.
    """
    from tqdm.auto import tqdm

    _check_method(method)
    extra = tuple(extra_words)
    keys = list(load_taxonomy(taxonomy))
    is_dask = type(texts).__module__.startswith("dask")
    if is_dask or engine == "dask":
        return _analyze_dask(texts, taxonomy, extra, method, n_jobs, scheduler, is_dask)
    if engine not in ("pandas", "processes"):
        raise ValueError(f"`engine` should be 'pandas', 'processes' or 'dask', not {engine!r}.")
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    values = s.tolist()
    parts = [values[i : i + chunk] for i in range(0, len(values), chunk)]
    records: list[tuple] = []
    bar = tqdm(
        total=len(values),
        desc="分析评论",
        unit="条",
        disable=None if progress is None else not progress,
        leave=False,
    )
    with bar:
        if engine == "pandas":
            for p in parts:
                records += _analyze_records(p, taxonomy, extra, method)
                bar.update(len(p))
        else:
            import multiprocessing as mp
            import os

            workers = n_jobs or os.cpu_count() or 1
            ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
            with ctx.Pool(workers, initializer=_pool_init, initargs=(extra,)) as pool:
                for recs in pool.imap(_pool_work, [(p, taxonomy, extra, method) for p in parts]):
                    records += recs
                    bar.update(len(recs))
    return _frame(records, s.index, keys)


def _analyze_dask(texts, taxonomy, extra, method, n_jobs, scheduler, is_dask) -> pd.DataFrame:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    keys = list(load_taxonomy(taxonomy))
    meta = _frame([], pd.Index([], dtype=object), keys)
    if not is_dask:
        s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
        texts = dd.from_pandas(s, npartitions=max(1, min(len(s) // 2000 + 1, 4 * (n_jobs or 2))))
    lazy = texts.map_partitions(_analyze_partition, taxonomy, extra, method, meta=meta)
    if scheduler is not None:
        with Client(scheduler) as client:
            return client.compute(lazy).result()
    with (
        LocalCluster(
            n_workers=n_jobs or 2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        return client.compute(lazy).result()


def topic_summary(
    data: pd.DataFrame,
    text: str,
    *,
    by: str | None = None,
    taxonomy: str | Path | Mapping | None = None,
    examples: int = 3,
    analyzed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per topic (and group): how many comments raise it, how they feel, and a few verbatims.

    Parameters
    ----------
    text : str
        The comment column.
    by : str, optional
        Group column.
    examples : int
        Redacted example comments per topic and group, most negative first.
    analyzed : pandas.DataFrame, optional
        The result of :func:`analyze` on ``data[text]``, to avoid doing it twice.

    Returns
    -------
    pandas.DataFrame
        Group column, ``topic``, ``label``, ``comments`` (non-empty comments
        in the group), ``n`` (those raising the topic), ``share`` (percent),
        ``mean_sentiment``, ``negative_share`` (percent of the topic's
        comments labelled negative), ``examples`` (list of redacted verbatims).
    """
    from cxlab.survey import require_columns

    require_columns(data, text, by)
    tax = load_taxonomy(taxonomy)
    a = analyzed if analyzed is not None else analyze(data[text], taxonomy=taxonomy)
    a = (
        a[data[text].notna().to_numpy()]
        if analyzed is None
        else a.loc[data.index[data[text].notna()]]
    )
    groups = pd.Series("all", index=a.index) if by is None else data.loc[a.index, by]
    rows = []
    for key, idx in groups.groupby(groups, sort=True, dropna=False).groups.items():
        g = a.loc[idx]
        for topic, (label, _) in tax.items():
            hit = g[g[topic]]
            rows.append(
                {
                    "group": key,
                    "topic": topic,
                    "label": label,
                    "comments": len(g),
                    "n": len(hit),
                    "share": 100 * len(hit) / len(g) if len(g) else np.nan,
                    "mean_sentiment": hit["score"].mean() if len(hit) else np.nan,
                    "negative_share": 100 * (hit["label"] == "negative").mean()
                    if len(hit)
                    else np.nan,
                    "examples": hit.sort_values("score")["redacted"].head(examples).tolist(),
                }
            )
    out = pd.DataFrame(rows)
    return out.drop(columns="group") if by is None else out.rename(columns={"group": by})

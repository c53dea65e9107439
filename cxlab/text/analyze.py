"""Everything at once, on one process, several, or dask (from memory or from files)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.text import model
from cxlab.text.batch import score_chunk, topic_matrix, topic_strings
from cxlab.text.normalize import normalize_text, script_text
from cxlab.text.prepare import drop_masks
from cxlab.text.redact import redact_text
from cxlab.text.segment import check_segmenter, tokenize_many, tokenizer
from cxlab.text.sentiment import check_model
from cxlab.text.topics import load_taxonomy

ANALYSIS_COLUMNS = ["redacted", "script", "n_tokens", "score", "label", "topics"]
ENGINES = ("pandas", "processes", "dask")
#: The dtype of the text columns: what this pandas gives text with missing values (``str`` in
#: pandas 3, ``object`` before), fixed so that every chunk, partition and file agrees.
TEXT_DTYPE = pd.Series(["", None]).dtype


def analyze_chunk(
    texts: list, taxonomy, extra: tuple[str, ...], method: str, segmenter: str, model
) -> pd.DataFrame:
    """The analysis of one chunk of comments, stage by stage over the whole chunk.

    Every stage after redaction reads the redacted text (masks dropped, normalised), so no
    personal data reaches tokens, topics or scores. Sentiment and topics are computed for the
    whole chunk at once (:mod:`cxlab.text.batch`).

    Parameters
    ----------
    texts : list
        Comments; anything not a str is a missing comment.
    taxonomy, extra, method, segmenter, model
        As :func:`analyze` takes them (``extra`` a tuple, ``segmenter`` checked, ``model`` a
        :class:`~cxlab.text.learn.SentimentModel` or None).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`analyze`, index 0..n-1.

    Examples
    --------
    >>> analyze_chunk(["价格太贵了", None], None, (), "model", "rjieba", None)[["label", "price"]].to_dict("list")
    {'label': ['negative', nan], 'price': [True, False]}
    """
    tax = load_taxonomy(taxonomy)
    keys = list(tax)
    n = len(texts)
    ok = np.fromiter((isinstance(t, str) for t in texts), dtype=bool, count=n)
    rows = np.flatnonzero(ok)
    redacted = np.array(texts, dtype=object)
    script = np.full(n, None, dtype=object)
    n_tokens = np.zeros(n, dtype=int)
    score = np.full(n, np.nan)
    label = np.full(n, None, dtype=object)
    topics = np.full(n, "", dtype=object)
    found = np.zeros((n, len(keys)), dtype=bool)
    if len(rows):
        good = [texts[i] for i in rows]
        red = [redact_text(t) for t in good]
        norm = [normalize_text(drop_masks(r)) for r in red]
        toks = tokenize_many(norm, extra_words=extra, segmenter=segmenter)
        redacted[rows] = red
        script[rows] = [script_text(t) for t in good]
        n_tokens[rows] = [len(t) for t in toks]
        score[rows], label[rows] = score_chunk(toks, method=method, model=model)
        found[rows] = topic_matrix(norm, tax)
        topics[rows] = topic_strings(found[rows], keys)
    text = {
        k: pd.Series(v, dtype=TEXT_DTYPE)
        for k, v in zip(
            ("redacted", "script", "label", "topics"),
            (redacted, script, label, topics),
            strict=True,
        )
    }
    columns = text | {"n_tokens": n_tokens, "score": score} | dict(zip(keys, found.T, strict=True))
    return pd.DataFrame(columns, columns=[*ANALYSIS_COLUMNS, *keys])


def _analyze_series(
    part: pd.Series, taxonomy, extra, method, segmenter, model, chunk
) -> pd.DataFrame:
    """One partition (any size), a chunk at a time; the partition's index."""
    values = part.tolist()
    frames = [
        analyze_chunk(values[i : i + chunk], taxonomy, extra, method, segmenter, model)
        for i in range(0, len(values), chunk)
    ]
    out = pd.concat(frames, ignore_index=True) if frames else _empty(taxonomy)
    out.index = part.index
    return out


def _analyze_partition(
    part: pd.DataFrame, text, keep, taxonomy, extra, method, segmenter, model, chunk
):
    """One partition of a table read from files: the kept columns, then the analysis."""
    out = _analyze_series(part[text], taxonomy, extra, method, segmenter, model, chunk)
    return pd.concat([part[list(keep)], out], axis=1) if keep else out


def _empty(taxonomy) -> pd.DataFrame:
    return analyze_chunk([], taxonomy, (), "model", "rjieba", None)


def _pool_init(extra: tuple[str, ...], segmenter: str) -> None:
    """Load every resource once in a worker process."""
    tokenizer(extra, segmenter)
    normalize_text("")
    model.weights()
    score_chunk([["好"]])


def _pool_work(args):
    return analyze_chunk(*args)


def _run_chunks(parts: list[list], options: tuple, engine, n_jobs, bar) -> list[pd.DataFrame]:
    """The analysis of every chunk, in order: in this process, or on ``n_jobs`` processes."""
    frames: list[pd.DataFrame] = []
    if engine == "pandas":
        for p in parts:
            frames.append(analyze_chunk(p, *options))
            bar.update(len(p))
        return frames
    import multiprocessing as mp

    workers = n_jobs or os.cpu_count() or 1
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    _, extra, _, segmenter, _ = options
    import gc

    # Forked workers share this process's memory until they write to it; the garbage
    # collector would write to every object it walks. Frozen objects are not walked.
    gc.freeze()
    try:
        pool = ctx.Pool(workers, initializer=_pool_init, initargs=(extra, segmenter))
    finally:
        gc.unfreeze()
    with pool:
        for frame in pool.imap(_pool_work, [(p, *options) for p in parts]):
            frames.append(frame)
            bar.update(len(frame))
    return frames


def analyze(
    texts,
    *,
    text: str | None = None,
    keep: Sequence[str] = (),
    taxonomy: str | Path | Mapping | None = None,
    extra_words: Sequence[str] = (),
    method: str = "model",
    segmenter: str | None = None,
    engine: str = "pandas",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    chunk: int = 2000,
    output: str | Path | None = None,
    progress: bool | None = None,
    model=None,
):
    """Redaction, script, segmentation, sentiment and topics of every comment, in one pass.

    Parameters
    ----------
    texts : pandas.Series, list, dask Series, or path
        The comments (missing values are kept, with empty results). A path (a Parquet or CSV
        file, a folder of them, or a glob such as ``"tickets/*.parquet"``) is read by the
        dask workers a partition at a time, never whole.
    text : str, optional
        With a path: the comment column of the files.
    keep : sequence of str
        With a path: more columns of the files carried into the result (an id, a date).
    taxonomy : path, mapping or None
        Topic taxonomy (see :func:`cxlab.text.topics`).
    extra_words : sequence of str
        Words for the segmenter to keep whole.
    method : {"model", "rules"}
        Sentiment method (see :func:`cxlab.text.sentiment`).
    segmenter : {"rjieba", "jieba"}, optional
        jieba-rs (default when installed) or plain jieba (see
        :func:`cxlab.text.segment.tokenizer`).
    engine : {"pandas", "processes", "dask"}
        One process; ``n_jobs`` worker processes; or dask (``scheduler`` is a
        ``dask.distributed`` address, or None for a local cluster of ``n_jobs`` processes).
        A dask Series or a path always uses dask. Every engine gives exactly the same result.
    n_jobs : int, optional
        Worker processes (default: every core for ``"processes"``, 2 for dask).
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler.
    chunk : int
        Comments per work unit (process and progress granularity; within a dask partition,
        the comments analysed at once).
    output : path, optional
        With dask: a folder the workers write the result to as Parquet files, one per
        partition, so that a result larger than memory is never gathered; ``analyze`` then
        returns this path.
    progress : bool, optional
        Progress bar (default: on a terminal or in a notebook, not under cron).
    model : cxlab.text.learn.SentimentModel or path, optional
        A sentiment model trained on the team's own labels, or the file it was saved to
        (see :func:`cxlab.text.sentiment`); None (or ""): the shipped model.

    Returns
    -------
    pandas.DataFrame, or pathlib.Path with ``output``
        Same index as ``texts`` (from files: each partition's own index, the ``keep``
        columns first): ``redacted`` (the original text, personal data masked: what may be
        shown), ``script``, ``n_tokens``, ``score``, ``label`` (as
        :func:`cxlab.text.sentiment`), ``topics`` (keys joined by ";") and one bool column
        per topic.

    Notes
    -----
    Tokens, scores and topics are computed from the redacted text with its masks dropped
    (:func:`cxlab.text.prepare.analysis_text`), the script from the original.

    Examples
    --------
    >>> s = pd.Series(["快递很快，很满意！电话13812345678", None])
    >>> a = analyze(s, progress=False)
    >>> a[["redacted", "label", "topics"]].to_dict("list")
    {'redacted': ['快递很快，很满意！电话[手机号]', nan], 'label': ['positive', nan], 'topics': ['logistics', '']}
    """
    from cxlab.text.learn import as_model

    trained = check_model(as_model(model), method)
    if engine not in ENGINES:
        raise ValueError(f"`engine` should be 'pandas', 'processes' or 'dask', not {engine!r}.")
    options = (taxonomy, tuple(extra_words), method, check_segmenter(segmenter), trained)
    is_path = isinstance(texts, str | os.PathLike)
    is_dask = type(texts).__module__.startswith("dask")
    if is_path or is_dask or engine == "dask" or output is not None:
        lazy = _lazy(texts, text, keep, options, n_jobs, chunk, is_path, is_dask)
        return _compute(lazy, output, n_jobs, scheduler, write_index=not is_path)
    from tqdm.auto import tqdm

    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    values = s.tolist()
    if engine == "processes":  # 16 work units a process at least, so that none waits long
        chunk = max(200, min(chunk, -(-len(values) // (16 * (n_jobs or os.cpu_count() or 1)))))
    parts = [values[i : i + chunk] for i in range(0, len(values), chunk)]
    disable = None if progress is None else not progress
    with tqdm(total=len(values), desc="分析评论", unit="条", disable=disable, leave=False) as bar:
        frames = _run_chunks(parts, options, engine, n_jobs, bar)
    out = pd.concat(frames, ignore_index=True) if frames else _empty(taxonomy)
    out.index = s.index
    return out


def read_texts(path: str | Path, columns: Sequence[str]):
    """A lazy dask DataFrame of some columns of Parquet or CSV files.

    Parameters
    ----------
    path : str or pathlib.Path
        A file, a folder of files, or a glob; ``.csv`` (optionally compressed) or Parquet.
    columns : sequence of str
        The columns to read.

    Returns
    -------
    dask.dataframe.DataFrame
        One partition per Parquet file (row group sized by the writer) or per 64 MB of CSV.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     pd.DataFrame({"c": ["好", "差"], "x": [1, 2]}).to_csv(f"{d}/a.csv", index=False)
    ...     read_texts(f"{d}/a.csv", ["c"]).compute()["c"].tolist()
    ['好', '差']
    """
    import dask.dataframe as dd

    p = Path(path)
    names = [f.name for f in p.iterdir()] if p.is_dir() else [p.name]
    if any(".csv" in name for name in names):
        return dd.read_csv(
            str(p / "*.csv*") if p.is_dir() else str(p),
            usecols=list(columns),
            dtype=str,
            blocksize="64MB",
        )
    return dd.read_parquet(str(path), columns=list(columns))


def _lazy(texts, text, keep, options, n_jobs, chunk, is_path, is_dask):
    """The dask graph of the analysis: partitions read by the workers, never sent from here."""
    import dask.dataframe as dd

    meta = _empty(options[0])
    if is_path:
        if text is None:
            raise ValueError("`text` should name the comment column of the files.")
        frame = read_texts(texts, [text, *keep])
        meta = pd.concat([frame._meta[list(keep)], meta], axis=1) if keep else meta
        return frame.map_partitions(
            _analyze_partition, text, tuple(keep), *options, chunk, meta=meta
        )
    if not is_dask:
        s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
        texts = dd.from_pandas(s, npartitions=max(1, min(len(s) // chunk + 1, 4 * (n_jobs or 2))))
    return texts.map_partitions(_analyze_series, *options, chunk, meta=meta)


def _compute(lazy, output, n_jobs, scheduler, *, write_index: bool):
    """Run the graph on ``scheduler`` or a new local cluster; gather it, or write it."""
    from dask.distributed import Client, LocalCluster

    def run(client):
        if output is None:
            return client.compute(lazy).result()
        Path(output).mkdir(parents=True, exist_ok=True)
        import pyarrow as pa

        # Text columns typed here: dask would otherwise analyse a partition in this process
        # to infer them.
        meta = lazy._meta
        text = [c for c in meta.columns if not pd.api.types.is_numeric_dtype(meta[c])]
        schema = {c: pa.string() for c in text}
        lazy.to_parquet(str(output), write_index=write_index, schema=schema)
        return Path(output)

    if scheduler is not None:
        with Client(scheduler) as client:
            return run(client)
    with (
        LocalCluster(
            n_workers=n_jobs or 2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        return run(client)

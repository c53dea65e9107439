"""Everything at once, on one process, several, or dask (from memory or from files)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from cxlab.text import model
from cxlab.text.batch import LABELS, label_codes, score_chunk, topic_matrix, topic_strings
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


#: What the ``label`` and ``script`` codes of :class:`_Chunk` stand for (0: missing).
_LABEL_VALUES = np.array([None, *LABELS], dtype=object)
_SCRIPT_VALUES = np.array([None, "traditional", "simplified", "none"], dtype=object)
_SCRIPT_CODES = {v: i for i, v in enumerate(_SCRIPT_VALUES) if v}
#: Chunk sizes of the process engine shrink towards this as the work runs out (see _bounds).
MIN_CHUNK = 200


class _Chunk(NamedTuple):
    """The analysis of one chunk as arrays: what a worker process sends back (no pandas,
    no text but the redacted comments that differ from their input)."""

    n_tokens: np.ndarray  # int
    score: np.ndarray  # float, nan where the comment is missing
    label: np.ndarray  # int8 positions in _LABEL_VALUES
    script: np.ndarray  # int8 positions in _SCRIPT_VALUES
    found: np.ndarray  # bool, comments in rows, topics in columns
    changed: np.ndarray  # positions in the chunk whose redacted text differs from the input
    redacted: list  # those redacted texts


def _analyze_arrays(
    texts: list, tax: dict, extra: tuple[str, ...], method: str, segmenter: str, model
) -> _Chunk:
    """The analysis of one chunk, as arrays: the arguments of :func:`analyze_chunk`, the
    taxonomy loaded (:func:`cxlab.text.topics.load_taxonomy`)."""
    n = len(texts)
    ok = np.fromiter((isinstance(t, str) for t in texts), dtype=bool, count=n)
    rows = np.flatnonzero(ok)
    n_tokens = np.zeros(n, dtype=int)
    score = np.full(n, np.nan)
    label = np.zeros(n, dtype=np.int8)
    script = np.zeros(n, dtype=np.int8)
    found = np.zeros((n, len(tax)), dtype=bool)
    changed, redacted = np.zeros(0, dtype=np.int64), []
    if len(rows):
        good = [texts[i] for i in rows]
        red = [redact_text(t) for t in good]
        diff = [j for j, (g, r) in enumerate(zip(good, red, strict=True)) if g != r]
        changed, redacted = rows[diff], [red[j] for j in diff]
        norm = [normalize_text(drop_masks(r)) for r in red]
        toks = tokenize_many(norm, extra_words=extra, segmenter=segmenter)
        n_tokens[rows] = np.fromiter(map(len, toks), dtype=int, count=len(toks))
        score[rows] = score_chunk(toks, method=method, model=model)[0]
        label[rows] = label_codes(score[rows]) + 1
        script[rows] = [_SCRIPT_CODES[script_text(t)] for t in good]
        found[rows] = topic_matrix(norm, tax)
    return _Chunk(n_tokens, score, label, script, found, changed, redacted)


def _no_chunk(topics: int) -> _Chunk:
    """The analysis of no comment."""
    none = np.zeros(0, dtype=np.int8)
    return _Chunk(
        np.zeros(0, dtype=int),
        np.zeros(0),
        none,
        none,
        np.zeros((0, topics), bool),
        np.zeros(0, dtype=np.int64),
        [],
    )


def _redacted(texts: pd.Series, chunks: Sequence[_Chunk]) -> pd.Series:
    """The comments as text, those that redaction changed replaced (index 0..n-1)."""
    starts = np.cumsum([0] + [len(c.score) for c in chunks[:-1]])
    at = np.concatenate([c.changed + s for c, s in zip(chunks, starts, strict=True)])
    new = [t for c in chunks for t in c.redacted]
    if texts.dtype == TEXT_DTYPE:  # patched in place of a copy, not rebuilt from Python strs
        values = texts.array.copy()
    else:
        values = np.empty(len(texts), dtype=object)
        values[:] = texts.tolist()
    if len(at):
        values[at] = new
    return pd.Series(values, dtype=TEXT_DTYPE)


def _frame(texts: pd.Series, chunks: Sequence[_Chunk], keys: list[str]) -> pd.DataFrame:
    """The table of :func:`analyze` (index 0..n-1) from the chunks of ``texts``, in order."""
    chunks = chunks or [_no_chunk(len(keys))]
    n_tokens, score, label, script, found = (
        np.concatenate([c[i] for c in chunks]) for i in range(5)
    )
    columns = {
        "script": _SCRIPT_VALUES[script],
        "label": _LABEL_VALUES[label],
        "topics": topic_strings(found, keys),
    }
    text = {"redacted": _redacted(texts, chunks)}
    text |= {k: pd.Series(v, dtype=TEXT_DTYPE) for k, v in columns.items()}
    numbers = {"n_tokens": n_tokens, "score": score}
    columns = text | numbers | dict(zip(keys, found.T, strict=True))
    return pd.DataFrame(columns, columns=[*ANALYSIS_COLUMNS, *keys])


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
    chunk = _analyze_arrays(texts, tax, extra, method, segmenter, model)
    return _frame(pd.Series(texts, dtype=object), [chunk], [*tax])


def _analyze_series(part: pd.Series, tax, extra, method, segmenter, model, chunk) -> pd.DataFrame:
    """One partition (any size), a chunk at a time; the partition's index."""
    values = part.tolist()
    options = (tax, extra, method, segmenter, model)
    chunks = [
        _analyze_arrays(values[i : i + chunk], *options) for i in range(0, len(values), chunk)
    ]
    out = _frame(part, chunks, [*tax])
    out.index = part.index
    return out


def _analyze_partition(part: pd.DataFrame, text, keep, tax, extra, method, segmenter, model, chunk):
    """One partition of a table read from files: the kept columns, then the analysis."""
    out = _analyze_series(part[text], tax, extra, method, segmenter, model, chunk)
    return pd.concat([part[list(keep)], out], axis=1) if keep else out


def _empty(tax: dict) -> pd.DataFrame:
    return _frame(pd.Series([], dtype=object), [], [*tax])


def _load(extra: tuple[str, ...], segmenter: str) -> None:
    """Load every resource the analysis uses, once per process."""
    tokenizer(extra, segmenter)
    normalize_text("")
    model.weights()
    score_chunk([["好"]])


def _bounds(n: int, chunk: int, workers: int) -> list[tuple[int, int]]:
    """Work units of the process engine: ``chunk`` comments at most, fewer as the work runs
    out (a quarter of each worker's share of what is left, ``MIN_CHUNK`` at least), so that
    the workers finish together."""
    out, start = [], 0
    while start < n:
        size = min(chunk, max(MIN_CHUNK, -(-(n - start) // (4 * workers))))
        out.append((start, min(n, start + size)))
        start += size
    return out


#: The comments forked workers read their work units from (set only while they start).
_SHARED: pd.Series | None = None


def _worker(conn, options: tuple, forked: bool) -> None:
    """A worker process: analyse the work units the parent sends until it sends None.

    A unit is ``(i, start, stop, texts)``; a forked worker reads its texts from the parent's
    Series it inherited (``texts`` None). It answers ``(i, _Chunk)`` or ``(i, exception)``.
    """
    shared = _SHARED
    _load(options[1], options[3])
    while (task := conn.recv()) is not None:
        i, start, stop, texts = task
        try:
            if forked:
                texts = shared.iloc[start:stop].tolist()
            result = _analyze_arrays(texts, *options)
        except Exception as exc:  # raised again in the parent
            import traceback

            exc.add_note(f"In the worker process:\n{traceback.format_exc()}")
            result = exc
        conn.send((i, result))


class _Workers:
    """Worker processes of the process engine (:func:`_worker`), each with a pipe.

    Forked workers share this process's memory (the comments, the loaded dictionary): they
    are sent (start, stop) and send back arrays. Spawned workers are sent the comments.
    Leaving the ``with`` block joins them (terminated first if the block raised).
    """

    def __init__(self, texts: pd.Series, options: tuple, count: int) -> None:
        import gc
        import multiprocessing as mp

        global _SHARED
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.texts, self.forked = texts, ctx.get_start_method() == "fork"
        self.procs, self.conns = [], []
        if self.forked:
            _load(options[1], options[3])  # loaded once, here, and shared
        # Forked workers share this process's memory until they write to it; the garbage
        # collector would write to every object it walks. Frozen objects are not walked.
        _SHARED = texts if self.forked else None
        gc.freeze()
        try:
            for _ in range(count):
                here, there = ctx.Pipe()
                args = (there, options, self.forked)
                self.procs.append(ctx.Process(target=_worker, args=args, daemon=True))
                self.procs[-1].start()
                there.close()
                self.conns.append(here)
        finally:
            gc.unfreeze()
            _SHARED = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind, *_) -> None:
        self.stop()
        for p in self.procs:
            if kind is not None:
                p.terminate()
            p.join()

    def stop(self) -> None:
        """Tell every worker to exit (once)."""
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()
        self.conns = []

    def run(self, bounds: list[tuple[int, int]], bar) -> list[_Chunk]:
        """The analysis of every work unit, in order, each worker with two in flight; then
        tells them to exit."""
        from multiprocessing.connection import wait

        todo = iter(range(len(bounds)))
        busy = dict.fromkeys(self.conns, 0)
        out: list = [None] * len(bounds)

        def give(conn) -> None:
            i = next(todo, None)
            if i is not None:
                start, stop = bounds[i]
                texts = None if self.forked else self.texts.iloc[start:stop].tolist()
                conn.send((i, start, stop, texts))
                busy[conn] += 1

        for conn in [*self.conns, *self.conns]:
            give(conn)
        for _ in range(len(bounds)):
            conn = wait([c for c in self.conns if busy[c]])[0]
            try:
                i, result = conn.recv()
            except (EOFError, OSError):  # its pipe closed (or reset): it died
                raise RuntimeError("A worker process of `analyze` ended unexpectedly.") from None
            if isinstance(result, BaseException):
                raise result
            out[i], busy[conn] = result, busy[conn] - 1
            bar.update(bounds[i][1] - bounds[i][0])
            give(conn)
        self.stop()
        return out


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

    With ``engine="processes"`` the workers are forked where the system can (Linux, macOS):
    they read their comments from this process's memory, are sent only which rows to
    analyse (work units shrinking towards the end so that they finish together) and send
    back arrays; the table is built once, here. Where processes are spawned (Windows) each
    work unit's comments are sent.

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
    tax = load_taxonomy(taxonomy)
    options = (tax, tuple(extra_words), method, check_segmenter(segmenter), trained)
    is_path = isinstance(texts, str | os.PathLike)
    is_dask = type(texts).__module__.startswith("dask")
    if is_path or is_dask or engine == "dask" or output is not None:
        lazy = _lazy(texts, text, keep, options, n_jobs, chunk, is_path, is_dask)
        return _compute(lazy, output, n_jobs, scheduler, write_index=not is_path)
    from tqdm.auto import tqdm

    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    disable = None if progress is None else not progress
    bar = tqdm(total=len(s), desc="分析评论", unit="条", disable=disable, leave=False)
    with bar, contextlib.ExitStack() as stack:
        if engine == "processes":
            jobs = n_jobs or os.cpu_count() or 1
            bounds = _bounds(len(s), chunk, jobs)
            workers = stack.enter_context(_Workers(s, options, min(jobs, len(bounds))))
            chunks = workers.run(bounds, bar)
        else:
            values, chunks = s.tolist(), []
            for i in range(0, len(values), chunk):
                chunks.append(_analyze_arrays(values[i : i + chunk], *options))
                bar.update(len(chunks[-1].score))
        out = _frame(s, chunks, [*tax])  # the workers exit meanwhile, joined after
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

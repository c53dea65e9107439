"""cxlab.text.topic_drivers: topics as drivers of an outcome (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from weight_rule import check_weight_rule

from cxlab import text

#: Planted drop in the outcome when a topic is raised in a negative comment.
PLANTED = {"logistics": -1.0, "service": -0.6, "price": -0.3, "app": 0.0}


def synthetic(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents whose outcome drops by PLANTED[topic] when they complain about it, and
    their analysed comments (topic columns and a label), as analyze would return them."""
    rng = np.random.default_rng(seed)
    raised = {k: rng.random(n) < 0.3 for k in PLANTED}
    negative = rng.random(n) < 0.4
    y = 7.0 + rng.normal(0, 1.0, n)
    for k, drop in PLANTED.items():
        y += drop * (raised[k] & negative)
    df = pd.DataFrame({"overall": y, "w": rng.uniform(0.5, 2.0, n)})
    topics = pd.DataFrame(raised)
    topics.insert(0, "label", np.where(negative, "negative", "positive"))
    return df, topics


def test_planted_topic_effects_are_recovered():
    df, topics = synthetic()
    res = text.topic_drivers(df, "overall", topics=topics, n_boot=200, seed=1, progress=False)
    t = res.table.set_index("topic")
    # Marginal drops: each negative complaint's planted drop, within its 95 % interval.
    for k, drop in PLANTED.items():
        assert t.loc[k, "ci_low"] <= drop <= t.loc[k, "ci_high"], k
    assert t["rank"].to_dict() == {"logistics": 1, "service": 2, "price": 3, "app": 4}
    # Shapley shares credit among correlated drivers (complaints come in one comment), so the
    # topic with no effect keeps a little.
    assert t.loc["app", "importance_share"] < 5 < t.loc["price", "importance_share"]
    assert (t["importance_ci_low"] <= t["importance"]).all()
    assert (t["importance"] <= t["importance_ci_high"]).all()
    assert t["driver"].eq("negative").all()
    assert res.fit.loc[0, "r2"] == pytest.approx(t["importance"].sum())
    assert res.fit.loc[0, ["n", "n_used", "n_excluded"]].tolist() == [4000, 4000, 0]


def test_mentions_without_sentiment():
    df, topics = synthetic()
    t = text.topic_drivers(df, "overall", topics=topics, sentiment=False).table.set_index("topic")
    # Raised at all: 40 % of the mentions are complaints, so the drop is 0.4 x the planted one.
    for k, drop in PLANTED.items():
        assert t.loc[k, "ci_low"] <= 0.4 * drop <= t.loc[k, "ci_high"], k
    assert t["driver"].eq("mentioned").all()


def test_weight_rule():
    df, topics = synthetic(300, seed=2)

    def call(d, weight):
        return text.topic_drivers(d, "overall", topics=topics, weight=weight)

    check_weight_rule(call, df, weight="w", row=3)


def test_weights_move_the_estimates():
    df, topics = synthetic(600, seed=3)
    plain = text.topic_drivers(df, "overall", topics=topics).table
    weighted = text.topic_drivers(df, "overall", topics=topics, weight="w").table
    assert not np.allclose(plain["effect"], weighted["effect"])


def test_rows_and_columns_are_checked():
    df, topics = synthetic(200)
    with pytest.raises(ValueError, match="lacks 50 row"):
        text.topic_drivers(df, "overall", topics=topics.head(150))
    with pytest.raises(ValueError, match="no topic columns"):
        text.topic_drivers(df, "overall", topics=topics[["label"]])
    with pytest.raises(ValueError, match="label"):
        text.topic_drivers(df, "overall", topics=topics.drop(columns="label"))
    with pytest.raises(TypeError):
        text.topic_drivers(df, "overall", topics)  # options are keyword-only


def test_a_topic_nobody_complains_about_has_no_importance():
    df, topics = synthetic(500)
    topics["store"] = False
    t = text.topic_drivers(df, "overall", topics=topics).table.set_index("topic")
    assert t.loc["store", "n_with"] == 0 and np.isnan(t.loc["store", "importance"])
    assert np.isnan(t.loc["store", "effect"]) and t["importance"].notna().sum() == 4


@pytest.fixture(scope="module")
def sample_analyzed(sample_survey):
    return text.analyze(sample_survey.data["comment"], progress=False)


def test_sample_has_no_planted_topic_effects_and_none_is_found(sample_survey, sample_analyzed):
    """The sample draws each comment's topics independently of satisfaction and makes each
    snippet negative with a probability that falls with satisfaction, alike for every topic
    (cxlab.sample._comments; data/sample/ground_truth.json plants no topic -> outcome effect).
    So a complaint goes with the same lower score whatever its topic, and raising a topic at
    all goes with no difference, except for topics whose keywords also match other topics'
    complaints (waiting: "等了"; store), which the tagger, not the sample, ties to them."""
    d = sample_survey.data
    neg = text.topic_drivers(d, "overall", topics=sample_analyzed, weight="weight").table
    neg = neg.set_index("topic").drop(index="waiting")  # mostly logistics' "等了一个星期"
    assert (neg["ci_high"] < 0).all()
    assert neg["ci_low"].max() < neg["ci_high"].min()  # every interval overlaps every other
    ment = text.topic_drivers(
        d, "overall", topics=sample_analyzed, sentiment=False, weight="weight"
    ).table.set_index("topic")
    clean = ["logistics", "price", "quality", "service", "returns", "app"]
    assert ((ment.loc[clean, "ci_low"] < 0) & (ment.loc[clean, "ci_high"] > 0)).all()

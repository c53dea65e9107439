"""cxlab.loop.warning: control charts by hand, the planted surge, and false-alarm rates simulated."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab.loop.warning import control_chart, early_warning


def test_p_chart_with_varying_bases_by_hand():
    t = pd.DataFrame(
        {"wave": ["q1", "q2", "q3", "q4"], "base": [100, 200, 100, 50], "count": [10, 30, 20, 20]}
    )
    out = control_chart(t, chart="p", wave="wave", baseline=["q1", "q2", "q3"])
    # p̄ = 60 / 400 = 0.15; sigma_i = sqrt(0.15 * 0.85 / n_i)
    sig = [math.sqrt(0.15 * 0.85 / n) for n in (100, 200, 100, 50)]
    assert out["centre"].tolist() == pytest.approx([0.15] * 4)
    assert out["sigma"].tolist() == pytest.approx(sig)
    assert out["ucl"].tolist() == pytest.approx([0.15 + 3 * s for s in sig])
    assert out["lcl"].tolist() == pytest.approx([max(0.15 - 3 * s, 0) for s in sig])
    assert out["beyond"].tolist() == [False, False, False, True]  # 0.40 > 0.15 + 3 * 0.0505
    # false alarm at q4: P(X > 0.3015 * 50) + P(X < 0) for X ~ Binomial(50, 0.15)
    ucl = 0.15 + 3 * sig[3]
    assert out["false_alarm"][3] == pytest.approx(stats.binom.sf(math.floor(ucl * 50), 50, 0.15))


def test_u_and_c_charts_by_hand():
    t = pd.DataFrame({"wave": [1, 2, 3], "base": [100, 50, 100], "count": [30, 10, 60]})
    u = control_chart(t, chart="u", wave="wave", baseline=[1, 2])
    # ū = 40 / 150; sigma_i = sqrt(ū / n_i)
    ubar = 40 / 150
    assert u["centre"][0] == pytest.approx(ubar)
    assert u["ucl"].tolist() == pytest.approx(
        [ubar + 3 * math.sqrt(ubar / n) for n in (100, 50, 100)]
    )
    assert u["signal"].tolist() == ["", "", "high"]
    c = control_chart(t, chart="c", wave="wave", baseline=[1, 2])
    assert c["centre"][0] == 20 and c["ucl"][0] == pytest.approx(20 + 3 * math.sqrt(20))
    assert c["false_alarm"][0] == pytest.approx(
        stats.poisson.sf(math.floor(20 + 3 * math.sqrt(20)), 20)
        + stats.poisson.cdf(math.ceil(20 - 3 * math.sqrt(20)) - 1, 20)
    )


def test_nps_chart_by_hand():
    df = pd.DataFrame(
        {
            "wave": ["a"] * 10 + ["b"] * 10,
            "nps": [10, 9, 9, 8, 7, 6, 5, 10, 9, 0] + [0, 1, 2, 3, 9, 4, 4, 5, 6, 0],
        }
    )
    w = early_warning(df, metric="nps", item="nps", wave="wave", period="b")
    p = w.points
    # baseline a: 5 promoters, 3 detractors -> NPS 20; scores' variance (5 + 3) / 10 - 0.2² = 0.76
    assert p["centre"][0] == pytest.approx(20.0)
    assert p["sigma"][1] == pytest.approx(100 * math.sqrt(0.76 / 10))
    assert p["value"][1] == pytest.approx(-80.0)  # 1 promoter, 9 detractors: below 20 - 3 * 27.6
    assert p["signal"].tolist() == ["", "low"] and p["alert"].tolist() == [False, True]
    assert w.rules.set_index("rule").loc["beyond", "false_alarm"] == pytest.approx(
        2 * stats.norm.sf(3)
    )


def test_run_of_eight_on_one_side():
    rng = np.random.default_rng(1)
    base = np.full(30, 400)
    count = np.concatenate([rng.binomial(400, 0.2, 20), [84, 86, 85, 83, 87, 84, 86, 85, 88, 84]])
    t = pd.DataFrame({"wave": range(30), "base": base, "count": count})
    out = control_chart(t, chart="p", wave="wave", baseline=range(20))
    above = out["value"] > out["centre"]
    run = 0
    ends = []
    for i, a in enumerate(above):
        run = run + 1 if (i > 0 and a == above[i - 1]) else 1
        ends.append(run >= 8)
    assert out["run"].tolist() == ends
    assert out["run"].iloc[-3:].all() and not out["beyond"].iloc[20:].any()


def test_ewma_by_hand():
    t = pd.DataFrame({"wave": [1, 2, 3], "base": [100, 100, 100], "count": [20, 20, 30]})
    out = control_chart(t, chart="p", wave="wave", baseline=[1, 2], ewma=0.2)
    s = math.sqrt(0.2 * 0.8 / 100)
    z1 = 0.2 * 0.2 + 0.8 * 0.2
    z3 = 0.2 * 0.3 + 0.8 * (0.2 * 0.2 + 0.8 * z1)
    assert out["statistic"].tolist() == pytest.approx([z1, z1, z3])
    var = [0.04 * s**2, 0.04 * s**2 * (1 + 0.64), 0.04 * s**2 * (1 + 0.64 + 0.64**2)]
    assert out["sigma"].tolist() == pytest.approx([math.sqrt(v) for v in var])
    assert out["run"].tolist() == [False] * 3  # the run rule is off on an EWMA


def test_planted_surge_flagged_and_stable_regions_quiet(sample_survey, truth):
    surge = truth["followup"]["surge"]
    d = sample_survey.data
    w = early_warning(
        d, metric="topic", topic=surge["topic"], text="comment", wave="wave", by="region"
    )
    assert w.period == surge["wave"]
    assert w.alerts["region"].tolist() == [surge["region"]]
    assert not w.points.loc[w.points["period"] != surge["wave"], "alert"].any()
    assert w.rules.set_index("rule").loc["any", "expected"] < 0.05


def test_no_weight_argument_and_errors():
    assert "weight" not in inspect.signature(early_warning).parameters
    df = pd.DataFrame({"wave": ["a", "b"], "c": ["x", "y"]})
    with pytest.raises(ValueError, match="metric"):
        early_warning(df, metric="mood", wave="wave", text="c")
    with pytest.raises(ValueError, match="needs `topic`"):
        early_warning(df, metric="topic", wave="wave", text="c")
    with pytest.raises(ValueError, match="period"):
        early_warning(df, metric="volume", wave="wave", text="c", period="z")
    with pytest.raises(ValueError, match="needs `item`"):
        early_warning(df, metric="nps", wave="wave")


def _simulated(series: int, periods: int, rng, *, p: float = 0.2) -> pd.DataFrame:
    base = rng.integers(300, 500, size=(series, periods))
    return pd.DataFrame(
        {
            "s": np.repeat(np.arange(series), periods),
            "wave": np.tile(np.arange(periods), series),
            "base": base.ravel(),
            "count": rng.binomial(base, p).ravel(),
        }
    )


@pytest.mark.parametrize("ewma", [None, 0.2])
def test_false_alarm_rate_matches_the_stated_one(ewma):
    """Stable series: the last point of each is flagged as often as stated (binomial 99 %)."""
    rng = np.random.default_rng(2026 if ewma is None else 7)
    series, periods = 3000, 120
    t = _simulated(series, periods, rng)
    out = control_chart(t, chart="p", wave="wave", by="s", baseline=range(periods - 1), ewma=ewma)
    last = out[out["period"] == periods - 1]
    stated = last["false_alarm"].mean()
    flagged = int((last["beyond"] | last["run"]).sum())
    low, high = stats.binom.interval(0.99, series, stated)
    assert low <= flagged <= high, (flagged, stated * series)
    if ewma is None:
        assert 0.009 < stated < 0.012  # about 0.0027 beyond 3 sigma + 2 / 2**8 for the run rule
    else:
        assert stated == pytest.approx(2 * stats.norm.sf(3))

"""cxlab.plots: Chinese labels render with the bundled font; bars show the analysis values."""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager

from cxlab import plots, survey


def test_cjk_font_is_the_bundled_noto():
    path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert path.endswith("NotoSansCJK-Regular.ttc")


@pytest.mark.parametrize(
    "label", ["推荐意愿与总体满意度", "門市環境與服務態度", "配送速度 NPS −10"]
)
def test_chinese_labels_render_without_missing_glyphs(label):
    fig, ax = plt.subplots()
    ax.set_title(label)
    ax.set_yticks([0, 1], ["小程序", "門市"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a UserWarning
        fig.savefig(io.BytesIO(), format="png")


def test_plot_nps_draws_the_estimates(sample_survey):
    table = survey.nps(sample_survey.data, "nps", by="channel")
    ax = plots.plot_nps(table, by="channel")
    widths = [p.get_width() for p in ax.patches]
    np.testing.assert_allclose(widths, table["nps"])
    assert [t.get_text() for t in ax.get_yticklabels()] == table["channel"].tolist()


def test_plot_quadrants_takes_a_quadrant_result_or_a_crosshair():
    import pandas as pd

    from cxlab.quadrants import importance_performance

    pts = pd.DataFrame(
        {"driver": ["a", "b", "c"], "importance": [0.5, 0.1, 0.3], "performance": [3, 4, 5]}
    )
    r = importance_performance(pts)
    ax = plots.plot_quadrants(r, ax=plt.figure().gca(), lang="en")
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], pts["importance"])
    assert ax.lines[0].get_xdata()[0] == pytest.approx(4.0)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(0.3)
    assert {"Concentrate here", "Possible overkill"} <= {t.get_text() for t in ax.texts}
    ax = plots.plot_quadrants(pts, crosshair=(0.2, 3.5), ax=plt.figure().gca())
    assert ax.lines[0].get_xdata()[0] == 3.5 and ax.get_xlabel() == "表现"
    with pytest.raises(ValueError, match="crosshair"):
        plots.plot_quadrants(pts)


@pytest.mark.parametrize(
    ("lang", "word"),
    [("zh", "不满足时的不满程度 |Worse|"), ("en", "Dissatisfaction when absent |Worse|")],
)
def test_plot_words_follow_the_language(lang, word):
    import pandas as pd

    from cxlab.present import translate_codes

    kano = pd.DataFrame({"feature": ["app"], "better": [0.3], "worse": [-0.7]})
    ax = plots.plot_kano(kano, ax=plt.figure().gca(), lang=lang)
    assert ax.get_xlabel() == word
    must_be = translate_codes(pd.Series(["M"]), "category", lang=lang)[0]
    assert must_be in [t.get_text() for t in ax.texts]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[0.7, 0.3]])

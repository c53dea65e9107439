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

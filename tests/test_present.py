"""cxlab.present: every word from the catalogue, codes translated generically, in zh and en."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from cxlab import present, survey
from cxlab.messages import has, msg

AREAS = ("present", "plots", "narrative", "widgets", "pages", "notebook")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("area", AREAS)
def test_english_messages_hold_no_chinese(area):
    folder = resources.files("cxlab") / "resources" / "messages"
    entries = yaml.safe_load((folder / f"{area}.yaml").read_text(encoding="utf-8"))
    assert entries
    chinese = [k for k, v in entries.items() if CJK.search(v["en"])]
    assert not chinese


@pytest.mark.parametrize(
    ("column", "code", "zh", "en"),
    [
        ("quadrant", "concentrate here", "重点改进", "Concentrate here"),
        ("action", "row dropped", "剔除该行", "Row dropped"),
        ("action", "set to missing", "按缺失处理", "Set to missing"),
        ("label", "negative", "负面", "Negative"),
    ],
)
def test_code_columns_are_translated_by_key(column, code, zh, en):
    t = pd.DataFrame({column: [code, "其他"]})
    for lang, word in (("zh", zh), ("en", en)):
        shown = present.table(t, None, lang=lang).data
        assert shown.iloc[:, 0].tolist() == [word, "其他"]


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("kpi", "nps"),
        ("kpi", "resolution_rate"),
        ("name", "overall"),
        ("level", "dimension"),
        ("category", "M"),
        ("type", "basic"),
        ("model", "peak_end"),
        ("reason", "missing time"),
    ],
)
def test_codes_of_the_analysis_areas_use_their_keys(column, code):
    # The words belong to the analysis area's messages file; present.table only looks them up.
    if not has(f"{column}.{code}"):
        pytest.skip(f"{column}.{code} is not in the catalogue of this branch")
    for lang in ("zh", "en"):
        shown = present.table(pd.DataFrame({column: [code]}), None, lang=lang).data
        assert shown.iloc[0, 0] == msg(f"{column}.{code}", lang)


def test_a_code_of_any_group_column_uses_by_keys(monkeypatch):
    from cxlab import messages

    words = {**messages._catalogue(), "by.unmatched": {"zh": "（未匹配）", "en": "(unmatched)"}}
    monkeypatch.setattr(messages, "_catalogue", lambda: words)
    t = pd.DataFrame({"channel": ["门店", "unmatched"]})
    assert present.table(t, None, lang="en").data.iloc[:, 0].tolist() == ["门店", "(unmatched)"]


def test_a_code_only_translates_in_its_own_column():
    t = pd.DataFrame({"region": ["overall"], "kpi": ["overall"]})
    assert present.table(t, None, lang="en").data.iloc[0].tolist() == ["overall", "overall"]


def test_headers_labels_and_explicit_values(sample_survey):
    book = sample_survey.codebook
    t = pd.DataFrame({"item": ["overall"], "name": ["overall"], "n": [1200], "p": [0.000123]})
    zh = present.table(t, book, values={"name": {"overall": "自定义"}})
    assert zh.data.columns.tolist() == ["题目", "名称", "样本量", "p 值"]
    assert zh.data.iloc[0, :2].tolist() == ["总体满意度", "自定义"]
    html = zh.to_html()
    assert "1,200" in html and "0.000123" in html
    en = present.table(t, book, lang="en", rename={"n": "Respondents"})
    assert en.data.columns.tolist() == ["Item", "Name", "Respondents", "p"]
    assert en.data.iloc[0, 1] == (msg("name.overall", "en") if has("name.overall") else "overall")


def test_cells_yes_missing_lists_and_durations():
    t = pd.DataFrame(
        {
            "significant": [True, False],
            "step": ["访问", None],
            "examples": [["a", "b"], []],
            "median_time_from_previous": pd.to_timedelta(["1 days 01:02:03", "00:00:05"]),
        }
    )
    zh = present.table(t, None).data
    assert zh.iloc[:, 0].tolist() == ["是", ""] and zh.iloc[1, 1] == "（缺失）"
    assert zh.iloc[0, 2] == "a ｜ b" and zh.iloc[0, 3] == "1 天 1:02:03"
    en = present.table(t, None, lang="en").data
    assert en.iloc[:, 0].tolist() == ["yes", ""] and en.iloc[1, 1] == "(missing)"
    assert en.iloc[0, 2] == "a | b" and en.iloc[0, 3] == "1 d 1:02:03"


def test_column_label_falls_back_to_codebook_then_name(sample_survey):
    book = sample_survey.codebook
    assert present.column_label("overall", book) == "总体满意度"
    assert present.column_label("ci_high", None, lang="en") == "CI high"
    assert present.column_label("no_such_column", None) == "no_such_column"


def test_bad_language_is_named():
    with pytest.raises(ValueError, match="lang"):
        present.table(pd.DataFrame({"n": [1]}), None, lang="fr")


def test_kpi_table_names_kpis_after_items(sample_survey):
    d, book = sample_survey.data, sample_survey.codebook
    k = survey.kpis(d, book, weight=book.weight)
    for lang, csat in (("zh", "总体满意度（前两档 %）"), ("en", "总体满意度 (top-2 box %)")):
        shown = present.kpi_table(k, book, lang=lang).data
        names = shown.iloc[:, 0].tolist()
        assert names[:2] == ["NPS", csat]
        assert len(names) == len(k)
        assert shown[msg("heading.value", lang)].tolist() == k["value"].tolist()
        # n_used is left out when it equals n (no respondent with weight 0 in the sample)
        assert k["n_used"].equals(k["n"])
        kept = [c for c in k.columns if c not in ("item", "unit", "label", "n_used")]
        assert shown.columns.tolist() == [present.column_label(c, book, lang=lang) for c in kept]


def test_load_summary_in_both_languages(sample_survey):
    zh = present.load_summary(sample_survey)
    en = present.load_summary(sample_survey, lang="en")
    assert f"**{sample_survey.n_read:,}**" in zh and f"**{sample_survey.n_read:,}**" in en
    assert en.startswith("Read ") and zh.startswith("从“")


def test_headers_and_file_names_from_data_are_escaped():
    from cxlab.codebook import Codebook

    book = Codebook.from_dict(
        {
            "id": "id",
            "segments": {"<b>seg</b>": "<img src=x onerror=alert(3)>"},
            "items": {"q": {"type": "nps"}},
        }
    )
    t = pd.DataFrame({"<b>seg</b>": ["<i>a</i>"], "n": [3]})
    html = present.table(t, book, lang="en").to_html()
    assert "<img" not in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    assert "<i>" not in html and "&lt;i&gt;a&lt;/i&gt;" in html
    named = present.table(t.rename(columns={"<b>seg</b>": "g"}), None, rename={"g": "<u>"})
    assert "<u>" not in named.to_html()
    survey = SimpleNamespace(
        exclusions=pd.DataFrame({"action": []}),
        n_read=1,
        data=t,
        source=Path("x<img src=x onerror=alert(6)>*.csv"),
    )
    text = present.load_summary(survey, lang="en")
    assert "<img" not in text and "&lt;img" in text and "\\*" in text


def test_bases_used_shown_only_when_they_differ():
    t = pd.DataFrame({"g": ["a", "b"], "n": [10, 8], "n_used": [10, 8], "mean": [3.0, 4.0]})
    used = msg("heading.n_used", "en")
    assert used not in present.table(t, None, lang="en").data.columns
    assert used in present.table(t.assign(n_used=[9, 8]), None, lang="en").data.columns


def test_every_message_key_is_said_once_in_its_file():
    """A key written twice in one catalogue file would let the second silently win: the
    catalogue is read with the loader that refuses it (as codebooks are)."""
    import yaml

    from cxlab.safe_yaml import Refused, UniqueKeyLoader

    folder = resources.files("cxlab") / "resources" / "messages"
    for f in folder.iterdir():
        if f.name.endswith(".yaml"):
            yaml.load(f.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    with pytest.raises(Refused, match="`x.y` appears twice"):
        yaml.load("x.y: {zh: a, en: b}\nx.y: {zh: c, en: d}\n", Loader=UniqueKeyLoader)

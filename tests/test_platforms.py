"""Platform exports (cxlab.platforms) on fixtures written by tests/fixtures/platforms/make_fixtures.py."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.draft import draft_codebook
from cxlab.io import detect_encoding
from cxlab.platforms import (
    ExportError,
    detect_platform,
    pair_forms,
    parse_export,
    read_spss_export,
)

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
# file -> (platform, form, header rows)
FILES = {
    "wjx_code.csv": ("wjx", "code", 1),
    "wjx_code.xlsx": ("wjx", "code", 1),
    "wjx_text.csv": ("wjx", "text", 1),
    "wjx_text.xlsx": ("wjx", "text", 1),
    "tencent.csv": ("tencent", "text", 1),
    "tencent.xlsx": ("tencent", "text", 1),
    "qualtrics.csv": ("qualtrics", "code", 3),
    "qualtrics_legacy.csv": ("qualtrics", "text", 2),
    "generic.csv": (None, None, 1),
}


def raw_of(name: str) -> pd.DataFrame:
    """The file as the loader hands it over: every cell text, no header."""
    path = FIXTURES / name
    if path.suffix == ".xlsx":
        return pd.read_excel(path, header=None, dtype=str, keep_default_na=False, na_values=[""])
    data = path.read_bytes()
    text = data.decode(detect_encoding(data))
    return pd.read_csv(
        io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_values=[""]
    )


def export_of(name: str):
    if name.endswith(".sav"):
        return read_spss_export(FIXTURES / name)
    return parse_export(raw_of(name))


def by_option(export, question, kind):
    """Option text -> its column's values, for a set or ranking (labels end in the option)."""
    cols = getattr(export, kind)[question]
    return {export.labels[c].rsplit("：", 1)[-1]: export.df[c].fillna(-1).tolist() for c in cols}


def test_fixtures_are_what_the_script_writes(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make", FIXTURES / "make_fixtures.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    monkeypatch.setattr(make, "HERE", tmp_path)
    make.main()
    for f in FIXTURES.iterdir():
        if f.suffix in (".csv", ".xlsx", ".sav"):
            assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_data_row_becomes_one_response(name):
    platform, form, header_rows = FILES[name]
    raw = raw_of(name)
    e = parse_export(raw)
    assert (e.platform, e.form) == (platform, form)
    assert len(e.df) == len(raw) - header_rows == 8
    assert e.df.index.tolist() == list(range(1, 9))
    assert detect_platform(raw.head(3).fillna("").values.tolist()) == platform


@pytest.mark.parametrize("name", sorted(FILES) + ["spss.sav"])
def test_recoded_cells_are_missing_in_df(name):
    e = export_of(name)
    assert list(e.recoded.columns) == ["row", "column", "value", "reason"]
    for row, col in e.recoded[["row", "column"]].itertuples(index=False):
        cols = e.sets.get(col) or e.rankings.get(col) or [col]
        assert e.df.loc[row, cols].isna().all(), (row, col)


def test_wjx_code_form():
    e = export_of("wjx_code.csv")
    assert e.meta == {
        "id": "序号",
        "submitted": "提交答卷时间",
        "duration": "所用时间",
        "source": "来源",
        "ip": "来自IP",
    }
    assert e.df["所用时间"].tolist() == [125, 98, 301, 45, 187, 76, 12, 240]
    assert e.df.loc[1, "来自IP"] == "113.88.12.34"
    assert e.df.loc[1, "来自IP地区"] == "广东-深圳"
    assert pd.api.types.is_datetime64_any_dtype(e.df["提交答卷时间"])
    assert e.grids == {"Q4": ["Q4_1", "Q4_2", "Q4_3", "Q4_4"]}
    assert e.sets == {"Q5": ["Q5_1", "Q5_2", "Q5_3", "Q5_4"]}
    assert e.rankings == {"Q6": ["Q6_1", "Q6_2", "Q6_3"]}
    assert e.labels["Q3"] == "您对本次服务的总体满意度"
    assert e.labels["Q4_1"] == "物流速度"
    assert e.value_labels == {}  # the code form carries no answer texts
    assert e.df["Q3"].tolist() == [5, 4, 3, 4, 2, 5, 1, 4]
    assert e.df["Q7"].tolist() == [9, 10, 7, 3, 8, 10, 0, 6]
    cells = e.recoded.groupby("reason")[["row", "column"]].apply(
        lambda g: sorted(map(tuple, g.values.tolist()))
    )
    assert cells.to_dict() == {
        "empty answer (空)": [(2, "Q8"), (6, "Q8"), (8, "Q8")],
        "not shown (wjx -2)": [(6, f"Q4_{k}") for k in range(1, 5)],
        "skipped (wjx -3)": [(3, "Q8")] + [(7, f"Q5_{k}") for k in range(1, 5)],
    }


def test_wjx_text_form():
    e = export_of("wjx_text.xlsx")
    assert e.labels["Q4_2"] == "请您评价以下方面：包装质量"  # the "4、question(sub)" header
    assert export_of("wjx_text.csv").labels["Q4_2"] == "包装质量"  # the "4、(sub)" header
    assert e.df["Q3"].tolist()[:3] == ["非常满意", "满意", "一般"]  # ratings stay text
    assert e.grids == {"Q4": ["Q4_1", "Q4_2", "Q4_3", "Q4_4"]}
    assert e.sets["Q5"] == ["Q5_1", "Q5_2", "Q5_3", "Q5_4"]
    # the options come out in questionnaire order, learnt from the ┋-joined answers
    assert [e.labels[c].rsplit("：")[-1] for c in e.sets["Q5"]] == [
        "微信",
        "微博",
        "朋友推荐",
        "广告",
    ]
    assert e.recoded[["row", "column", "reason"]].values.tolist() == [
        [2, "Q8", "empty answer (空)"],
        [3, "Q8", "skipped (跳过)"],
        [6, "Q8", "empty answer (空)"],
        [7, "Q5", "skipped (跳过)"],
        [8, "Q8", "empty answer (空)"],
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_wjx_code_and_text_forms_agree(suffix):
    code, text = export_of(f"wjx_code{suffix}"), export_of(f"wjx_text{suffix}")
    assert by_option(code, "Q5", "sets") == by_option(text, "Q5", "sets")
    assert by_option(code, "Q6", "rankings") == by_option(text, "Q6", "rankings")
    assert by_option(code, "Q6", "rankings")["质量"] == [1, 3, 2, 1, 2, 1, 3, 2]
    assert by_option(code, "Q5", "sets")["微信"] == [1, 0, 0, 1, 1, 0, -1, 1]
    assert code.df.index.equals(text.df.index)


def test_csv_and_excel_downloads_read_alike():
    for a, b in [("wjx_code.csv", "wjx_code.xlsx"), ("tencent.csv", "tencent.xlsx")]:
        ea, eb = export_of(a), export_of(b)
        pd.testing.assert_frame_equal(ea.df, eb.df, check_dtype=False)
        assert (ea.labels, ea.meta, ea.sets, ea.grids) == (eb.labels, eb.meta, eb.sets, eb.grids)


def test_pair_forms_gives_the_code_form_its_answer_texts():
    e = pair_forms(export_of("wjx_code.csv"), export_of("wjx_text.xlsx"))
    assert e.value_labels["Q1"] == {1.0: "北京", 2.0: "上海", 3.0: "广州"}
    assert e.value_labels["Q3"] == {
        1.0: "非常不满意",
        2.0: "不满意",
        3.0: "一般",
        4.0: "满意",
        5.0: "非常满意",
    }
    assert e.labels["Q4_1"] == "请您评价以下方面：物流速度"
    with pytest.raises(ExportError, match="code-form and a text-form"):
        pair_forms(export_of("wjx_text.csv"), export_of("wjx_code.csv"))


def test_wjx_fill_in_of_an_option_and_a_lone_multiple_choice():
    head = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、渠道：",
        "2、建议：",
    ]
    raw = pd.DataFrame(
        [
            head,
            ["1", "", "", "", "", "", "微信┋其他〖抖音〗", "无"],
            ["2", "", "", "", "", "", "微信", "(空)"],
        ]
    )
    e = parse_export(raw)
    assert e.sets == {"Q1": ["Q1_1", "Q1_2"]}
    assert e.df["Q1_other"].fillna("").tolist() == ["抖音", ""]
    assert e.df["Q1_2"].tolist() == [1.0, 0.0]


def test_tencent():
    e = export_of("tencent.csv")
    assert e.meta == {
        "id": "编号",
        "started": "开始答题时间",
        "submitted": "结束答题时间",
        "duration": "答题时长",
        "ip": "IP",
    }
    assert "" not in e.df.columns  # the empty column of the trailing commas is gone
    assert e.grids == {"Q3": ["Q3_1", "Q3_2", "Q3_3"]}
    assert e.sets == {"Q4": ["Q4_1", "Q4_2", "Q4_3", "Q4_4"]}
    assert e.labels["Q4_3"] == "您通过哪些渠道了解我们？：朋友推荐"
    # a chosen option's cell holds its text; a response that chose nothing is missing
    assert e.df["Q4_1"].fillna(-1).tolist() == [1, 0, 0, 1, 1, 0, -1, 1]
    assert e.df["Q4_other"].tolist()[2] == "地铁广告"
    assert e.labels["Q7_1"] == "您来自于：填空1"
    assert e.df["答题时长"].tolist()[:2] == [125, 98]
    assert e.df["Q2"].tolist()[0] == "非常满意"


@pytest.mark.parametrize("name", ["qualtrics.csv", "qualtrics_legacy.csv"])
def test_qualtrics(name):
    e = export_of(name)
    raw = raw_of(name)
    header_texts = set(raw.iloc[1].dropna()) | set(raw.iloc[: FILES[name][2]].stack())
    assert not e.df.isin(header_texts - {"", "1", "0"}).any().any()  # header rows never data
    assert e.labels["Q1"] == "Overall, how satisfied are you with our service?"
    assert e.labels["Q2_1"].endswith("- Delivery speed")
    assert e.grids == {"Q2": ["Q2_1", "Q2_2", "Q2_3"]}
    assert e.sets == {"Q3": ["Q3_1", "Q3_2", "Q3_3", "Q3_4"]}
    assert e.df["Q3_1"].fillna(-1).tolist() == [1, 0, 0, 1, 1, 0, -1, 1]
    assert e.meta["status"] == "Finished"
    assert e.meta["ip"] == "IPAddress"


def test_qualtrics_meta_roles():
    e = export_of("qualtrics.csv")
    assert e.meta == {
        "submitted": "RecordedDate",
        "started": "StartDate",
        "ip": "IPAddress",
        "duration": "Duration (in seconds)",
        "status": "Finished",
        "id": "ResponseId",
        "source": "DistributionChannel",
    }
    assert e.df["Duration (in seconds)"].tolist()[:3] == [125, 98, 301]
    assert list(e.df.columns[:3]) == ["StartDate", "EndDate", "Status"]  # file order kept
    legacy = export_of("qualtrics_legacy.csv")
    assert legacy.meta["id"] == "ResponseID" and legacy.meta["submitted"] == "EndDate"
    assert "V1" not in legacy.df.columns


def test_spss_labels_value_labels_and_multiple_response_set():
    e = export_of("spss.sav")
    assert (e.platform, e.form) == ("spss", "code")
    assert e.labels["q_overall"] == "您对本次服务的总体满意度："
    assert e.value_labels["q_overall"][5.0] == "非常满意"
    assert e.sets == {"channel": ["ch_1", "ch_2", "ch_3", "ch_4"]}
    assert e.df.index.tolist() == list(range(1, 9))


def test_spss_category_set_expands_to_options(tmp_path):
    import pyreadstat

    spec = importlib.util.spec_from_file_location("make", FIXTURES / "make_fixtures.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    path = tmp_path / "c.sav"
    df = pd.DataFrame({"s1": [1.0, 2.0, np.nan], "s2": [3.0, np.nan, np.nan]})
    labels = {1.0: "北京", 2.0: "上海", 3.0: "广州"}
    pyreadstat.write_sav(df, str(path), variable_value_labels={"s1": labels, "s2": labels})
    make.add_mr_set(path, "$shop=C 6 门店 s1 s2\n")
    e = read_spss_export(path)
    assert e.sets == {"shop": ["shop_1", "shop_2", "shop_3"]}
    assert e.df["shop_1"].fillna(-1).tolist() == [1, 0, -1]
    assert e.labels["shop_3"] == "门店：广州"


def test_generic_table_keeps_its_names():
    e = export_of("generic.csv")
    assert list(e.df.columns) == [
        "id",
        "submitted",
        "region",
        "overall",
        "likely_to_recommend",
        "comment",
    ]
    assert e.meta == {} and e.labels == {} and e.recoded.empty


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([["a", "", "c"], ["1", "2", "3"]], "Column 2 has answers but no name"),
        ([["a", "a"], ["1", "2"]], r"\['a'\] appear more than once"),
        ([["StartDate", "EndDate", "Q1", "Q1"], ["s", "e", "q", "q"], ["1", "2", "3", "4"]], "Q1"),
    ],
)
def test_errors_name_the_column_and_the_fix(rows, match):
    with pytest.raises(ExportError, match=match):
        parse_export(pd.DataFrame(rows))


def test_unknown_platform_and_empty_file():
    with pytest.raises(ExportError, match="Unknown platform 'surveymonkey'"):
        parse_export(pd.DataFrame([["a"], ["1"]]), platform="surveymonkey")
    with pytest.raises(ExportError, match="empty"):
        parse_export(pd.DataFrame())
    with pytest.raises(ExportError, match="read_spss_export"):
        parse_export(pd.DataFrame([["a"], ["1"]]), platform="spss")


# file -> (id, time column, NPS item or None, a text-form rating item and its label set or None)
DRAFTS = {
    "wjx_code.csv": ("序号", "提交答卷时间", "Q7", None),
    "wjx_text.csv": ("序号", "提交答卷时间", "Q7", ("Q3", "satisfaction_5_zh")),
    "wjx_text.xlsx": ("序号", "提交答卷时间", "Q7", ("Q4_2", "satisfaction_5_zh")),
    "tencent.csv": ("编号", "结束答题时间", "Q5", ("Q2", "satisfaction_5_zh")),
    "tencent.xlsx": ("编号", "结束答题时间", "Q5", ("Q3_1", "satisfaction_5_zh")),
    "qualtrics.csv": ("ResponseId", "RecordedDate", "Q4", None),
    "qualtrics_legacy.csv": ("ResponseID", "EndDate", "Q4", ("Q1", "satisfaction_5_en")),
    "spss.sav": ("id", None, "q_nps", None),
    "generic.csv": ("id", "submitted", "likely_to_recommend", None),
}


@pytest.mark.parametrize("name", sorted(DRAFTS))
def test_drafted_codebook_finds_id_time_nps_and_label_sets(name):
    id_col, time_col, nps, rating = DRAFTS[name]
    e = export_of(name)
    d = draft_codebook(
        e.df,
        labels=e.labels,
        meta=e.meta,
        grids=e.grids,
        sets=e.sets,
        value_labels=e.value_labels,
        source=name,
    )
    guess = {(r.column, r.guess) for r in d.decisions.itertuples()}
    assert (id_col, "id") in guess
    assert f'id: "{id_col}"' in d.text
    if time_col:
        assert f'wave: {{from: "{time_col}", every: quarter}}' in d.text
    assert (nps, "nps") in guess
    if rating:
        col, label_set = rating
        assert (col, f"scale ({label_set})") in guess
        assert f'values: "{label_set}"' in d.text
    for col in e.sets.get("Q5", []) + e.sets.get("channel", []):
        assert (col, "multi") in guess

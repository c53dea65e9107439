"""cxlab.io: formats, encodings, codebook validation, exclusions (nothing lost)."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlab import io
from cxlab.codebook import Codebook, CodebookError

BOOK = {
    "id": "rid",
    "weight": "w",
    "segments": {"region": "地区"},
    "missing_codes": [98, 99],
    "items": {
        "nps": {"label": "推荐意愿", "type": "nps"},
        "sat": {"label": "满意度", "type": "scale", "min": 1, "max": 5},
        "comment": {"label": "意见", "type": "text"},
    },
}
SIMPLIFIED = ["物流很快，客服态度好", "价格太贵了，不值", "门店环境干净整洁"]
TRADITIONAL = ["物流很快，客服態度親切", "價格太貴了，不值得", "門市環境乾淨整潔"]


def frame(comments=SIMPLIFIED, regions=("华东", "华北", "华南")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rid": ["a1", "a2", "a3"],
            "w": [1.0, 0.5, 2.0],
            "region": list(regions),
            "nps": [10, 7, 0],
            "sat": [5, 3, 1],
            "comment": list(comments),
        }
    )


def write_csv(tmp_path, df, encoding, name="s.csv", book=BOOK):
    path = tmp_path / name
    path.write_bytes(df.to_csv(index=False, lineterminator="\n").encode(encoding))
    (tmp_path / "codebook.yaml").write_text(
        yaml.safe_dump(book, allow_unicode=True), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("encoding", "comments", "regions", "detected"),
    [
        ("utf-8", SIMPLIFIED, ("华东", "华北", "华南"), "utf-8"),
        ("utf-8-sig", TRADITIONAL, ("華東", "港台", "華南"), "utf-8-sig"),
        ("utf-16", SIMPLIFIED, ("华东", "华北", "华南"), "utf-16"),
        ("gb18030", SIMPLIFIED, ("华东", "华北", "华南"), "gb18030"),
        ("gbk", SIMPLIFIED, ("华东", "华北", "华南"), "gb18030"),
        # GB18030 covers traditional characters too (exports from a simplified-locale Excel).
        ("gb18030", TRADITIONAL, ("華東", "港台", "華南"), "gb18030"),
        ("big5", TRADITIONAL, ("華東", "港台", "華南"), "cp950"),
        ("cp950", TRADITIONAL, ("華東", "港台", "華南"), "cp950"),
    ],
)
def test_csv_encodings_round_trip_chinese_exactly(tmp_path, encoding, comments, regions, detected):
    df = frame(comments, regions)
    sv = io.load_survey(write_csv(tmp_path, df, encoding))
    assert sv.encoding == detected
    assert sv.data["comment"].tolist() == list(comments)
    assert sv.data["region"].tolist() == list(regions)
    assert sv.data["nps"].tolist() == [10, 7, 0]
    assert sv.exclusions.empty


def test_detect_encoding_prefers_the_decoding_that_forms_words():
    # Every byte of this GBK text is also valid Big5: only the words tell them apart.
    raw = "物流太慢了，等了一个星期才到，客服态度很差".encode("gbk")
    raw.decode("cp950")  # decodes without error, to gibberish
    assert io.detect_encoding(raw) == "gb18030"
    raw = "門市環境很乾淨，服務人員態度親切".encode("big5")
    assert io.detect_encoding(raw) == "cp950"


def test_undecodable_file_names_the_file_and_the_fix(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"rid,comment\n1,\xff\xfe\xfd\xfc\x80\x80\n")
    with pytest.raises(io.SurveyError, match=r"bad\.csv.*UTF-8"):
        io.load_survey(path, codebook={"id": "rid", "items": {"comment": {"type": "text"}}})


def test_excel_spss_parquet(tmp_path):
    import pyreadstat

    df = frame()
    df.to_excel(tmp_path / "s.xlsx", index=False)
    df.to_parquet(tmp_path / "s.parquet")
    spss = df.assign(region=[1.0, 2.0, 3.0])
    pyreadstat.write_sav(
        spss,
        tmp_path / "s.sav",
        variable_value_labels={"region": {1.0: "华东", 2.0: "华北", 3.0: "华南"}},
    )
    for name in ("s.xlsx", "s.parquet", "s.sav"):
        sv = io.load_survey(tmp_path / name, codebook=BOOK)
        assert sv.data["comment"].tolist() == SIMPLIFIED, name
        assert sv.data["region"].tolist() == ["华东", "华北", "华南"], name
        assert sv.data["sat"].tolist() == [5, 3, 1], name
        assert sv.exclusions.empty, name
    assert io.load_survey(tmp_path / "s.sav", codebook=BOOK).value_labels["region"][1.0] == "华东"


def test_unknown_format(tmp_path):
    (tmp_path / "s.json").write_text("{}")
    with pytest.raises(io.SurveyError, match=r"cannot read `\.json`"):
        io.load_survey(tmp_path / "s.json", codebook=BOOK)


def test_codebook_found_beside_the_data(tmp_path):
    sv = io.load_survey(write_csv(tmp_path, frame(), "utf-8"))
    assert sv.codebook.label("sat") == "满意度"
    assert sv.label("region") == "地区"


def test_missing_column_names_file_column_and_columns_present(tmp_path):
    path = write_csv(tmp_path, frame().drop(columns="sat"), "utf-8")
    with pytest.raises(
        io.SurveyError, match=r"s\.csv has no column\(s\) \['sat'\].*Columns in the file: rid"
    ):
        io.load_survey(path)


def test_missing_codes_become_nan_without_exclusion(tmp_path):
    df = frame().assign(nps=[10, 98, 99], sat=[5, 99, 1])
    sv = io.load_survey(write_csv(tmp_path, df, "utf-8"))
    assert sv.data["nps"].isna().tolist() == [False, True, True]
    assert sv.data["sat"].isna().tolist() == [False, True, False]
    assert sv.exclusions.empty


def test_out_of_range_text_and_fraction_are_excluded_with_reasons(tmp_path):
    df = frame().assign(nps=["10", "11", "九"], sat=["5", "3.5", "０"])
    sv = io.load_survey(write_csv(tmp_path, df, "utf-8"))
    ex = sv.exclusions.set_index(["row", "column"])
    assert ex.loc[(2, "nps"), "reason"] == "outside the answer range 0-10"
    assert ex.loc[(3, "nps"), "reason"] == "not a number"
    assert ex.loc[(2, "sat"), "reason"] == "not a whole number"
    assert (
        ex.loc[(3, "sat"), "reason"] == "outside the answer range 1-5"
    )  # full-width ０ parsed as 0
    assert (sv.exclusions["action"] == "set to missing").all()
    assert len(sv.data) == 3  # respondents kept; only the bad answers are missing
    assert sv.data["nps"].tolist()[0] == 10 and sv.data["nps"].isna().sum() == 2


def test_full_width_digits_are_numbers(tmp_path):
    df = frame().assign(nps=["１０", "７", "０"])
    sv = io.load_survey(write_csv(tmp_path, df, "utf-8"))
    assert sv.data["nps"].tolist() == [10, 7, 0]


def test_duplicate_missing_ids_and_empty_rows_are_dropped_and_counted(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "rid,w,region,nps,sat,comment\n"
        "a1,1,华东,10,5,好\n"
        "a1,1,华东,9,4,重复\n"
        ",1,华北,8,4,无编号\n"
        ",,,,,\n"
        "a4,1,华南,3,2,差\n",
        encoding="utf-8",
    )
    (tmp_path / "codebook.yaml").write_text(
        yaml.safe_dump(BOOK, allow_unicode=True), encoding="utf-8"
    )
    sv = io.load_survey(path)
    assert sv.data.index.tolist() == [1, 5]
    reasons = dict(zip(sv.exclusions["row"], sv.exclusions["reason"], strict=True))
    assert reasons == {
        2: "duplicate respondent id (first seen in row 1)",
        3: "missing respondent id",
        4: "empty row",
    }
    assert sv.n_read == 5


def test_negative_weights_are_flagged_and_zero_weights_kept(tmp_path):
    # The weight rule (cxlab.checks): 0 leaves a respondent out of estimates but in the base.
    df = frame().assign(w=[1.0, 0.0, -2.0])
    sv = io.load_survey(write_csv(tmp_path, df, "utf-8"))
    assert sv.exclusions["reason"].tolist() == ["weight is negative"]
    assert sv.data["w"].tolist()[:2] == [1.0, 0.0] and pd.isna(sv.data["w"].iloc[2])


def test_strict_raises_with_column_rows_and_count(tmp_path):
    df = frame().assign(sat=[7, 8, 1])
    with pytest.raises(
        io.SurveyError,
        match=r"column `sat`: 2 value\(s\) rejected \(outside the answer range 1-5\), first in row\(s\) 1, 2",
    ):
        io.load_survey(write_csv(tmp_path, df, "utf-8"), strict=True)


def test_drafted_codebook_when_none_beside_the_file(tmp_path):
    path = tmp_path / "x.csv"
    frame().to_csv(path, index=False)
    sv = io.load_survey(path)
    book = sv.codebook
    assert book.source.startswith("drafted from x.csv")
    assert (book.id, book.weight, list(book.segments)) == ("rid", "w", ["region"])
    assert book.items["nps"].type == "nps"
    assert (book.items["sat"].type, book.items["sat"].range) == ("scale", (1.0, 5.0))
    assert book.items["comment"].type == "text"
    assert len(sv.data) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.update(id=""), r"`id` is empty"),
        (lambda b: b["items"]["sat"].update(type="scal"), r"`items\.sat\.type` is 'scal'"),
        (
            lambda b: b["items"]["sat"].pop("max"),
            r"`items\.sat` is a `scale` item and needs both `min` and `max`",
        ),
        (lambda b: b["items"]["sat"].update(pair="nope"), r"`items\.sat\.pair` names `nope`"),
        (lambda b: b.update(colour="red"), r"`colour` is not a codebook key"),
        (lambda b: b["items"]["sat"].update(lable="x"), r"`items\.sat\.lable` is not an item key"),
        (
            lambda b: b.update(missing_codes=[3]),
            r"`items\.nps` has answers 0-10, but missing code\(s\) \[3\.0\]",
        ),
        (
            lambda b: b["items"]["nps"].update(max=5),
            r"`items\.nps` is a `nps` item, whose range is fixed",
        ),
    ],
)
def test_codebook_errors_name_the_file_and_key(tmp_path, change, message):
    import copy

    book = copy.deepcopy(BOOK)
    change(book)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CodebookError, match=rf"Codebook {path}.*{message}"):
        io.read_codebook(path)


def test_invalid_yaml(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML"):
        io.read_codebook(path)


def test_item_missing_codes_replace_global_ones():
    book = Codebook.from_dict(
        {
            "id": "r",
            "missing_codes": [98],
            "items": {"pts": {"type": "numeric", "min": 0, "max": 100, "missing_codes": []}},
        }
    )
    assert book.missing_for("pts") == ()


# -- property: every row of the file is accounted for ------------------------------------------------

cell = st.one_of(
    st.none(),
    st.integers(-3, 12).map(str),
    st.sampled_from(["98", "99", "x", "3.5", "", " ", "５", "1e1"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(list(string.ascii_lowercase[:6]))),
            cell,
            cell,
            cell,
        ),
        min_size=1,
        max_size=25,
    )
)
def test_every_row_is_kept_or_excluded(tmp_path, rows):
    df = pd.DataFrame(rows, columns=["rid", "w", "nps", "sat"]).assign(region="华东", comment="好")
    path = tmp_path / "p.csv"
    df.to_csv(path, index=False)
    book = {k: v for k, v in BOOK.items()}
    sv = io.load_survey(path, codebook=book)
    kept = set(sv.data.index)
    dropped = set(sv.exclusions.loc[sv.exclusions["action"] == "row dropped", "row"])
    assert kept.isdisjoint(dropped)
    assert kept | dropped == set(range(1, len(df) + 1))
    # Every value that is missing in the clean data was blank, a missing code, or is excluded.
    for col in ("nps", "sat"):
        lost = sv.data.index[sv.data[col].isna()]
        flagged = set(sv.exclusions.loc[sv.exclusions["column"] == col, "row"])
        raw = (
            df[col].reindex(lost - 1 if len(lost) else lost).to_numpy()
            if len(lost)
            else np.array([])
        )
        for row, value in zip(lost, raw, strict=True):
            blank = (
                value is None or (isinstance(value, str) and value.strip() == "") or pd.isna(value)
            )
            assert blank or value in ("98", "99") or row in flagged


# -- no value lost silently (issue 19) --------------------------------------------------------------

TEXT_BOOK = {"id": "rid", "items": {"comment": {"type": "text"}}}


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "1e309", "-1E400"])
def test_non_finite_numbers_are_exclusions_with_their_reason(tmp_path, value):
    df = frame().assign(nps=["10", value, "0"], w=["1", "1", value])
    sv = io.load_survey(write_csv(tmp_path, df, "utf-8"))
    ex = sv.exclusions.set_index(["row", "column"])
    assert ex.loc[(2, "nps"), "reason"] == "not a finite number"
    assert ex.loc[(2, "nps"), "value"] == value
    assert ex.loc[(3, "w"), "reason"] == "not a finite number"
    assert sv.data["nps"].isna().tolist() == [False, True, False]
    assert sv.data["w"].isna().tolist() == [False, False, True]
    with pytest.raises(io.SurveyError, match=r"not a finite number"):
        io.load_survey(tmp_path / "s.csv", strict=True)


def test_non_finite_numbers_in_a_typed_file_are_exclusions(tmp_path):
    df = frame().assign(sat=[5.0, np.inf, 1.0])
    df.to_parquet(tmp_path / "s.parquet")
    sv = io.load_survey(tmp_path / "s.parquet", codebook=BOOK)
    assert sv.exclusions[["row", "column", "reason"]].values.tolist() == [
        [2, "sat", "not a finite number"]
    ]


def test_duplicate_header_is_an_error_naming_both_columns(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("rid,nps,sat,nps\na1,10,5,3\n", encoding="utf-8")
    with pytest.raises(io.SurveyError, match=r"columns 2 and 4 are both named `nps`"):
        io.load_survey(path, codebook={"id": "rid", "items": {"nps": {"type": "nps"}}})


def test_duplicate_header_in_excel_is_an_error(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["rid", "nps", "nps"])
    wb.active.append(["a1", 10, 3])
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(io.SurveyError, match=r"columns 2 and 3 are both named `nps`"):
        io.load_survey(tmp_path / "s.xlsx", codebook={"id": "rid", "items": {}})


def _workbook(tmp_path, sheets: dict, name="s.xlsx"):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


NPS_BOOK = {"id": "rid", "items": {"nps": {"type": "nps"}}}


def test_a_workbook_with_several_sheets_needs_sheet(tmp_path):
    path = _workbook(
        tmp_path,
        {
            "华东": [["rid", "nps"], ["a1", 10], ["a2", 9]],
            "华北": [["rid", "nps"], ["b1", 3]],
            "空": [],
        },
    )
    with pytest.raises(io.SurveyError, match=r"2 sheets with data: '华东', '华北'.*sheet="):
        io.load_survey(path, codebook=NPS_BOOK)
    sv = io.load_survey(path, codebook=NPS_BOOK, sheet="华北")
    assert sv.data["rid"].tolist() == ["b1"]
    assert sv.source_sheet == "华北"
    with pytest.raises(io.SurveyError, match=r"no sheet '西部'.*'华东', '华北', '空'"):
        io.load_survey(path, codebook=NPS_BOOK, sheet="西部")


def test_a_single_sheet_with_data_is_read_and_named(tmp_path):
    path = _workbook(tmp_path, {"说明": [], "数据": [["rid", "nps"], ["a1", 10]]})
    sv = io.load_survey(path, codebook=NPS_BOOK)
    assert sv.source_sheet == "数据"
    assert sv.data["nps"].tolist() == [10]


def test_sheet_is_refused_for_a_csv(tmp_path):
    path = write_csv(tmp_path, frame(), "utf-8")
    with pytest.raises(io.SurveyError, match=r"sheet="):
        io.load_survey(path, sheet="x")


def test_merged_cells_are_filled_and_noted(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    for row in (["rid", "region", "nps"], ["a1", "华东", 10], ["a2", None, 9], ["a3", None, 0]):
        ws.append(row)
    ws.merge_cells("B2:B4")
    wb.save(tmp_path / "s.xlsx")
    book = {"id": "rid", "segments": ["region"], "items": {"nps": {"type": "nps"}}}
    sv = io.load_survey(tmp_path / "s.xlsx", codebook=book)
    assert sv.data["region"].tolist() == ["华东"] * 3
    notes = sv.exclusions[sv.exclusions["action"] == io.FILLED]
    assert notes["row"].tolist() == [2, 3]
    assert notes["column"].tolist() == ["region", "region"]
    assert notes["reason"].str.contains("merged cells B2:B4").all()
    with pytest.raises(io.SurveyError, match=r"merged cells B2:B4"):
        io.load_survey(tmp_path / "s.xlsx", codebook=book, strict=True)


def _mixed(lines_and_codecs) -> bytes:
    return b"".join(line.encode(codec) + b"\n" for line, codec in lines_and_codecs)


def test_gbk_lines_in_a_utf8_file_are_named(tmp_path):
    path = tmp_path / "s.csv"
    rows = [("rid,comment", "utf-8")] + [(f"a{i},物流很快服务好", "utf-8") for i in range(6)]
    rows[3] = ("a3,价格太贵了不值", "gbk")
    rows[5] = ("a5,门店环境干净", "gbk")
    path.write_bytes(_mixed(rows))
    with pytest.raises(io.SurveyError, match=r"s\.csv is UTF-8.*lines 4, 6\b.*GB18030"):
        io.load_survey(path, codebook=TEXT_BOOK)


def test_a_gbk_line_after_the_first_200_kb_is_named(tmp_path):
    path = tmp_path / "s.csv"
    rows = [("rid,comment", "utf-8")] + [(f"a{i},物流很快服务好", "utf-8") for i in range(12_000)]
    rows.append(("z1,价格太贵了不值", "gbk"))
    path.write_bytes(_mixed(rows))
    assert path.stat().st_size > 250_000
    with pytest.raises(io.SurveyError, match=r"line 12002\b"):
        io.load_survey(path, codebook=TEXT_BOOK)


def test_utf8_lines_in_a_gbk_file_are_named_not_turned_to_mojibake(tmp_path):
    path = tmp_path / "s.csv"
    rows = [("rid,region", "gbk")] + [(f"a{i},华北", "gbk") for i in range(6)]
    rows[2] = ("a2,华东", "utf-8")
    path.write_bytes(_mixed(rows))
    with pytest.raises(io.SurveyError, match=r"GB18030/GBK text, but UTF-8 on line 3\b"):
        io.load_survey(path, codebook={"id": "rid", "segments": ["region"], "items": {}})


def test_a_broken_byte_in_a_gbk_file_is_named(tmp_path):
    path = tmp_path / "s.csv"
    rows = [("rid,region", "gbk")] + [(f"a{i},华北", "gbk") for i in range(4)]
    raw = _mixed(rows) + b"a9,\x81\n"  # a lead byte with no trail byte
    path.write_bytes(raw)
    with pytest.raises(io.SurveyError, match=r"line 6\b"):
        io.load_survey(path, codebook={"id": "rid", "segments": ["region"], "items": {}})


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_a_survey_error(tmp_path, content):
    path = tmp_path / "s.csv"
    path.write_bytes(content)
    with pytest.raises(io.SurveyError, match=r"s\.csv is empty"):
        io.load_survey(path, codebook=TEXT_BOOK)


def test_a_header_only_file_loads_no_rows(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("rid,comment\n", encoding="utf-8")
    sv = io.load_survey(path, codebook=TEXT_BOOK)
    assert len(sv.data) == 0 and sv.n_read == 0


def test_an_excel_file_named_csv_says_so(tmp_path):
    frame().to_excel(tmp_path / "s.xlsx", index=False)
    (tmp_path / "s.xlsx").rename(tmp_path / "s.csv")
    with pytest.raises(io.SurveyError, match=r"s\.csv is an Excel workbook"):
        io.load_survey(tmp_path / "s.csv", codebook=BOOK)


def test_a_broken_xlsx_is_a_survey_error(tmp_path):
    (tmp_path / "s.xlsx").write_bytes(b"rid,nps\na1,3\n")
    with pytest.raises(io.SurveyError, match=r"s\.xlsx is not a readable Excel workbook"):
        io.load_survey(tmp_path / "s.xlsx", codebook=NPS_BOOK)


def test_short_rows_are_padded_and_quoted_newlines_kept(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('rid,nps,comment\na1,10,"第一行\n第二行"\na2,9\na3,,好\n', encoding="utf-8")
    sv = io.load_survey(
        path, codebook={**NPS_BOOK, "items": {**NPS_BOOK["items"], **TEXT_BOOK["items"]}}
    )
    assert sv.data["comment"].tolist()[0] == "第一行\n第二行"
    assert sv.data["nps"].tolist()[:2] == [10, 9]
    assert sv.data.index.tolist() == [1, 2, 3]


@pytest.mark.parametrize(("sep", "name"), [(";", "s.csv"), ("\t", "s.tsv"), ("\t", "s.txt")])
def test_other_separators(tmp_path, sep, name):
    path = tmp_path / name
    path.write_text(f"rid{sep}nps\na1{sep}10\na2{sep}３\n", encoding="utf-8")
    sv = io.load_survey(path, codebook=NPS_BOOK)
    assert sv.data["nps"].tolist() == [10, 3]


def test_long_error_messages_are_clipped():
    err = io.SurveyError("x" * 100_000)
    assert len(str(err)) < 2_100


def test_read_table_returns_the_sheet_and_encoding(tmp_path):
    path = write_csv(tmp_path, frame(), "gbk")
    table = io.read_table(path)
    assert table.encoding == "gb18030" and table.sheet is None
    assert table.df["region"].tolist() == ["华东", "华北", "华南"]
    assert table.df.index.tolist() == [1, 2, 3]

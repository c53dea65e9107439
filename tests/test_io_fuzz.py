"""Fuzzing the loader with generated CSV bytes: it loads and accounts for every row, or it raises
a cxlab error (SurveyError / CodebookError) -- never another exception, never a silent loss."""

from __future__ import annotations

import math
import unicodedata

import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cxlab import io
from cxlab.codebook import CodebookError

CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "5",
            "10",
            "98",
            "-1",
            "3.5",
            "１０",
            "５",
            "inf",
            "-inf",
            "Infinity",
            "1e309",
            "-1E400",
            "NaN",
            "nan",
            "1e1",
            "+7",
            ".5",
            "0x10",
            "1_0",
            " 7 ",
            "x",
            "华东",
            "華東",
            "好评",
            "\u3000",
            "ｉｎｆ",
            "99",
        ]
    ),
    st.text(alphabet="0123456789.eE+-华东好 abc", max_size=6),
)
HEADERS = st.sampled_from(["nps", "sat", "w", "region", "q1", "q2", "q3", "评论", " sat ", ""])
ENCODINGS = st.sampled_from(["utf-8", "gbk", "big5", "utf-8-sig"])


def _line(cells: list[str]) -> str:
    return ",".join(c.replace(",", "") for c in cells)


@st.composite
def csv_files(draw):
    width = draw(st.integers(2, 5))
    header = ["rid"] + [draw(HEADERS) for _ in range(width - 1)]
    rows = draw(
        st.lists(
            st.one_of(
                st.lists(CELLS, min_size=width, max_size=width),
                st.lists(CELLS, min_size=1, max_size=width + 1),  # short and long rows
            ),
            min_size=0,
            max_size=12,
        )
    )
    file_codec = draw(ENCODINGS)
    chunks, records = [], 0
    for i, line in enumerate([header, *rows]):
        # One line in eight or so in another encoding (pasted from another export).
        mixed = i and draw(st.integers(0, 7)) == 0
        codec = draw(ENCODINGS) if mixed else file_codec
        text = _line(line)
        try:
            data = text.encode(codec.replace("-sig", "") if i else codec)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        chunks.append(data)
        records += bool(i) and text != ""  # an empty line holds no record
        if draw(st.booleans()) and draw(st.booleans()):
            chunks.append(b"")  # a blank line: no record
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return header, ending.join(chunks) + ending, records


def _book(header: list[str]):
    names = [h.strip() for h in header]
    items = {n: {"type": "numeric"} for n in dict.fromkeys(names[1:]) if n and n != "rid"}
    if "nps" in items:
        items["nps"] = {"type": "nps"}
    return {"id": "rid", "missing_codes": [98, 99], "items": items}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=csv_files(), given_book=st.booleans())
def test_generated_csv_loads_accounted_or_raises_a_cxlab_error(tmp_path, case, given_book):
    header, data, records = case
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    try:
        sv = io.load_survey(path, codebook=_book(header) if given_book else None)  # None: inferred
    except (io.SurveyError, CodebookError) as e:
        assert len(str(e)) < 2_100
        event(f"{type(e).__name__}: {str(e).split(': ', 1)[-1][:40]}")
        return
    event("loaded")
    assert sv.n_read == records
    kept = set(sv.data.index)
    dropped = set(sv.exclusions.loc[sv.exclusions["action"] == io.ROW_DROPPED, "row"])
    assert kept.isdisjoint(dropped)
    assert kept | dropped == set(range(1, records + 1))
    # Every numeric answer kept is finite; every cell that held something and is now
    # missing is a missing code or has an exclusion line.
    raw = io.read_table(path).df
    for name, item in sv.codebook.items.items():
        if item.type not in ("numeric", "nps"):
            continue
        col = sv.data[name]
        assert all(math.isfinite(v) for v in col.dropna())
        flagged = set(sv.exclusions.loc[sv.exclusions["column"] == name, "row"])
        for row in col.index[col.isna()]:
            cell = raw.at[row, name]
            if pd.isna(cell) or row in flagged:
                continue
            number = pd.to_numeric(
                unicodedata.normalize("NFKC", str(cell)).strip(), errors="coerce"
            )
            assert float(number) in (98.0, 99.0), (row, name, cell)

"""Codebook files: hostile YAML (alias bombs, huge files, duplicate keys, NaN bounds) fails fast."""

from __future__ import annotations

import time

import pytest

from cxlab import io
from cxlab.codebook import Codebook, CodebookError

GOOD = """\
id: rid
items:
  nps: {type: nps}
  sat: {type: scale, min: 1, max: 5}
"""


def write(tmp_path, text: str, name: str = "codebook.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plain_codebook_reads(tmp_path):
    book = io.read_codebook(write(tmp_path, GOOD))
    assert book.select(type="scale") == ["sat"]


BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
id: rid
items: *i
"""


def test_billion_laughs_fails_fast_with_a_short_message(tmp_path):
    start = time.perf_counter()
    with pytest.raises(CodebookError, match=r"alias") as err:
        io.read_codebook(write(tmp_path, BOMB))
    assert time.perf_counter() - start < 2
    assert len(str(err.value)) < 1000


def test_a_recursive_alias_is_refused(tmp_path):
    with pytest.raises(CodebookError, match=r"alias"):
        io.read_codebook(write(tmp_path, "id: rid\nitems: &x {a: *x}\n"))


def test_small_aliases_such_as_a_shared_scale_still_work(tmp_path):
    text = (
        "id: rid\n"
        "items:\n"
        "  q1: &five {type: scale, min: 1, max: 5}\n"
        "  q2: *five\n"
        "  q3: {<<: *five, label: 第三题}\n"
    )
    book = io.read_codebook(write(tmp_path, text))
    assert book.items["q2"].max == 5 and book.items["q3"].label == "第三题"


def test_a_huge_codebook_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, GOOD + "# " + "x" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(CodebookError, match=r"larger than 1 MB") as err:
        io.read_codebook(path)
    assert len(str(err.value)) < 1000


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("id: rid\nitems:\n  sat: {type: scale, min: 1, max: 5}\nid: other\n", "id", 4),
        (
            "id: rid\nitems:\n  sat:\n    type: scale\n    min: 1\n    max: 5\n    type: text\n",
            "type",
            7,
        ),
        ("id: rid\nitems:\n  sat: {type: nps}\n  sat: {type: text}\n", "sat", 4),
    ],
)
def test_duplicate_keys_are_refused_naming_key_and_line(tmp_path, text, key, line):
    with pytest.raises(CodebookError, match=rf"`{key}`.*twice.*line {line}"):
        io.read_codebook(write(tmp_path, text))


@pytest.mark.parametrize(
    "bad",
    [
        "  sat: {type: scale, min: .nan, max: 5}\n",
        "  sat: {type: scale, min: 1, max: .inf}\n",
        "  sat: {type: numeric, min: -.inf}\n",
        "  sat: {type: numeric, missing_codes: [.nan]}\n",
        "  sat: {type: numeric, max: 1" + "0" * 400 + "}\n",
    ],
)
def test_non_finite_bounds_and_codes_are_refused(tmp_path, bad):
    with pytest.raises(CodebookError, match=r"finite"):
        io.read_codebook(write(tmp_path, "id: rid\nitems:\n" + bad))


def test_non_finite_global_missing_codes_are_refused():
    with pytest.raises(CodebookError, match=r"`missing_codes`.*finite"):
        Codebook.from_dict(
            {"id": "r", "missing_codes": [float("inf")], "items": {"a": {"type": "text"}}}
        )


def test_errors_quoting_a_huge_value_stay_short(tmp_path):
    text = "id: rid\nitems:\n  sat: {type: scale, min: '" + "9" * 500_000 + "', max: 5}\n"
    with pytest.raises(CodebookError, match=r"items\.sat\.min") as err:
        io.read_codebook(write(tmp_path, text))
    assert len(str(err.value)) < 1000


def test_a_codebook_that_is_not_text(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(CodebookError, match=r"not UTF-8"):
        io.read_codebook(path)


def test_yaml_tags_are_refused(tmp_path):
    with pytest.raises(CodebookError, match=r"not valid YAML"):
        io.read_codebook(write(tmp_path, "id: !!python/object/apply:os.system ['true']\n"))


def test_require_and_one_name_what_is_missing():
    book = Codebook.from_dict({"id": "r", "items": {"a": {"type": "nps"}}})
    assert book.one(type="nps") == "a"
    with pytest.raises(CodebookError, match=r"type `scale`"):
        book.require(type="scale")

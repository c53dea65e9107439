"""cxlab.text.redact: a table of cases that must and must not be masked."""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab.sample import resident_id_check_digit
from cxlab.text import luhn_valid, redact

BODY = "11010519900307451"
GOOD_ID = BODY + resident_id_check_digit(BODY)
BAD_ID = BODY + ("0" if GOOD_ID[-1] != "0" else "1")
CARD = "6222021234567894"  # UnionPay prefix, Luhn-valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请打13812345678联系", "请打[手机号]联系"),
        ("电话 138-1234-5678 谢谢", "电话 [手机号] 谢谢"),
        ("+86 138 1234 5678", "[手机号]"),
        ("邮箱 zhang.wei@example.com 回复", "邮箱 [邮箱] 回复"),
        (f"身份证{GOOD_ID}", "身份证[身份证号]"),
        (f"卡号{CARD}", "卡号[银行卡号]"),
        ("卡号 6222 0212 3456 7894", "卡号 [银行卡号]"),
        ("座机010-12345678", "座机[座机号]"),
        ("(0755)1234567", "[座机号]"),
        # Left alone: not personal data, or not a valid number.
        (f"身份证{BAD_ID}", f"身份证{BAD_ID}"),
        ("订单号2025031512345678，实付199元", "订单号2025031512345678，实付199元"),
        (f"订单号{CARD}", f"订单号{CARD}"),
        ("价格1999元，便宜了300", "价格1999元，便宜了300"),
        ("客服热线400-820-8820", "客服热线400-820-8820"),
        ("卡号6222 0212 3456 7897", "卡号6222 0212 3456 7897"),  # fails Luhn
        ("第12345678901234号", "第12345678901234号"),
    ],
)
def test_redact_table(text, expected):
    assert redact(text) == expected


def test_redact_keeps_series_index_and_missing():
    s = pd.Series(["打13812345678", None], index=[7, 9], name="comment")
    out = redact(s)
    assert out.index.tolist() == [7, 9] and out.name == "comment"
    assert out[7] == "打[手机号]" and pd.isna(out[9])


def test_luhn():
    assert luhn_valid("4539578763621486") and not luhn_valid("4539578763621487")


def test_redact_masks_every_planted_item(sample_survey, truth):
    comments = sample_survey.data.set_index("resp_id")["comment"]
    for entry in truth["pii"]:
        assert entry["value"] not in redact(comments[entry["resp_id"]])
    for entry in truth["pii_decoys"]:
        assert entry["value"] in redact(comments[entry["resp_id"]])

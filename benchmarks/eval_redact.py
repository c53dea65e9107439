"""Precision and recall of cxlab.text.redact by kind of personal data (evaluation only).

1. The test table: POSITIVES and NEGATIVES of tests/test_redact.py (the cases the redactor
   was built and checked against, so these figures are an upper bound).
2. Held-out cases: EXTRA_POSITIVES and EXTRA_NEGATIVES below, written after the redactor and
   the test table were finished and never used to change a rule. They are not in the test.

Counting, per kind k (mobile, landline, email, ip, resident_id, bank_card, address, name):
- a positive of kind k is a true positive when its secret is gone from the output and the
  placeholder of k is in it, else a false negative;
- every placeholder of kind k in the output of a negative, or of a positive of another kind,
  is a false positive.
precision = TP / (TP + FP), recall = TP / (TP + FN). Also: the share of negatives returned
unchanged, and comments per second of redact_text on the sample comments.

Run: python benchmarks/eval_redact.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from cxlab.paths import SAMPLE_DATA
from cxlab.text.redact import PLACEHOLDERS, redact_text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_redact import NEGATIVES, POSITIVES  # noqa: E402

EXTRA_POSITIVES: list[tuple[str, str, str]] = [
    ("mobile", "麻烦让配送员到了打 137 1234 0000，我下楼拿", "137 1234 0000"),
    ("mobile", "售后说给我回电，号码15912345678，等了三天", "15912345678"),
    ("mobile", "我手机１５９-１２３４-５６７８换号了", "１５９-１２３４-５６７８"),
    ("mobile", "新号码 +86-181-2345-6789 请更新", "181-2345-6789"),
    ("mobile", "电话是:17612345678（微信同号）", "17612345678"),
    ("mobile", "请联系我老婆电话 147 0000 2222", "147 0000 2222"),
    ("landline", "公司前台 0755-86001234 转 8021", "86001234"),
    ("landline", "家里座机(021)64001234，下午有人", "64001234"),
    ("landline", "办公电话：0311-8765432", "8765432"),
    ("landline", "固话 010 6500 1234", "6500 1234"),
    ("email", "报销单发我邮箱 fang.li＠corp-mail.cn 吧", "fang.li"),
    ("email", "邮箱是 liuqiang (at) 163.com", "liuqiang"),
    ("email", "发到 Zhou.Yu@Outlook.COM 就行", "Zhou.Yu"),
    ("email", "我的QQ邮箱 987654321＠ｑｑ.com", "987654321"),
    ("ip", "路由器后台 192.168.31.1 进不去", "192.168.31.1"),
    ("ip", "提示 IP 114.114.114.114 访问过于频繁", "114.114.114.114"),
    ("ip", "IPv6 是 240e:3a1:4c2:8d0::1a 一直掉线", "240e:3a1"),
    ("resident_id", "开户用的身份证是 110105194912310 02X，不是我本人办的", "110105194912310"),
    ("resident_id", "证件号１１０１０５１９４９１２３１００２ｘ", "１９４９１２３１"),
    ("bank_card", "工资卡 6217 0012 3456 7890 122 被冻结了", "6217 0012 3456 7890 122"),
    ("bank_card", "退到尾号不对的卡上了，应该退到4367420123456781", "4367420123456781"),
    ("address", "送到宝安区新安街道建安一路99号海雅大厦", "建安一路99号"),
    ("address", "家住福州市鼓楼区五四路158号环球广场2座1508室", "五四路158号"),
    ("address", "小区是翠湖花园6栋1单元802", "6栋1单元802"),
    ("address", "请送到朝阳区望京街10号院", "望京街10号"),
    ("address", "地址写的是成都市锦江区春熙路，但找不到门牌", "春熙路"),
    ("address", "寄到3号楼2单元601，别放驿站", "3号楼2单元601"),
    ("name", "投诉一下送货的黄师傅，态度太差", "黄师傅"),
    ("name", "刘女士您好，您的退款已处理", "刘女士"),
    ("name", "银行的吴经理帮了很多忙", "吴经理"),
    ("name", "感谢客服徐小姐和蒋先生", "徐小姐"),
    ("name", "孔老师讲课很有趣", "孔老师"),
    ("name", "麻烦转告邓经理，货收到了", "邓经理"),
    ("name", "诸葛先生预约的是周六", "诸葛先生"),
    ("name", "电工梁师傅来得很及时", "梁师傅"),
]

EXTRA_NEGATIVES: list[tuple[str, str]] = [
    ("order", "订单 3301234567890123 退款中"),
    ("order", "交易号：4200001876202512011234567"),
    ("order", "发票号码 04412345 代码 044001900111"),
    ("tracking", "中通快递 78912345678901 到哪了"),
    ("tracking", "德邦 DPK123456789012"),
    ("price", "¥6,999 买的电视降到5,999了"),
    ("price", "每月话费128元套餐"),
    ("price", "退了 1,380.50 元，少了 20 元"),
    ("date", "2025年12月1号到12月8号都没人接电话"),
    ("date", "生产日期 20250601，保质期 18 个月"),
    ("date", "12/01 下单，12/15 收到"),
    ("time", "预约的 9:30-11:30 没人来"),
    ("version", "微信 8.0.44 上打不开小程序"),
    ("version", "系统 HarmonyOS 4.2.0.137 后卡顿"),
    ("version", "更新到 V5.12.3 以后闪退"),
    ("quantity", "买了 3 箱共 72 罐，少了 2 罐"),
    ("quantity", "流量用了 13.8GB"),
    ("quantity", "跑了 12000 公里就坏了"),
    ("model", "型号 SM-S9180 的屏幕"),
    ("model", "洗衣机 XQG100-14BD 漏水"),
    ("model", "打印机 HP LaserJet M1136"),
    ("percent", "折扣 7.5 折，比 618 还贵"),
    ("percent", "投诉处理及时率 95.6%"),
    ("hotline", "打 12345 市民热线也没用"),
    ("hotline", "客服 400 100 5678 转人工很慢"),
    ("hotline", "银行客服 95533 还行"),
    ("honorific", "那个女士插队"),
    ("honorific", "电话那头的先生很客气"),
    ("honorific", "所有老师都很负责"),
    ("honorific", "专车师傅开得很稳"),
    ("honorific", "物业经理推脱责任"),
    ("honorific", "谢谢小姐姐的耐心"),
    ("address_word", "路由器老是断网"),
    ("address_word", "一路上都有人问路"),
    ("address_word", "这条街的门店都关了"),
    ("address_word", "区域经理说会跟进"),
    ("address_word", "市场价比这个便宜"),
    ("address_word", "3号到4号停电，冰箱里的东西坏了"),
    ("other", "IP 属地显示上海"),
    ("other", "1.5 倍速播放"),
]


def evaluate(
    positives: list[tuple[str, str, str]], negatives: list[tuple[str, str]]
) -> tuple[pd.DataFrame, float]:
    """Precision and recall by kind, and the share of negatives returned unchanged."""
    tp = dict.fromkeys(PLACEHOLDERS, 0)
    fn = dict.fromkeys(PLACEHOLDERS, 0)
    fp = dict.fromkeys(PLACEHOLDERS, 0)
    for kind, comment, secret in positives:
        out = redact_text(comment)
        if secret not in out and PLACEHOLDERS[kind] in out:
            tp[kind] += 1
        else:
            fn[kind] += 1
        for other, mark in PLACEHOLDERS.items():
            if other != kind:
                fp[other] += out.count(mark)
    unchanged = 0
    for _, comment in negatives:
        out = redact_text(comment)
        unchanged += out == comment
        for kind, mark in PLACEHOLDERS.items():
            fp[kind] += out.count(mark)
    rows = [
        {"kind": k, "n": tp[k] + fn[k], "tp": tp[k], "fp": fp[k], "fn": fn[k]} for k in PLACEHOLDERS
    ]
    rows.append(
        {
            "kind": "all",
            "n": sum(tp.values()) + sum(fn.values()),
            "tp": sum(tp.values()),
            "fp": sum(fp.values()),
            "fn": sum(fn.values()),
        }
    )
    table = pd.DataFrame(rows)
    table["precision"] = (table["tp"] / (table["tp"] + table["fp"])).round(3)
    table["recall"] = (table["tp"] / (table["tp"] + table["fn"])).round(3)
    return table, unchanged / len(negatives)


def speed(rounds: int = 5, repeat: int = 20) -> float:
    """Best comments/s of redact_text over the sample survey's comments (repeated)."""
    comments = pd.read_csv(SAMPLE_DATA)["comment"].dropna().tolist() * repeat
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for c in comments:
            redact_text(c)
        best = max(best, len(comments) / (time.perf_counter() - start))
    return best


def main() -> None:
    for title, pos, neg in (
        ("Test table (tests/test_redact.py)", POSITIVES, NEGATIVES),
        ("Held-out cases (this file only)", EXTRA_POSITIVES, EXTRA_NEGATIVES),
    ):
        table, unchanged = evaluate(pos, neg)
        print(f"\n{title}: {len(pos)} positives, {len(neg)} look-alikes")
        print(table.to_string(index=False))
        print(f"look-alikes returned unchanged: {unchanged:.1%}")
        outs = [(k, c, s, redact_text(c)) for k, c, s in pos]
        missed = [(k, c, o) for k, c, s, o in outs if s in o or PLACEHOLDERS[k] not in o]
        changed = [(k, c, redact_text(c)) for k, c in neg if redact_text(c) != c]
        for label, items in (("missed", missed), ("look-alike changed", changed)):
            for kind, comment, out in items:
                print(f"  {label} [{kind}] {comment}  ->  {out}")
    print(f"\nredact_text on the sample comments: {speed():,.0f} comments/s (best of 5)")


if __name__ == "__main__":
    main()

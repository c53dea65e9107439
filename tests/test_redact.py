"""cxlab.text.redact: a table of comments that must be masked and look-alikes that must not.

POSITIVES: (kind, comment, secret). The comment must come back with ``secret`` gone and the
placeholder of ``kind`` in its place. NEGATIVES: (look-alike, comment). The comment must come
back unchanged. ``benchmarks/eval_redact.py`` prints precision and recall by kind on this table.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cxlab.sample import resident_id_check_digit
from cxlab.text.redact import PLACEHOLDERS, luhn_valid, redact, redact_text, resident_id_valid

FW = str.maketrans("0123456789Xx@.-()", "０１２３４５６７８９Ｘｘ＠．－（）")


def full_width(s: str) -> str:
    return s.translate(FW)


def _id(body: str) -> str:
    return body + resident_id_check_digit(body)


ID1 = "11010519491231002X"  # the example of GB 11643-1999
ID2 = _id("44030519900101123")
ID3 = _id("32010219851215456")
ID4 = _id("51010719780630789")
ID5 = _id("11010820000229001")
ID6 = _id("35020319920817334")
BAD_ID = ID2[:17] + ("0" if ID2[17] != "0" else "1")
CARD = "6222021234567894"  # UnionPay prefix, Luhn-valid
CARD19 = "6228480012345678903"
CARD_VISA = "4539578763621486"
CARD_MC = "5212345678901234"

POSITIVES: list[tuple[str, str, str]] = [
    # mobile
    ("mobile", "请打13812345678联系我", "13812345678"),
    ("mobile", "电话 138-1234-5678 谢谢", "138-1234-5678"),
    ("mobile", "+86 138 1234 5678", "138 1234 5678"),
    ("mobile", "手机：１３８１２３４５６７８，随时联系", "１３８１２３４５６７８"),
    ("mobile", "我的号码是138.0013.8000，白天都在", "138.0013.8000"),
    ("mobile", "0086 13912345678 这是我的手机", "13912345678"),
    ("mobile", "联系方式0086-139-1234-5678", "139-1234-5678"),
    ("mobile", "8613912345678是我微信同号", "13912345678"),
    ("mobile", "(+86)15012345678 有事打这个", "15012345678"),
    ("mobile", "号码１３８－００１３－８０００", "１３８－００１３－８０００"),
    ("mobile", "手机 １３８ ００１３ ８０００ 晚上打", "１３８ ００１３ ８０００"),
    ("mobile", "回电1３8００13８000，谢谢", "1３8００13８000"),
    ("mobile", "tel:18612345678", "18612345678"),
    ("mobile", "Tel18612345678 找王工", "18612345678"),
    ("mobile", "收件人电话 177 1234 5678", "177 1234 5678"),
    ("mobile", "客服一直不回，我的手机是19912345678，请尽快联系", "19912345678"),
    ("mobile", "配送员留的电话 135 0000 1111 打不通", "135 0000 1111"),
    ("mobile", "＋８６ １３６ ２２２２ ３３３３", "１３６ ２２２２ ３３３３"),
    ("mobile", "我的电话：15800001111。", "15800001111"),
    ("mobile", "留个电话13600001111，2件都坏了", "13600001111"),
    ("mobile", "微信同手机 188 8888 6666", "188 8888 6666"),
    ("mobile", "电话13800138000 2件商品都没到", "13800138000"),
    ("mobile", "手机号 130-0000-1234 麻烦回访", "130-0000-1234"),
    ("mobile", "換貨請聯絡我 0912 345 678 不對，是13712345678", "13712345678"),
    # landline
    ("landline", "座机010-12345678", "010-12345678"),
    ("landline", "(0755)1234567", "1234567"),
    ("landline", "家里电话 021 6123 4567，晚上打", "021 6123 4567"),
    ("landline", "办公室电话０２１－６１２３４５６７", "６１２３４５６７"),
    ("landline", "请拨打0571-88886666转123找我", "0571-88886666"),
    ("landline", "固话（010）87654321 白天有人", "87654321"),
    ("landline", "公司电话 +86 10 8765 4321", "8765 4321"),
    ("landline", "座机0086-21-61234567", "61234567"),
    ("landline", "电话0755-2345-6789", "0755-2345-6789"),
    ("landline", "联系座机 02061234567", "02061234567"),
    ("landline", "家里座机是0731 8888 1234，白天有人", "0731 8888 1234"),
    ("landline", "电话 0512.6789.1234", "0512.6789.1234"),
    # e-mail
    ("email", "邮箱 zhang.wei@example.com 回复", "zhang.wei@example.com"),
    ("email", "发票请发到 wang_li88@163.com", "wang_li88"),
    ("email", "邮箱：ｌｉｕｙａｎｇ＠ｑｑ．ｃｏｍ", "ｌｉｕｙａｎｇ"),
    ("email", "chen123＠163.com 发票寄这里", "chen123"),
    ("email", "联系邮箱 zhao.min（at）gmail.com", "zhao.min"),
    ("email", "邮箱 sunli(at)126.com 谢谢", "sunli"),
    ("email", "邮箱 zhoujie[at]sina.cn", "zhoujie"),
    ("email", "写信到 wu_fang at hotmail.com", "wu_fang"),
    ("email", "123456789@qq.com 是我QQ邮箱", "123456789"),
    ("email", "邮箱xu.ming@company.com.cn谢谢", "xu.ming"),
    ("email", "请回复到 li@mail.example.org。", "li@mail"),
    ("email", "邮件 zheng-hua【at】outlook.com", "zheng-hua"),
    ("email", "邮箱 maliang@qq。com 有回执吗", "maliang"),
    ("email", "联系 hu.jun(at)example(dot)com", "hu.jun"),
    ("email", "我的邮箱是 Lin_Na2024@Foxmail.com，请回复", "Lin_Na2024"),
    ("email", "邮箱 yang艾特163.com", "yang"),
    # IP
    ("ip", "我这边IP是192.168.1.10，一直登录不上", "192.168.1.10"),
    ("ip", "公网IP 58.246.12.7 被封了", "58.246.12.7"),
    ("ip", "IP地址：１０．０．０．２３", "１０．０．０．２３"),
    ("ip", "从 223.104.3.5 登录提示异常", "223.104.3.5"),
    ("ip", "ipv6 2408:8207:1234:5678:9abc:def0:1234:5678 打不开", "2408:8207"),
    ("ip", "IPv6地址 fe80::1c2d:3e4f:5a6b:7c8d 连不上", "1c2d:3e4f"),
    ("ip", "服务器 2001:db8::8a2e:370:7334 报错", "8a2e:370:7334"),
    ("ip", "IP192.168.0.1打不开后台", "192.168.0.1"),
    # resident id
    ("resident_id", f"身份证{ID2}", ID2),
    ("resident_id", "身份证号 110105 19491231 002X", "19491231"),
    ("resident_id", f"证件号码{full_width(ID1)}", full_width(ID1)[6:14]),
    ("resident_id", "身份证 110105-19491231-002X 麻烦核实", "19491231"),
    ("resident_id", f"身份证号{ID1.lower()}", ID1.lower()),
    ("resident_id", f"实名认证用的{ID3}总是失败", ID3),
    (
        "resident_id",
        f"身份证号码：{ID4[:4]} {ID4[4:8]} {ID4[8:12]} {ID4[12:16]} {ID4[16:]}",
        "0719 7806",
    ),
    ("resident_id", f"{ID5} 是我的身份证", ID5),
    ("resident_id", f"开票需要身份证号{ID6}吗？", ID6),
    ("resident_id", f"身份證號碼{ID3}，請核實", ID3),
    # bank card
    ("bank_card", f"卡号{CARD}", CARD),
    ("bank_card", "卡号 6222 0212 3456 7894", "6222 0212 3456 7894"),
    ("bank_card", "退款到 6217-0012-3456-7890-122 这张卡", "6217-0012-3456-7890-122"),
    ("bank_card", f"银行卡：{full_width(CARD)}", full_width(CARD)),
    ("bank_card", f"信用卡 {CARD_VISA} 被扣两次", CARD_VISA),
    ("bank_card", "招行卡 6225 8812 3456 7898 没收到退款", "6225 8812 3456 7898"),
    ("bank_card", f"打到我的卡 {CARD_MC} 就行", CARD_MC),
    ("bank_card", f"退款卡号：{CARD19[:6]} {CARD19[6:]}", CARD19[6:]),
    ("bank_card", "银行卡4367.4201.2345.6781", "4367.4201.2345.6781"),
    ("bank_card", "卡6011009988776659扣了两次费", "6011009988776659"),
    # address
    ("address", "寄到北京市朝阳区建国路88号", "建国路88号"),
    ("address", "地址：上海市浦东新区张江路1234号", "张江路1234号"),
    ("address", "送货地址是广东省深圳市南山区科技园路5号", "科技园路5号"),
    ("address", "我住杭州市西湖区文三路478号华星大厦3栋2单元501室", "501室"),
    ("address", "请改到海淀区中关村大街27号", "中关村大街27号"),
    ("address", "收货地址：南京市鼓楼区中山路18号，别送错", "中山路18号"),
    ("address", "阳光小区3栋2单元501室的快递一直没送", "3栋2单元501室"),
    ("address", "碧桂园5号楼1203，放门口就行", "5号楼1203"),
    ("address", "地址：重庆市渝中区邹容路68号", "邹容路68号"),
    ("address", "送到深南大道6008号就行", "深南大道6008号"),
    ("address", "天河区体育西路191号中石化大厦", "体育西路191号"),
    ("address", "地址是上海市徐汇区漕溪北路，快递员找不到", "漕溪北路"),
    ("address", "浙江省杭州市余杭区文一西路，一直显示派送中", "文一西路"),
    ("address", "放5号楼302室门口", "302室"),
    ("address", "3单元501的邻居帮我收的", "3单元501"),
    ("address", "幸福里小区8栋楼下", "幸福里小区8栋"),
    ("address", "臺北市信義區松仁路100號", "松仁路100號"),
    ("address", "地址北京市海淀区学院路30号，电话打不通", "学院路30号"),
    ("address", "寄到 长宁区 延安西路 1088号 2单元 1201室", "延安西路"),
    ("address", "住在武侯区人民南路４段１８号", "人民南路４段１８号"),
    # names with honorifics
    ("name", "王先生很耐心地解释了", "王先生"),
    ("name", "感谢李经理的帮助", "李经理"),
    ("name", "客服张小姐态度很好", "张小姐"),
    ("name", "物业的刘师傅修得很快", "刘师傅"),
    ("name", "联系了陈女士，一直没回", "陈女士"),
    ("name", "赵老师讲得很清楚", "赵老师"),
    ("name", "这次多亏了黄经理", "黄经理"),
    ("name", "找周师傅安装的，很专业", "周师傅"),
    ("name", "孙先生说会处理，结果没有下文", "孙先生"),
    ("name", "欧阳女士反映的问题还没解决", "欧阳女士"),
    ("name", "王小明先生投诉了两次", "王小明"),
    ("name", "张伟经理亲自上门道歉", "张伟"),
    ("name", "司马先生的订单延误了", "司马先生"),
    ("name", "李华老师推荐我来的", "李华"),
    ("name", "谢老师很负责", "谢老师"),
    ("name", "前台的杨小姐很热情", "杨小姐"),
    ("name", "店长马女士处理得当", "马女士"),
    ("name", "郭师傅技术好，一次就修好了", "郭师傅"),
    ("name", "林經理很專業", "林經理"),
    ("name", "陳小姐幫我處理了退款", "陳小姐"),
    ("name", "何经理答应退款，到现在也没退", "何经理"),
    ("name", "上门的钱师傅很专业", "钱师傅"),
    ("name", "于经理态度很好", "于经理"),
    ("name", "方女士打来电话道歉", "方女士"),
    ("name", "任经理已经处理了", "任经理"),
    ("name", "谢谢王老师傅，帮了大忙", "王老师傅"),
    ("name", "Ｗ店的徐店长说可以换货", "徐店长"),
    ("name", "高主任亲自打电话", "高主任"),
]

NEGATIVES: list[tuple[str, str]] = [
    # order numbers
    ("order", "订单号2025031512345678，实付199元"),
    ("order", f"订单号{CARD}，一直没发货"),
    ("order", f"单号：{CARD_VISA}"),
    ("order", "订单编号 202511301234567890 一直没发货"),
    ("order", "我的订单 TB2025113012345 还没到"),
    ("order", "订单123456789012已取消"),
    ("order", "售后单号 A1234567890 没人处理"),
    ("order", "工单号：20251130001"),
    ("order", "订单号13912345678001，请查一下"),
    ("order", "退款流水号 4200001234202511301234567890"),
    # tracking numbers
    ("tracking", "顺丰单号SF1234567890123，三天了没动"),
    ("tracking", "快递单号 YT8765432109876"),
    ("tracking", "中通 75312345678901 显示已签收"),
    ("tracking", "京东物流 JD0098765432101 还没到"),
    ("tracking", "EMS 1180123456789 查不到"),
    ("tracking", "极兔 JT0001234567890 一直在转运"),
    ("tracking", "申通 773123456789012 被退回"),
    ("tracking", "韵达 4312345678901 派送中"),
    ("tracking", "物流单号 9876543210123456"),
    # prices
    ("price", "价格1999元，便宜了300"),
    ("price", "实付¥1,299.00，比门店贵"),
    ("price", "原价￥2,499，现价1,899"),
    ("price", "花了 3,999.00 元买的"),
    ("price", "运费12.5元太贵"),
    ("price", "优惠券满200减30用不了"),
    ("price", "一共138元"),
    ("price", "会员价138.00元"),
    ("price", "退款 1380.00 元还没到账"),
    ("price", "充值1000元送138"),
    ("price", "¥13,800 的空调装了一个月就坏"),
    # dates
    ("date", "2025-11-30下的单"),
    ("date", "2025年11月30日收到货"),
    ("date", "11月3号到货的"),
    ("date", "2025.11.30 到现在还没发"),
    ("date", "2025/11/30 买的"),
    ("date", "双11买的，12月12号才到"),
    ("date", "20251130下单，20251205才收到"),
    ("date", "1949年10月1日"),
    ("date", "2025-11-30 14:30:00 下单"),
    ("date", "12.12 活动买的"),
    # times
    ("time", "14:30送到的"),
    ("time", "下午3:45才打电话过来"),
    ("time", "从12:00等到13:30"),
    ("time", "凌晨01:30还在配送"),
    ("time", "通话时长 00:45:12"),
    # versions
    ("version", "版本v2.3.1还是闪退"),
    ("version", "升级到3.2.1后闪退"),
    ("version", "APP 10.5.2 版本很卡"),
    ("version", "版本1.2.3.4更新后打不开"),
    ("version", "iOS 17.1.2 上闪退"),
    ("version", "固件 2.10.3.15 有问题"),
    ("version", "v1.0.0.1 测试版"),
    ("version", "Android 14 用不了"),
    # quantities
    ("quantity", "买了138件"),
    ("quantity", "充电宝20000mAh不够用"),
    ("quantity", "等了45分钟"),
    ("quantity", "一次买了2箱共24瓶"),
    ("quantity", "重量1.5kg"),
    ("quantity", "1380个赞"),
    ("quantity", "排队到了88号"),
    ("quantity", "第12345678901234号"),
    ("quantity", "积分13800000000分"),
    # model numbers
    ("model", "iPhone 15 Pro Max 发热"),
    ("model", "型号 RTX4090 缺货"),
    ("model", "型号XR-2000-B不对"),
    ("model", "小米13 Ultra 屏幕有问题"),
    ("model", "华为Mate60信号不好"),
    ("model", "空调型号 KFR-35GW/BpR3DN1"),
    ("model", "型号 A2846"),
    ("model", "冰箱BCD-520WDPD噪音大"),
    # percentages and scores
    ("percent", "满意度98.5%"),
    ("percent", "好评率99%"),
    ("percent", "打了8.5折"),
    ("percent", "涨了13.8%"),
    ("percent", "电量只剩15%"),
    ("percent", "评分10分，NPS 9分"),
    # ids and cards that fail their checks
    ("bad_id", f"身份证{BAD_ID}"),
    ("bad_id", "证件号 110105194912310021"),
    ("bad_id", "身份证 110105 19491331 002X"),
    ("bad_card", "卡号6222 0212 3456 7897"),
    ("bad_card", "卡号 6222021234567895"),
    ("bad_card", "会员卡号 8888 8888 8888 8888"),
    ("bad_card", "礼品卡 1234-5678-9012-3456"),
    # service numbers
    ("hotline", "客服热线400-820-8820"),
    ("hotline", "打了95588没人接"),
    ("hotline", "投诉电话12315"),
    ("hotline", "拨打800-810-8888"),
    ("hotline", "10086一直占线"),
    ("hotline", "服务热线 4006-789-000"),
    # honorifics without a surname
    ("honorific", "这位先生很有礼貌"),
    ("honorific", "快递师傅很辛苦"),
    ("honorific", "谢谢老师的耐心解答"),
    ("honorific", "感谢师傅"),
    ("honorific", "班主任老师很负责"),
    ("honorific", "出租车师傅绕路了"),
    ("honorific", "各位女士先生"),
    ("honorific", "前台小姐态度不好"),
    ("honorific", "客户经理没联系我"),
    ("honorific", "大堂经理处理得很好"),
    ("honorific", "维修师傅上门很准时"),
    ("honorific", "上周经理说会退款"),
    ("honorific", "一周老师都没回复"),
    ("honorific", "任何老师都可以"),
    ("honorific", "对方经理不同意"),
    ("honorific", "前任经理答应的"),
    ("honorific", "音乐老师推荐的"),
    ("honorific", "几分钟师傅就到了"),
    ("honorific", "老先生排了很久队"),
    ("honorific", "值班经理不在"),
    ("honorific", "保洁阿姨很认真"),
    ("honorific", "安装师傅说要加钱"),
    ("honorific", "高中老师推荐的"),
    ("honorific", "司机师傅很好"),
    ("honorific", "感谢老师"),
    ("honorific", "我先生说很好用"),
    # address-like words
    ("address_word", "路上堵车，晚了两天"),
    ("address_word", "一路颠簸，包装都破了"),
    ("address_word", "号码打不通"),
    ("address_word", "门店在商场三楼"),
    ("address_word", "地铁2号线出口附近"),
    ("address_word", "11号线坐到终点"),
    ("address_word", "小区门口的快递柜"),
    ("address_word", "公交26路"),
    ("address_word", "街道办不管"),
    ("address_word", "北京市区路况差"),
    ("address_word", "逛街的时候看到的"),
    ("address_word", "马路对面的店"),
    ("address_word", "上海市区送货很快"),
    ("address_word", "买了3室2厅的房子"),
    ("address_word", "万达广场3楼的店员"),
    ("address_word", "人民路店的店员很热情"),
    ("address_word", "第3号窗口"),
    ("address_word", "全市范围内都能送"),
    # other
    ("other", "@客服 小王 你好"),
    ("other", "great service, chat was quick"),
    ("other", "会员等级V3"),
    ("other", "用了3年，第1次坏"),
    ("other", "距离2.5公里"),
    ("other", "What a great app"),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize(("kind", "comment", "secret"), POSITIVES, ids=_ids(POSITIVES))
def test_positive_is_masked(kind, comment, secret):
    assert secret in comment  # the table itself is right
    out = redact_text(comment)
    assert secret not in out
    assert PLACEHOLDERS[kind] in out


@pytest.mark.parametrize(("kind", "comment"), NEGATIVES, ids=_ids(NEGATIVES))
def test_look_alike_is_unchanged(kind, comment):
    assert redact_text(comment) == comment


def test_table_size():
    assert len(POSITIVES) >= 100 and len(NEGATIVES) >= 100
    assert {k for k, _, _ in POSITIVES} == set(PLACEHOLDERS)


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("请打13812345678联系", "请打[手机号]联系"),
        ("电话 138-1234-5678 谢谢", "电话 [手机号] 谢谢"),
        ("+86 138 1234 5678", "[手机号]"),
        ("邮箱 zhang.wei@example.com 回复", "邮箱 [邮箱] 回复"),
        (f"身份证{ID2}", "身份证[身份证号]"),
        (f"卡号{CARD}", "卡号[银行卡号]"),
        ("卡号 6222 0212 3456 7894", "卡号 [银行卡号]"),
        ("座机010-12345678", "座机[座机号]"),
        ("(0755)1234567", "[座机号]"),
        ("手机：１３８１２３４５６７８，随时联系", "手机：[手机号]，随时联系"),
        ("０２１－６１２３４５６７转８", "[座机号]"),
        ("身份证号 110105 19491231 002X 麻烦", "身份证号 [身份证号] 麻烦"),
        ("邮箱 ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱 [邮箱]"),
        ("IP是 192.168.1.10，", "IP是 [IP地址]，"),
        ("感谢王经理和李小姐", "感谢[姓名]经理和[姓名]小姐"),
        ("寄到北京市朝阳区建国路88号3栋2单元501室，电话13800138000", "寄到[地址]，电话[手机号]"),
    ],
)
def test_exact_output(comment, expected):
    assert redact_text(comment) == expected


def test_placeholders_keep_the_rest_of_the_text_as_typed():
    # Full-width punctuation and spacing outside the masked span are not normalised.
    assert redact_text("（急）电话：１３８ ００１３ ８０００！") == "（急）电话：[手机号]！"


def test_redact_keeps_series_index_and_missing():
    s = pd.Series(["打13812345678", None, 3], index=[7, 9, 4], name="comment")
    out = redact(s)
    assert out.index.tolist() == [7, 9, 4] and out.name == "comment"
    assert out[7] == "打[手机号]" and pd.isna(out[9]) and out[4] == 3


def test_redact_list_and_str():
    assert redact(["王先生", None]) == ["[姓名]先生", None]
    assert redact("王先生") == "[姓名]先生"


def test_checks():
    assert luhn_valid(CARD_VISA) and not luhn_valid(CARD_VISA[:-1] + "7")
    assert resident_id_valid(ID1) and not resident_id_valid(BAD_ID)


def test_redact_masks_every_planted_item(sample_survey, truth):
    comments = sample_survey.data.set_index("resp_id")["comment"]
    for entry in truth["pii"]:
        assert entry["value"] not in redact(comments[entry["resp_id"]])
    for entry in truth["pii_decoys"]:
        assert entry["value"] in redact(comments[entry["resp_id"]])


def test_sample_comments_without_personal_data_are_unchanged(sample_survey, truth):
    """Only the comments with planted personal data change: no false alarm on the rest."""
    comments = sample_survey.data.set_index("resp_id")["comment"].dropna()
    planted = {entry["resp_id"] for entry in truth["pii"]}
    out = redact(comments)
    changed = set(comments.index[out != comments])
    assert changed == planted


def test_many_pieces_in_one_comment():
    one = "王经理的电话13800138000住建国路88号，"
    assert redact_text(one * 50) == "[姓名]经理的电话[手机号]住[地址]，" * 50

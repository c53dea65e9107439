"""A deterministic synthetic CX survey in Chinese, with known planted effects.

:func:`generate` returns the survey, its codebook and the ground truth of what
was planted; :func:`write_sample` writes the three files that ship in
``data/sample/``. Population values in the ground truth (true gaps, NPS per
wave, touchpoint means) are the expectations of the same generating process,
estimated from a separate draw of 400,000 respondents, so tests can check that
an estimate's confidence interval covers the truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["Sample", "generate", "write_sample", "resident_id_check_digit"]

WAVES = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
#: Latent shift of satisfaction per wave: Q4 improves markedly.
WAVE_SHIFT = {"2025Q1": 0.0, "2025Q2": 0.05, "2025Q3": 0.10, "2025Q4": 0.35}
REGIONS = {"华东": 0.34, "华北": 0.20, "华南": 0.20, "西部": 0.14, "港台": 0.12}
REGION_TARGET = {"华东": 0.30, "华北": 0.22, "华南": 0.22, "西部": 0.18, "港台": 0.08}
REGION_SHIFT = {"华东": 0.0, "华北": 0.0, "华南": 0.05, "西部": -0.15, "港台": 0.0}
CHANNELS = {"门店": 0.35, "官网": 0.20, "小程序": 0.30, "电话": 0.15}
CHANNEL_SHIFT = {"门店": 0.10, "官网": 0.0, "小程序": -0.40, "电话": -0.05}
TIERS = {"普通": 0.50, "银卡": 0.30, "金卡": 0.20}
TIER_TARGET = {"普通": 0.60, "银卡": 0.28, "金卡": 0.12}
TIER_SHIFT = {"普通": 0.0, "银卡": 0.10, "金卡": 0.35}

#: Driver column -> (label, planted regression weight on the latent outcome, planted shift
#: of its mean rating). Problem resolution and delivery speed matter most and perform worst:
#: the "fix first" drivers.
DRIVERS = {
    "d_resolve": ("问题解决", 0.32, -0.35),
    "d_quality": ("产品质量", 0.26, 0.30),
    "d_speed": ("配送速度", 0.21, -0.40),
    "d_staff": ("服务态度", 0.17, 0.20),
    "d_price": ("价格合理", 0.13, -0.10),
    "d_return": ("退换货便利", 0.10, 0.0),
    "d_app": ("小程序易用", 0.07, -0.20),
    "d_wait": ("等待时间", 0.045, 0.10),
    "d_info": ("信息清晰", 0.02, 0.15),
    "d_store": ("门店环境", 0.0, 0.35),
}
DRIVER_CORRELATION = 0.45

#: SERVQUAL dimension key -> label; items: (dimension, statement, planted latent gap).
DIMENSIONS = {"tan": "有形性", "rel": "可靠性", "res": "响应性", "ass": "保证性", "emp": "移情性"}
SERVQUAL_ITEMS = {
    "tan1": ("tan", "门店设施现代美观", 0.3),
    "tan2": ("tan", "员工着装整洁", 0.1),
    "rel1": ("rel", "按承诺时间提供服务", -1.2),
    "rel2": ("rel", "第一次就把事情做对", -0.9),
    "res1": ("res", "及时告知办理进度", -0.8),
    "res2": ("res", "迅速响应顾客请求", -0.6),
    "ass1": ("ass", "员工专业可信", -0.3),
    "ass2": ("ass", "交易让人放心", -0.2),
    "emp1": ("emp", "关注顾客个别需求", -0.5),
    "emp2": ("emp", "营业时间方便顾客", -0.4),
}
#: Mean points (of 100) allocated to the five dimensions.
IMPORTANCE_MEAN = {"tan": 10, "rel": 32, "res": 22, "ass": 19, "emp": 17}

#: Kano feature key -> (label, planted category, mix of respondents' categories).
KANO_FEATURES = {
    "app": ("小程序下单", "O", {"O": 0.55, "A": 0.15, "M": 0.15, "I": 0.15}),
    "home": ("送货上门", "M", {"M": 0.55, "O": 0.20, "A": 0.05, "I": 0.20}),
    "live": ("直播导购", "A", {"A": 0.50, "I": 0.30, "O": 0.10, "M": 0.10}),
    "points": ("会员积分", "I", {"I": 0.60, "A": 0.15, "O": 0.15, "M": 0.10}),
}
#: Answer pairs (functional, dysfunctional) typical of each category; 1 like .. 5 dislike.
KANO_ANSWERS = {
    "A": [(1, 3), (1, 4), (1, 2)],
    "O": [(1, 5)],
    "M": [(3, 5), (4, 5), (2, 5)],
    "I": [(3, 3), (4, 4), (3, 4), (4, 3)],
}

STAGES = ["认知", "考虑", "购买", "使用", "售后"]
#: Touchpoint column -> (label, stage, planted latent shift, share who experienced it).
TOUCHPOINTS = {
    "tp_ad": ("广告宣传", "认知", 0.0, 0.80),
    "tp_browse": ("线上浏览", "考虑", 0.15, 0.85),
    "tp_consult": ("售前咨询", "考虑", 0.05, 0.55),
    "tp_checkout": ("下单支付", "购买", 0.25, 1.00),
    "tp_delivery": ("配送到货", "使用", -0.80, 0.90),
    "tp_install": ("安装调试", "使用", -0.10, 0.50),
    "tp_callcenter": ("客服热线", "售后", 0.0, 0.45),
    "tp_return": ("退换货", "售后", -0.30, 0.25),
}

#: Purchase funnel of the event log: step -> planted probability of going on from the step
#: before (the first step is everyone). Cart -> order is the planted weakest link, weaker
#: still in the mini-program channel.
FUNNEL = {"访问": 1.0, "浏览商品": 0.85, "加入购物车": 0.60, "提交订单": 0.45, "完成支付": 0.90}
FUNNEL_MINIPROGRAM_ORDER = 0.30
#: Self-service (help centre, chatbot) planted rates among respondents who used it.
SELF_SERVICE = {
    "used": 0.55,
    "resolved": 0.62,
    "reuse_if_resolved": 0.80,
    "reuse_if_not": 0.30,
    "searched": 0.70,
    "opened_if_searched": 0.75,
}

#: Comment topics: key -> (prevalence among comments, positive snippets, negative snippets).
TOPICS = {
    "logistics": (
        0.30,
        ["物流很快，第二天就到了", "快递小哥送货上门很准时", "配送速度比预期快"],
        ["物流太慢了，等了一个星期才到", "快递一直不更新，配送太慢", "送货时间一拖再拖，很不满意"],
    ),
    "service": (
        0.25,
        ["客服态度非常好，耐心解答", "店员很热情，服务周到", "客服回复及时，很专业"],
        ["客服态度很差，爱理不理", "打了三次客服电话都没人解决", "店员服务态度冷淡，不耐烦"],
    ),
    "quality": (
        0.20,
        ["产品质量很好，做工精细", "质量不错，用了一个月没问题", "东西很结实，质量可靠"],
        ["质量太差了，用两天就坏了", "产品有瑕疵，做工粗糙", "质量不如以前，很失望"],
    ),
    "price": (
        0.15,
        ["性价比很高，价格实惠", "价格合理，活动力度大", "比别家便宜，很划算"],
        ["价格太贵了，不值这个价", "性价比不高，比别家贵", "优惠券用不了，感觉被坑"],
    ),
    "app": (
        0.12,
        ["小程序下单很方便", "APP界面简洁，操作顺畅", "小程序查订单很方便"],
        ["小程序老是闪退，下单失败", "APP太卡了，页面加载很慢", "小程序支付一直出错"],
    ),
    "returns": (
        0.10,
        ["退换货很顺利，退款也快", "七天无理由退货很省心", "换货流程简单"],
        ["退货流程太麻烦，退款迟迟不到", "申请退换货没人处理", "退款等了半个月还没到账"],
    ),
    "waiting": (
        0.10,
        ["基本不用排队，效率很高", "电话很快就接通了", "到店办理几分钟就好了"],
        ["排队等了一个多小时", "电话等待时间太长", "门店排队太久，效率很低"],
    ),
    "store": (
        0.08,
        ["门店环境干净整洁", "店里装修舒适，环境很好", "门店宽敞明亮"],
        ["门店环境又脏又乱", "店里太吵了，环境很差", "门店空调坏了，闷得不行"],
    ),
}
#: Staff survey: the same ratings ("how do our customers rate us on ...") asked of employees,
#: who see the service more favourably than customers do (planted latent optimism).
STAFF_ITEMS = ["d_resolve", "d_speed", "d_staff", "d_quality"]
STAFF_OPTIMISM = {"d_resolve": 0.9, "d_speed": 0.6, "d_staff": 0.3, "d_quality": 0.0}
STAFF_DEPTS = {"客服中心": 0.4, "门店": 0.35, "物流": 0.25}

#: Satisfaction-index battery (ECSI/CCSI style, 1-10): construct -> (item prefix, items as
#: (label, loading), mean answer). Drawn from its own generator so the other columns stay as
#: they were; construct codes are those of cxlab.index.templates.
INDEX_ITEMS = {
    "image": (
        "csi_img",
        [("品牌值得信赖", 0.85), ("品牌口碑良好", 0.80), ("品牌关心顾客", 0.75)],
        7.2,
    ),
    "expectation": (
        "csi_exp",
        [
            ("购买前对总体质量的期望", 0.80),
            ("购买前对满足需求的期望", 0.80),
            ("购买前对可靠性的期望", 0.70),
        ],
        7.4,
    ),
    "quality": (
        "csi_qual",
        [("实际质量的总体评价", 0.85), ("满足个人需求的程度", 0.85), ("产品与服务的可靠性", 0.80)],
        7.0,
    ),
    "value": (
        "csi_val",
        [("按价格衡量的质量", 0.85), ("按质量衡量的价格", 0.80), ("与同类相比的性价比", 0.80)],
        6.2,
    ),
    "satisfaction": (
        "csi_sat",
        [("总体满意程度", 0.90), ("与购买前期望相比", 0.80), ("与理想中的品牌相比", 0.80)],
        6.8,
    ),
    "loyalty": (
        "csi_loy",
        [("再次购买的可能性", 0.85), ("向亲友推荐的可能性", 0.80), ("涨价后仍会购买", 0.70)],
        6.6,
    ),
}
#: Planted standardised paths between the latent constructs (the CCSI model).
INDEX_PATHS = {
    ("image", "expectation"): 0.50,
    ("image", "satisfaction"): 0.15,
    ("image", "loyalty"): 0.25,
    ("expectation", "quality"): 0.55,
    ("expectation", "value"): 0.15,
    ("expectation", "satisfaction"): 0.10,
    ("quality", "value"): 0.50,
    ("quality", "satisfaction"): 0.45,
    ("value", "satisfaction"): 0.25,
    ("satisfaction", "loyalty"): 0.50,
}
#: Latent shift of perceived quality by wave and channel (the index rises in Q4 and is
#: lowest in the mini-program channel).
INDEX_QUALITY_SHIFT = {"wave": {"2025Q4": 0.30}, "channel": {"小程序": -0.35}}
INDEX_SCALE = 1.6  # answer points per latent standard deviation

COMMENT_SHARE = 0.65
PII_SHARE = 0.03

#: Close-the-loop plants (cxlab.loop), drawn from their own generator so that every other
#: cell stays as it was: detractors of the last wave without a comment get a complaint (some
#: threaten to escalate), and one region's last-wave comments gain a surge of refund complaints.
FOLLOWUP_DETRACTORS = 20
FOLLOWUP_ESCALATIONS = 6
SURGE = {"region": "华南", "wave": "2025Q4", "topic": "returns", "comments": 45}
#: The alert rules of the sample codebook: only the planted respondents meet them.
ALERTS = {
    "complaint": {
        "when": "nps <= 6 and comment mentions 投诉 and comment is negative",
        "priority": "high",
        "label": {"zh": "投诉的贬损者", "en": "Detractor with a complaint"},
    },
    "escalation": {
        "when": "comment mentions 12315|曝光 and not comment is positive",
        "priority": "urgent",
        "label": {"zh": "扬言升级投诉", "en": "Threatens to escalate"},
    },
}


@dataclass
class Sample:
    """A generated survey: ``data``, its ``codebook`` (a mapping) and ``truth``,
    plus the matching staff survey (``staff``, ``staff_codebook``)."""

    data: pd.DataFrame
    codebook: dict
    truth: dict
    staff: pd.DataFrame | None = None
    staff_codebook: dict | None = None
    events: pd.DataFrame | None = None


def resident_id_check_digit(first17: str) -> str:
    """Check digit of an 18-digit PRC resident identity number (GB 11643-1999, ISO 7064 MOD 11-2).

    The sample's comments carry planted identity numbers with valid check digits, so that the
    redaction of :mod:`cxlab.text` is tested on numbers a validator would accept.

    Parameters
    ----------
    first17 : str
        The first 17 digits (address code, birth date, sequence number).

    Returns
    -------
    str
        The 18th character: a digit, or ``"X"`` for 10.

    Notes
    -----
    With weights :math:`w_i = 2^{18-i} \\bmod 11` (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8,
    4, 2), the check value is :math:`(12 - \\sum_i d_i w_i \\bmod 11) \\bmod 11`.

    Examples
    --------
    >>> resident_id_check_digit("11010519491231002")
    'X'
    >>> resident_id_check_digit("44030119900101123")
    '4'
    """
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def _choice(rng: np.random.Generator, options: dict, n: int) -> np.ndarray:
    keys = list(options)
    p = np.array(list(options.values()), dtype=float)
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _scale(latent: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.round(latent), lo, hi)


def _numeric(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """The numeric part of the survey (everything but ids, weights and comments)."""
    out: dict[str, np.ndarray] = {}
    shift = _segments(rng, n, out)
    halo, satisfaction = _drivers(rng, n, shift, out)
    _servqual(rng, n, halo, shift, out)
    _importance_points(rng, n, out)
    _kano(rng, n, out)
    _touchpoints(rng, n, satisfaction, out)
    out["_satisfaction"] = satisfaction
    return out


def _segments(rng: np.random.Generator, n: int, out: dict) -> np.ndarray:
    """Wave, region, channel and tier into ``out``; returns each respondent's latent shift."""
    out["wave"] = np.asarray(WAVES, dtype=object)[rng.integers(0, len(WAVES), n)]
    out["region"] = _choice(rng, REGIONS, n)
    out["channel"] = _choice(rng, CHANNELS, n)
    out["member_tier"] = _choice(rng, TIERS, n)
    return (
        pd.Series(out["wave"]).map(WAVE_SHIFT).to_numpy()
        + pd.Series(out["region"]).map(REGION_SHIFT).to_numpy()
        + pd.Series(out["channel"]).map(CHANNEL_SHIFT).to_numpy()
        + pd.Series(out["member_tier"]).map(TIER_SHIFT).to_numpy()
    )


def _drivers(rng: np.random.Generator, n: int, shift: np.ndarray, out: dict):
    """Drivers, overall, NPS and effort into ``out``; returns (halo, satisfaction)."""
    # Drivers: equicorrelated latents (a general "halo" factor plus each driver's own part).
    rho = DRIVER_CORRELATION
    halo = rng.standard_normal(n)
    z = np.sqrt(rho) * halo[:, None] + np.sqrt(1 - rho) * rng.standard_normal((n, len(DRIVERS)))
    z += shift[:, None]
    beta = np.array([w for _, w, _ in DRIVERS.values()])
    satisfaction = z @ beta + 0.55 * rng.standard_normal(n)
    for j, (name, (_, _, offset)) in enumerate(DRIVERS.items()):
        out[name] = _scale(3.5 + offset + 0.95 * z[:, j], 1, 5)
    out["overall"] = _scale(3.6 + 1.25 * satisfaction, 1, 5)
    out["nps"] = _scale(7.2 + 2.6 * satisfaction + 0.9 * rng.standard_normal(n), 0, 10)
    out["effort"] = _scale(
        4.8 + 0.9 * z[:, 0] + 0.5 * z[:, list(DRIVERS).index("d_wait")] + rng.standard_normal(n),
        1,
        7,
    )
    return halo, satisfaction


def _servqual(rng: np.random.Generator, n: int, halo, shift, out: dict) -> None:
    """SERVQUAL: perception = expectation + planted gap + noise, on 1-7.

    A respondent's expectations share a common level and perceptions share the satisfaction
    halo, so each battery is a reliable scale, as real ones are.
    """
    exp_level = rng.standard_normal(n)
    for item, (_, _, gap) in SERVQUAL_ITEMS.items():
        exp_latent = 5.5 + 0.55 * exp_level + 0.55 * rng.standard_normal(n)
        out[f"exp_{item}"] = _scale(exp_latent, 1, 7)
        per_noise = 0.6 * (halo + shift) + 0.7 * rng.standard_normal(n)
        out[f"per_{item}"] = _scale(exp_latent + gap + per_noise, 1, 7)


def _importance_points(rng: np.random.Generator, n: int, out: dict) -> None:
    """Constant-sum importance: 100 points per respondent over IMPORTANCE_MEAN."""
    alpha = np.array(list(IMPORTANCE_MEAN.values()), dtype=float) / 100 * 40
    points = rng.dirichlet(alpha, n) * 100
    rounded = np.floor(points)
    # Largest-remainder rounding so each respondent's points sum to exactly 100.
    short = (100 - rounded.sum(axis=1)).astype(int)
    order = np.argsort(-(points - rounded), axis=1)
    for k in range(len(IMPORTANCE_MEAN)):
        rounded[np.arange(n), order[:, k]] += k < short
    for k, dim in enumerate(IMPORTANCE_MEAN):
        out[f"imp_{dim}"] = rounded[:, k]


def _kano(rng: np.random.Generator, n: int, out: dict) -> None:
    """Kano: each respondent's own category per feature, then a typical answer pair."""
    for key, (_, _, mix) in KANO_FEATURES.items():
        cats = _choice(rng, mix, n)
        f = np.empty(n)
        d = np.empty(n)
        for cat, pairs in KANO_ANSWERS.items():
            idx = np.flatnonzero(cats == cat)
            pick = rng.integers(0, len(pairs), idx.size)
            f[idx] = np.array([pairs[i][0] for i in pick])
            d[idx] = np.array([pairs[i][1] for i in pick])
        noise = rng.random(n) < 0.04  # careless answers: any pair at all
        f[noise] = rng.integers(1, 6, noise.sum())
        d[noise] = rng.integers(1, 6, noise.sum())
        out[f"kano_f_{key}"] = f
        out[f"kano_d_{key}"] = d


def _touchpoints(rng: np.random.Generator, n: int, satisfaction, out: dict) -> None:
    """Touchpoints: follow overall satisfaction; unexperienced ones are blank."""
    for name, (_, _, tshift, share) in TOUCHPOINTS.items():
        rating = _scale(3.7 + tshift + 0.7 * satisfaction + 0.8 * rng.standard_normal(n), 1, 5)
        rating[rng.random(n) > share] = np.nan
        out[name] = rating


def _index_latents(rng: np.random.Generator, wave, channel) -> dict[str, np.ndarray]:
    """Latent constructs of the index battery: the recursive model of INDEX_PATHS with
    residual variances that give every construct variance 1 (before the quality shift)."""
    cons = list(INDEX_ITEMS)
    n = len(wave)
    cov = np.zeros((len(cons), len(cons)))
    latent: dict[str, np.ndarray] = {}
    shift = (
        pd.Series(wave).map(INDEX_QUALITY_SHIFT["wave"]).fillna(0).to_numpy()
        + pd.Series(channel).map(INDEX_QUALITY_SHIFT["channel"]).fillna(0).to_numpy()
    )
    for k, c in enumerate(cons):
        beta = np.array([INDEX_PATHS.get((a, c), 0.0) for a in cons[:k]])
        explained = float(beta @ cov[:k, :k] @ beta) if k else 0.0
        cov[k, :k] = cov[:k, k] = cov[:k, :k] @ beta if k else []
        cov[k, k] = 1.0
        value = np.sqrt(1 - explained) * rng.standard_normal(n)
        for a, b in zip(cons[:k], beta, strict=True):
            value = value + b * latent[a]
        latent[c] = value + (shift if c == "quality" else 0.0)
    return latent


def _index_items(rng: np.random.Generator, wave, channel) -> dict[str, np.ndarray]:
    """Answers 1-10 to the index battery; 0.2% "don't know" (98) per item."""
    latent = _index_latents(rng, wave, channel)
    out: dict[str, np.ndarray] = {}
    for c, (prefix, items, mean) in INDEX_ITEMS.items():
        for k, (_, loading) in enumerate(items, start=1):
            z = loading * latent[c] + np.sqrt(1 - loading**2) * rng.standard_normal(len(wave))
            answer = _scale(mean + INDEX_SCALE * z, 1, 10)
            answer[rng.random(len(wave)) < 0.002] = 98
            out[f"{prefix}{k}"] = answer
    return out


def _index_truth(seed: int) -> dict:
    """Planted paths, and the PLS estimates they imply (a draw of 400,000, no "don't know")."""
    from cxlab.index import pls_pm

    rng = np.random.default_rng([seed, 7])
    n = 400_000
    wave = np.asarray(WAVES, dtype=object)[rng.integers(0, len(WAVES), n)]
    channel = _choice(rng, CHANNELS, n)
    pop = pd.DataFrame(_index_items(rng, wave, channel)).replace(98, np.nan)
    blocks = {c: [f"{p}{k}" for k in range(1, len(v) + 1)] for c, (p, v, _) in INDEX_ITEMS.items()}
    fit = pls_pm(pop, blocks, paths=list(INDEX_PATHS))
    return {
        "model": "ccsi",
        "scale": [1, 10],
        "blocks": blocks,
        "planted_paths": [{"from": a, "to": b, "path": v} for (a, b), v in INDEX_PATHS.items()],
        "population_paths": fit.paths.rename(columns={"estimate": "path"}).to_dict("records"),
        "quality_shift": INDEX_QUALITY_SHIFT,
        "notes": "planted_paths are standardised paths between the latent constructs; the PLS "
        "composites measure them with error, so PLS recovers population_paths (its estimate "
        "on 400,000 respondents of the same process: standardised items, path scheme).",
    }


def _staff(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Employees rating the service as they believe customers see it."""
    halo = rng.standard_normal(n)
    out = pd.DataFrame(
        {"staff_id": [f"S{i:04d}" for i in range(1, n + 1)], "dept": _choice(rng, STAFF_DEPTS, n)}
    )
    for name in STAFF_ITEMS:
        offset = DRIVERS[name][2]
        z = np.sqrt(DRIVER_CORRELATION) * halo + np.sqrt(
            1 - DRIVER_CORRELATION
        ) * rng.standard_normal(n)
        out[name] = _scale(3.5 + offset + STAFF_OPTIMISM[name] + 0.95 * z, 1, 5).astype(int)
    return out


def _staff_codebook() -> dict:
    return {
        "name": "员工视角调研（样例）：您认为顾客会如何评价我们？",
        "id": "staff_id",
        "segments": {"dept": "部门"},
        "items": {
            name: {"label": DRIVERS[name][0], "type": "scale", "min": 1, "max": 5}
            for name in STAFF_ITEMS
        },
    }


def _top2(values) -> float:
    return float(100 * (np.asarray(values) >= 4).mean())


def _population_truth(seed: int) -> dict:
    pop = pd.DataFrame(_numeric(np.random.default_rng([seed, 1]), 400_000))
    score = np.select([pop["nps"] >= 9, pop["nps"] <= 6], [100.0, -100.0], 0.0)
    nps_wave = pd.Series(score).groupby(pop["wave"]).mean()
    gaps = {
        item: float((pop[f"per_{item}"] - pop[f"exp_{item}"]).mean()) for item in SERVQUAL_ITEMS
    }
    dim_gaps = {
        dim: float(np.mean([gaps[i] for i, v in SERVQUAL_ITEMS.items() if v[0] == dim]))
        for dim in DIMENSIONS
    }
    tp_means = {name: float(pop[name].mean()) for name in TOUCHPOINTS}
    staff = _staff(np.random.default_rng([seed, 2]), 400_000)
    return {
        "nps_by_wave": {w: float(v) for w, v in nps_wave.items()},
        "nps_by_channel": {
            c: float(v) for c, v in pd.Series(score).groupby(pop["channel"]).mean().items()
        },
        "overall_mean": float(pop["overall"].mean()),
        "servqual_item_gaps": gaps,
        "servqual_dimension_gaps": dim_gaps,
        "touchpoint_means": tp_means,
        "top2_customer": {name: _top2(pop[name].dropna()) for name in STAFF_ITEMS},
        "top2_staff": {name: _top2(staff[name]) for name in STAFF_ITEMS},
    }


def _comments(rng: np.random.Generator, satisfaction: np.ndarray, region: np.ndarray, ids):
    n = len(satisfaction)
    keys = list(TOPICS)
    prevalence = np.array([TOPICS[k][0] for k in keys])
    has_comment = rng.random(n) < COMMENT_SHARE
    texts = np.full(n, None, dtype=object)
    topic_rows: dict[str, list[str]] = {k: [] for k in keys}
    negative_p = 1 / (1 + np.exp(2.2 * (satisfaction - 0.1)))
    pii: list[dict] = []
    decoys: list[dict] = []
    from opencc import OpenCC

    to_traditional = OpenCC("s2t")
    for i in np.flatnonzero(has_comment):
        chosen = [k for k, p in zip(keys, prevalence, strict=True) if rng.random() < p]
        if not chosen:
            chosen = [keys[rng.choice(len(keys), p=prevalence / prevalence.sum())]]
        parts = []
        for k in chosen:
            negative = rng.random() < negative_p[i]
            pool = TOPICS[k][2] if negative else TOPICS[k][1]
            parts.append(pool[rng.integers(0, len(pool))])
            topic_rows[k].append(ids[i])
        text = "，".join(parts) + "。"
        r = rng.random()
        if r < PII_SHARE:
            kind = ("mobile", "email", "resident_id")[int(rng.integers(0, 3))]
            if kind == "mobile":
                value = (
                    "1"
                    + str(rng.choice([3, 5, 7, 8, 9]))
                    + "".join(map(str, rng.integers(0, 10, 9)))
                )
                text += f"有问题请打我电话{value}。"
            elif kind == "email":
                value = f"user{int(rng.integers(100, 9999))}@example.com"
                text += f"我的邮箱是{value}，请回复。"
            else:
                body = f"110105{int(rng.integers(1960, 2005))}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}{int(rng.integers(100, 999))}"
                value = body + resident_id_check_digit(body)
                text += f"身份证号{value}，麻烦核实。"
            pii.append({"resp_id": ids[i], "type": kind, "value": value})
        elif r < PII_SHARE + 0.02:
            # Decoys that a redactor must leave alone: order numbers and prices.
            order = "2025" + "".join(map(str, rng.integers(0, 10, 12)))
            text += f"订单号{order}，实付199元。"
            decoys.append({"resp_id": ids[i], "type": "order_number", "value": order})
        if region[i] == "港台":
            text = to_traditional.convert(text)
        texts[i] = text
    truth = {
        "share_with_comment": COMMENT_SHARE,
        "prevalence": {k: TOPICS[k][0] for k in keys},
        "respondents": topic_rows,
        "script": "comments from region 港台 are in traditional script, the rest simplified",
    }
    return texts, truth, pii, decoys


def _submitted(rng: np.random.Generator, wave: np.ndarray) -> np.ndarray:
    """A submit time inside each respondent's wave (a calendar quarter)."""
    start = pd.PeriodIndex(wave.astype(str), freq="Q").start_time
    span = pd.PeriodIndex(wave.astype(str), freq="Q").end_time - start
    offset = (rng.random(len(wave)) * span.total_seconds().to_numpy()).astype("timedelta64[s]")
    times = pd.Series((start.to_numpy() + offset).astype("datetime64[s]"))
    return times.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)


def _plant_followups(rng: np.random.Generator, data: pd.DataFrame, topic_rows: dict) -> dict:
    """Complaints of last-wave detractors and a refund surge in one region (see ALERTS)."""
    from opencc import OpenCC

    to_traditional = OpenCC("s2t")
    last = WAVES[-1]
    nps = pd.to_numeric(data["nps"], errors="coerce")
    pool = np.flatnonzero(
        (data["wave"] == last).to_numpy()
        & (nps <= 6).to_numpy()
        & data["comment"].isna().to_numpy()
    )
    chosen = np.sort(rng.choice(pool, size=min(FOLLOWUP_DETRACTORS, pool.size), replace=False))
    escalate = set(chosen[:FOLLOWUP_ESCALATIONS].tolist())
    keys = list(TOPICS)
    for i in chosen:
        topic = keys[int(rng.integers(0, len(keys)))]
        gripe = TOPICS[topic][2][int(rng.integers(0, 3))]
        text = (
            f"{gripe}，我要投诉，再不处理就打12315。" if i in escalate else f"我要投诉！{gripe}。"
        )
        if data.at[i, "region"] == "港台":
            text = to_traditional.convert(text)
        data.at[i, "comment"] = text
        topic_rows[topic].append(data.at[i, "resp_id"])
    returns = set(topic_rows[SURGE["topic"]])
    surge_pool = np.flatnonzero(
        (data["region"] == SURGE["region"]).to_numpy()
        & (data["wave"] == SURGE["wave"]).to_numpy()
        & data["comment"].notna().to_numpy()
        & ~data["resp_id"].isin(returns).to_numpy()
    )
    surge_pool = np.setdiff1d(surge_pool, chosen)
    surged = np.sort(
        rng.choice(surge_pool, size=min(SURGE["comments"], surge_pool.size), replace=False)
    )
    for i in surged:
        data.at[i, "comment"] += TOPICS[SURGE["topic"]][2][int(rng.integers(0, 3))] + "。"
        topic_rows[SURGE["topic"]].append(data.at[i, "resp_id"])
    for k in topic_rows:
        topic_rows[k] = sorted(set(topic_rows[k]))
    ids = data["resp_id"]
    return {
        "alerts": ALERTS,
        "owner": "region",
        "detractors": sorted(ids.iloc[chosen]),
        "escalations": sorted(ids.iloc[sorted(escalate)]),
        "surge": {**SURGE, "respondents": sorted(ids.iloc[surged])},
        "stable": "every other region's topic shares, comment volume and NPS keep their "
        "generating process across the waves",
        "changed_cells": "only `comment`: set on the detractors (who had none), appended to on "
        "the surge respondents; `submitted` is a new column",
    }


def _self_service(rng: np.random.Generator, n: int, satisfaction: np.ndarray) -> pd.DataFrame:
    """Self-service use and outcomes; blank where a question did not apply."""
    ss = SELF_SERVICE
    used = rng.random(n) < ss["used"]
    resolved = used & (rng.random(n) < ss["resolved"])
    reuse_p = np.where(resolved, ss["reuse_if_resolved"], ss["reuse_if_not"])
    reused = rng.random(n) < reuse_p
    feedback = np.select(
        [
            rng.random(n) < np.where(resolved, 0.55, 0.10),
            rng.random(n) < np.where(resolved, 0.05, 0.45),
        ],
        [1, -1],
        0,
    )
    searched = used & (rng.random(n) < ss["searched"])
    opened = searched & (rng.random(n) < ss["opened_if_searched"])
    sat = _scale(3.0 + 1.2 * resolved + 0.5 * satisfaction + 0.8 * rng.standard_normal(n), 1, 5)

    def only(mask, values):
        return np.where(mask, values, np.nan)

    return pd.DataFrame(
        {
            "ss_used": used.astype(int),
            "ss_resolved": only(used, resolved.astype(int)),
            "ss_reused": only(used, reused.astype(int)),
            "ss_feedback": only(used, feedback),
            "ss_searched": only(used, searched.astype(int)),
            "ss_opened": only(searched, opened.astype(int)),
            "ss_sat": only(used, sat),
        }
    )


def _events(rng: np.random.Generator, ids: list[str], channel: np.ndarray, wave: np.ndarray):
    """A purchase-funnel event log with the oddities real logs have, and the true reach of each step."""
    n = len(ids)
    start = pd.to_datetime(
        pd.Series(wave).str.replace(
            r"Q(\d)", lambda m: f"-{3 * int(m.group(1)) - 2:02d}-01", regex=True
        )
    )
    t0 = start.to_numpy() + (rng.random(n) * 80 * 86400).astype("timedelta64[s]")
    rows, reach_counts, reached = _funnel_rows(rng, np.asarray(ids), channel, t0)
    odd = _odd_rows(rng, np.asarray(ids), t0, reached, rows)
    events = (
        pd.concat(rows, ignore_index=True)
        .sort_values(["timestamp", "customer_id"], kind="stable")
        .reset_index(drop=True)
    )
    events["timestamp"] = events["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    truth = {
        "steps": list(FUNNEL),
        "planted_conversion": FUNNEL,
        "miniprogram_order": FUNNEL_MINIPROGRAM_ORDER,
        "customers_reaching": reach_counts,
        "weakest_step": "提交订单",
        "untracked_step": "客服咨询",
        "out_of_order_payments": int(odd.size),
    }
    return events, truth


def _funnel_rows(rng: np.random.Generator, ids: np.ndarray, channel: np.ndarray, t0: np.ndarray):
    """The funnel's events step by step: (row frames, customers reaching each step, reached)."""
    n = len(ids)
    reached = np.ones(n, bool)
    rows = []
    reach_counts = {}
    now = t0.copy()
    for k, step in enumerate(FUNNEL):
        if k:
            p = np.full(n, FUNNEL[step])
            if step == "提交订单":
                p[channel == "小程序"] = FUNNEL_MINIPROGRAM_ORDER
            reached &= rng.random(n) < p
            gap = (rng.exponential(20 * 60, n)).astype("timedelta64[s]")
            tie = rng.random(n) < 0.02  # two steps logged in the same second
            now = now + np.where(tie, np.timedelta64(0, "s"), gap)
        reach_counts[step] = int(reached.sum())
        idx = np.flatnonzero(reached)
        rows.append(pd.DataFrame({"customer_id": ids[idx], "step": step, "timestamp": now[idx]}))
        # Some customers repeat a step a little later (a second view, a retried payment).
        rep = idx[rng.random(idx.size) < 0.05]
        rows.append(
            pd.DataFrame(
                {
                    "customer_id": ids[rep],
                    "step": step,
                    "timestamp": now[rep] + np.timedelta64(90, "s"),
                }
            )
        )
    return rows, reach_counts, reached


def _odd_rows(rng: np.random.Generator, ids: np.ndarray, t0, reached, rows: list) -> np.ndarray:
    """Append the noise rows to ``rows``; returns the out-of-order payers' positions.

    Out-of-order noise: a payment callback logged before any order, for customers who never
    ordered; and service chats, an event type the funnel does not track.
    """
    never = np.flatnonzero(~reached)
    odd = never[rng.random(never.size) < 0.02]
    rows.append(
        pd.DataFrame(
            {
                "customer_id": ids[odd],
                "step": "完成支付",
                "timestamp": t0[odd] - np.timedelta64(3600, "s"),
            }
        )
    )
    chat = np.flatnonzero(rng.random(len(ids)) < 0.1)
    rows.append(
        pd.DataFrame(
            {
                "customer_id": ids[chat],
                "step": "客服咨询",
                "timestamp": t0[chat] + np.timedelta64(600, "s"),
            }
        )
    )
    return odd


def _weights(region: np.ndarray, tier: np.ndarray) -> np.ndarray:
    """Cell weights so region and tier shares match their population targets."""
    cells = pd.DataFrame({"region": region, "tier": tier})
    share = cells.value_counts(normalize=True)
    target = {(r, t): REGION_TARGET[r] * TIER_TARGET[t] for r in REGION_TARGET for t in TIER_TARGET}
    w = np.array([target[(r, t)] / share[(r, t)] for r, t in zip(region, tier, strict=True)])
    return np.round(w / w.mean(), 4)


def _index_codebook() -> dict:
    """Codebook entries of the index battery, tagged with their construct."""
    return {
        f"{prefix}{k}": {"label": label, "type": "scale", "min": 1, "max": 10, "construct": c}
        for c, (prefix, battery, _) in INDEX_ITEMS.items()
        for k, (label, _) in enumerate(battery, start=1)
    }


def _codebook() -> dict:
    items: dict[str, dict] = {
        "nps": {"label": "推荐意愿", "type": "nps"},
        "overall": {"label": "总体满意度", "type": "scale", "min": 1, "max": 5, "role": "outcome"},
        "effort": {"label": "办理省力程度", "type": "scale", "min": 1, "max": 7, "role": "effort"},
    }
    for name, (label, _, _) in DRIVERS.items():
        items[name] = {"label": label, "type": "scale", "min": 1, "max": 5, "role": "driver"}
    items.update(_servqual_codebook())
    items.update(_battery_codebook())
    items.update(_self_service_codebook())
    items["comment"] = {"label": "开放意见", "type": "text"}
    items.update(_index_codebook())
    return {
        "name": "零售全渠道顾客体验调研（样例）",
        "id": "resp_id",
        "weight": "weight",
        "wave": "wave",
        "submitted": "submitted",
        "segments": {"region": "地区", "channel": "渠道", "member_tier": "会员等级"},
        "labels": {
            "resp_id": "受访者编号",
            "wave": "调研波次",
            "weight": "权重",
            "submitted": "提交时间",
        },
        "missing_codes": [98, 99],
        "stages": STAGES,
        "items": items,
        "owner": "region",
        "alerts": ALERTS,
    }


def _servqual_codebook() -> dict:
    """Codebook entries of the SERVQUAL battery: expectation and perception per item."""
    items: dict[str, dict] = {}
    for item, (dim, text, _) in SERVQUAL_ITEMS.items():
        items[f"exp_{item}"] = {
            "label": f"期望：{text}",
            "type": "scale",
            "min": 1,
            "max": 7,
            "role": "expectation",
            "dimension": DIMENSIONS[dim],
            "pair": f"per_{item}",
        }
        items[f"per_{item}"] = {
            "label": f"感知：{text}",
            "type": "scale",
            "min": 1,
            "max": 7,
            "role": "perception",
            "dimension": DIMENSIONS[dim],
        }
    return items


def _battery_codebook() -> dict:
    """Codebook entries of the importance points, the Kano pairs and the touchpoints."""
    items: dict[str, dict] = {}
    for dim, label in DIMENSIONS.items():
        items[f"imp_{dim}"] = {
            "label": f"重要性分配：{label}",
            "type": "numeric",
            "min": 0,
            "max": 100,
            "role": "importance",
            "dimension": label,
            "missing_codes": [],
        }
    for key, (label, _, _) in KANO_FEATURES.items():
        items[f"kano_f_{key}"] = {
            "label": f"{label}（具备时）",
            "type": "kano",
            "role": "functional",
            "feature": label,
        }
        items[f"kano_d_{key}"] = {
            "label": f"{label}（不具备时）",
            "type": "kano",
            "role": "dysfunctional",
            "feature": label,
        }
    for name, (label, stage, _, _) in TOUCHPOINTS.items():
        items[name] = {
            "label": label,
            "type": "scale",
            "min": 1,
            "max": 5,
            "role": "touchpoint",
            "stage": stage,
        }
    return items


def _self_service_codebook() -> dict:
    """Codebook entries of the self-service questions."""
    ss_items = {
        "ss_used": ("是否使用过自助服务", "binary"),
        "ss_resolved": ("自助服务解决了问题", "binary"),
        "ss_reused": ("再次遇到问题时仍先用自助服务", "binary"),
        "ss_searched": ("在帮助中心搜索过", "binary"),
        "ss_opened": ("打开了搜索结果", "binary"),
    }
    items: dict[str, dict] = {
        name: {"label": label, "type": kind, "role": "self_service"}
        for name, (label, kind) in ss_items.items()
    }
    items["ss_feedback"] = {
        "label": "对答案的评价（1 有用，-1 没用，0 未评价）",
        "type": "numeric",
        "min": -1,
        "max": 1,
        "role": "self_service",
    }
    items["ss_sat"] = {
        "label": "自助服务满意度",
        "type": "scale",
        "min": 1,
        "max": 5,
        "role": "self_service",
    }
    return items


def generate(*, n: int = 5000, seed: int = 0) -> Sample:
    """Generate the synthetic survey.

    Parameters
    ----------
    n : int
        Respondents.
    seed : int
        Seed; the same ``(n, seed)`` always gives the same survey.

    Returns
    -------
    Sample
        ``data`` (one row per respondent, columns as in the codebook; 98 = "不清楚"
        and 99 = "拒答" appear in a few answers), ``codebook`` (a mapping, as the
        YAML file holds it) and ``truth`` (what was planted; see the module docstring);
        ``staff`` and ``staff_codebook``, the staff survey asking the same questions; ``events``,
        the event log of the purchase funnel (``customer_id``, ``step``, ``timestamp``).

    Examples
    --------
    >>> s = generate(n=200, seed=1)  # a few seconds: the ground truth simulates a population
    >>> s.data.shape, s.data["resp_id"].iloc[-1], s.truth["generator"]
    ((200, 87), 'R00200', {'function': 'cxlab.sample.generate', 'n': 200, 'seed': 1})
    >>> list(s.events.columns)
    ['customer_id', 'step', 'timestamp']
    """
    if n < 50:
        raise ValueError(f"`n` should be at least 50 so every segment is present, not {n}.")
    data, planted = _survey_data(n, seed)
    ids = data["resp_id"].tolist()
    staff = _staff(np.random.default_rng([seed, 3]), max(60, n // 16))
    events, funnel_truth = _events(
        np.random.default_rng([seed, 5]), ids, data["channel"].to_numpy(), data["wave"].to_numpy()
    )
    truth = _truth(n, seed, planted)
    truth["funnel"] = funnel_truth
    truth["self_service"] = SELF_SERVICE
    truth["staff"] = {"optimism": STAFF_OPTIMISM, "items": STAFF_ITEMS}
    truth["index"] = _index_truth(seed)
    truth["followup"] = planted["followup"]
    return Sample(
        data=data,
        codebook=_codebook(),
        truth=truth,
        staff=staff,
        staff_codebook=_staff_codebook(),
        events=events,
    )


def _survey_data(n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """The respondents' answers, and what was planted in them (topics, pii, decoys, followup)."""
    rng = np.random.default_rng(seed)
    num = _numeric(rng, n)
    ids = [f"R{i:05d}" for i in range(1, n + 1)]
    satisfaction = num.pop("_satisfaction")
    data = pd.DataFrame({"resp_id": ids})
    for col in ("wave", "region", "channel", "member_tier"):
        data[col] = num.pop(col)
    data["weight"] = _weights(data["region"].to_numpy(), data["member_tier"].to_numpy())
    for col, values in num.items():
        data[col] = values
    # "Don't know" (98) on some driver and touchpoint answers, "refused" (99) on NPS.
    for col in [*DRIVERS, "tp_consult"]:
        dk = (rng.random(n) < 0.015) & data[col].notna()
        data.loc[dk, col] = 98
    data.loc[rng.random(n) < 0.005, "nps"] = 99
    comments, topic_truth, pii, decoys = _comments(
        rng, satisfaction, data["region"].to_numpy(), ids
    )
    ss = _self_service(np.random.default_rng([seed, 4]), n, satisfaction)
    for col in ss.columns:
        data[col] = ss[col]
    data["comment"] = comments
    index_items = _index_items(
        np.random.default_rng([seed, 6]), data["wave"].to_numpy(), data["channel"].to_numpy()
    )
    for col, values in index_items.items():
        data[col] = values
    numeric_cols = [
        c
        for c in data.columns
        if c not in ("resp_id", "wave", "region", "channel", "member_tier", "weight", "comment")
    ]
    data[numeric_cols] = data[numeric_cols].astype("Int64")
    plants = np.random.default_rng([seed, 8])
    followup_truth = _plant_followups(plants, data, topic_truth["respondents"])
    data["submitted"] = _submitted(plants, data["wave"].to_numpy())
    planted = {"topics": topic_truth, "pii": pii, "pii_decoys": decoys, "followup": followup_truth}
    return data, planted


def _truth(n: int, seed: int, planted: dict) -> dict:
    """The ground truth of the survey part, up to and including the planted comments."""
    names = list(DRIVERS)
    return {
        "generator": {"function": "cxlab.sample.generate", "n": n, "seed": seed},
        "notes": "Population values are expectations of the generating process, estimated "
        "from a separate draw of 400,000 respondents (unweighted, sample composition).",
        "drivers": {
            "outcome": "overall",
            "weights": {k: w for k, (_, w, _) in DRIVERS.items()},
            "mean_shift": {k: m for k, (_, _, m) in DRIVERS.items()},
            "fix_first": ["d_resolve", "d_speed"],
            "rank": sorted(names, key=lambda k: -DRIVERS[k][1]),
            "correlation": DRIVER_CORRELATION,
        },
        "segments": {
            "wave_shift": WAVE_SHIFT,
            "channel_shift": CHANNEL_SHIFT,
            "tier_shift": TIER_SHIFT,
            "region_shift": REGION_SHIFT,
        },
        "weighting_targets": {"region": REGION_TARGET, "member_tier": TIER_TARGET},
        "population": _population_truth(seed),
        "servqual": {
            "planted_latent_gaps": {k: v[2] for k, v in SERVQUAL_ITEMS.items()},
            "largest_gap_dimension": DIMENSIONS["rel"],
        },
        "kano": {label: cat for _, (label, cat, _) in KANO_FEATURES.items()},
        "touchpoints": {
            "weakest": "tp_delivery",
            "planted_shift": {k: v[2] for k, v in TOUCHPOINTS.items()},
        },
        "topics": planted["topics"],
        "pii": planted["pii"],
        "pii_decoys": planted["pii_decoys"],
    }


def write_sample(out_dir: str | Path, *, n: int = 5000, seed: int = 0) -> dict[str, Path]:
    """Write the sample survey of :func:`generate` to ``out_dir``, as ``data/sample/`` ships it.

    Parameters
    ----------
    out_dir : str or Path
        The folder (made if missing; files there are overwritten).
    n, seed : int
        As for :func:`generate`; the defaults give the sample that ships.

    Returns
    -------
    dict of str to Path
        ``data``: ``survey.csv`` (UTF-8); ``codebook``: ``codebook.yaml``; ``truth``:
        ``ground_truth.json``; ``staff``: ``staff.csv`` with ``staff_codebook``:
        ``staff.codebook.yaml``; ``events``: ``events.csv``, the event log.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     paths = write_sample(out, n=200, seed=1)
    ...     print(*sorted(p.name for p in paths.values()))
    codebook.yaml events.csv ground_truth.json staff.codebook.yaml staff.csv survey.csv
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sample = generate(n=n, seed=seed)
    paths = {
        "data": out / "survey.csv",
        "codebook": out / "codebook.yaml",
        "truth": out / "ground_truth.json",
        "staff": out / "staff.csv",
        "staff_codebook": out / "staff.codebook.yaml",
        "events": out / "events.csv",
    }
    sample.events.to_csv(paths["events"], index=False, encoding="utf-8", lineterminator="\n")
    header = "# Codebook of the generated sample survey (cxlab.sample.generate); see DESIGN.md.\n"
    for frame, book, key in (
        (sample.data, sample.codebook, "data"),
        (sample.staff, sample.staff_codebook, "staff"),
    ):
        frame.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")
        book_path = paths["codebook" if key == "data" else "staff_codebook"]
        book_path.write_text(
            header + yaml.safe_dump(book, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
    paths["truth"].write_text(
        json.dumps(sample.truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return paths

"""Voice of the customer: Chinese open comments.

Normalisation (full-width forms, whitespace, emoji, traditional to simplified
for analysis only), jieba segmentation with a CX domain dictionary, keywords,
lexicon-and-rules sentiment, topic tagging against a taxonomy, personal-data
redaction, and :func:`analyze`, which does it all on a pandas Series, on
several processes, or on dask with the same results.

Every verbatim that reaches a notebook output or a report goes through
:func:`redact` first. Resources (lexicons, dictionary, taxonomy) live in
``cxlab/resources/`` and are loaded once per process.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxlab.paths import RESOURCES

__all__ = [
    "PLACEHOLDERS",
    "analyze",
    "keywords",
    "luhn_valid",
    "normalize",
    "redact",
    "resident_id_valid",
    "script",
    "segment",
    "sentiment",
    "topic_summary",
    "topics",
]

# -- normalisation ----------------------------------------------------------------------------------

_EMOJI_WORDS = {
    "👍": " 赞 ",
    "👏": " 赞 ",
    "❤": " 喜欢 ",
    "😊": " 开心 ",
    "😄": " 开心 ",
    "😁": " 开心 ",
    "😀": " 开心 ",
    "🥰": " 喜欢 ",
    "😍": " 喜欢 ",
    "😂": " ",
    "👎": " 差 ",
    "😡": " 生气 ",
    "😠": " 生气 ",
    "😤": " 生气 ",
    "😭": " 难过 ",
    "😢": " 难过 ",
    "😞": " 失望 ",
    "😒": " 失望 ",
    "🙄": " 无语 ",
    "💩": " 垃圾 ",
}
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _opencc_table(name: str) -> dict[str, str]:
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / name
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        src, _, dst = line.partition("\t")
        if len(src) == 1 and dst:
            table[src] = dst.split()[0]
    return table


@functools.cache
def _tables() -> tuple[dict[int, str], frozenset[str]]:
    """One str.translate table (full-width -> ASCII, emoji -> words, traditional -> simplified)
    and the set of characters that only traditional script uses."""
    t2s = {k: v for k, v in _opencc_table("TSCharacters.txt").items() if k != v}
    simplified = set(_opencc_table("STCharacters.txt"))
    table: dict[int, str] = {ord(k): v for k, v in t2s.items()}
    table.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # full-width ASCII
    table[0x3000] = " "  # ideographic space
    table.update({ord(k): v for k, v in _EMOJI_WORDS.items()})
    traditional_only = frozenset(k for k in t2s if k not in simplified)
    return table, traditional_only


def _normalize_one(text: str) -> str:
    table, _ = _tables()
    text = text.translate(table)
    text = _EMOJI.sub(" ", text)
    return _SPACE.sub(" ", text).strip().lower()


def _script_one(text: str) -> str:
    _, trad = _tables()
    if not _CJK.search(text):
        return "none"
    return "traditional" if not trad.isdisjoint(text) else "simplified"


def _each(texts, fn, name: str):
    if isinstance(texts, str):
        return fn(texts)
    if isinstance(texts, pd.Series):
        return texts.map(lambda t: fn(t) if isinstance(t, str) else t).rename(texts.name or name)
    return [fn(t) if isinstance(t, str) else t for t in texts]


def normalize(texts):
    """Text ready for analysis: full-width letters, digits and punctuation made half-width,
    emoji turned into words (👍 -> 赞) or removed, whitespace collapsed, lower case, and
    traditional characters converted to simplified (OpenCC's character table).

    The original text is what a reader should see; this is only for analysis.
    Returns the same kind as given (str, list or Series with its index).
    """
    return _each(texts, _normalize_one, "normalized")


def script(texts):
    """``"traditional"`` if a text uses characters found only in traditional script,
    ``"simplified"`` if it has Chinese characters otherwise, ``"none"`` without Chinese."""
    return _each(texts, _script_one, "script")


# -- resources and segmentation ------------------------------------------------------------------


def _read_tsv(name: str) -> dict[str, float]:
    out = {}
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, value = line.partition("\t")
        out[word.strip()] = float(value) if value.strip() else 1.0
    return out


@functools.cache
def _lexicon() -> tuple[
    dict[str, float], dict[str, float], frozenset[str], frozenset[str], frozenset[str]
]:
    stop = frozenset(
        w.strip()
        for w in (RESOURCES / "stopwords.txt").read_text(encoding="utf-8").splitlines()
        if w.strip()
    )
    return (
        _read_tsv("sentiment_lexicon.tsv"),
        _read_tsv("degree_words.tsv"),
        frozenset(_read_tsv("negation_words.tsv")),
        frozenset(_read_tsv("contrast_words.tsv")),
        stop,
    )


@functools.cache
def tokenizer(extra_words: tuple[str, ...] = ()):
    """A jieba tokenizer with the CX dictionary and the sentiment vocabulary, built once per process.

    Parameters
    ----------
    extra_words : tuple of str
        More words to keep whole (from the codebook or a notebook parameter).
    """
    try:
        import jieba
    except ImportError as e:  # pragma: no cover - jieba is a declared dependency
        raise ImportError(
            "Chinese text analysis needs `jieba`, which is not installed; it is listed in environment.yml."
        ) from e
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    tok.load_userdict(str(RESOURCES / "cx_dict.txt"))
    lex, degree, neg, contrast, _ = _lexicon()
    for word in [*lex, *degree, *neg, *contrast, *extra_words]:
        if len(word) > 1:
            tok.add_word(word, freq=max(tok.FREQ.get(word, 0), 2000))
    return tok


def _tokens(normalized: str, extra: tuple[str, ...] = ()) -> list[str]:
    return tokenizer(extra).lcut(normalized)


def segment(texts, *, extra_words: Sequence[str] = ()):
    """Words of each text (normalised first), with jieba and the CX dictionary."""
    extra = tuple(extra_words)
    return _each(texts, lambda t: _tokens(_normalize_one(t), extra), "tokens")


# -- sentiment --------------------------------------------------------------------------------------

_CLAUSE_END = frozenset("，,。.！!？?；;～~…\n、：: ")
#: A negated sentiment word flips sign and loses some force ("不好" is milder than "差").
NEGATION_FACTOR = -0.8
#: Weight of what follows a contrast word ("但是") and of what came before it.
AFTER_CONTRAST, BEFORE_CONTRAST = 1.5, 0.6
#: Single-character negators that jieba can glue to the word after them.
_NEG_PREFIX = frozenset("不没无非别未")
#: |score| below this is neutral.
NEUTRAL_BAND = 0.1


def _sentiment_tokens(tokens: list[str]) -> float:
    """Raw sentiment of a tokenised text (before squashing to [-1, 1])."""
    lex, degree, neg, contrast, _ = _lexicon()
    clauses: list[list[float]] = [[]]
    total_before: list[float] = []
    neg_count, mult = 0, 1.0
    for tok in tokens:
        if tok in _CLAUSE_END or tok.isspace():
            clauses.append([])
            neg_count, mult = 0, 1.0
            continue
        if tok in contrast:
            # Everything said so far counts less; this clause on counts more.
            total_before.extend(v * BEFORE_CONTRAST for c in clauses for v in c)
            clauses = [[]]
            clauses[0].append(float("nan"))  # marker: weight this clause up
            if tok in lex:
                clauses[0].append(lex[tok])
            continue
        if tok in neg:
            neg_count += 1
            if tok in degree:
                mult *= degree[tok]
            continue
        if tok in degree:
            mult *= degree[tok]
            continue
        w = lex.get(tok)
        if w is None and len(tok) >= 2:
            # jieba may glue a negator or degree word to a sentiment word ("不差", "太贵"):
            # read the prefix as the modifier it is.
            head, rest = tok[0], tok[1:]
            if rest in lex and head in _NEG_PREFIX:
                neg_count += 1
                w = lex[rest]
            elif rest in lex and head in degree:
                mult *= degree[head]
                w = lex[rest]
        if w is not None:
            v = w * mult
            if neg_count % 2 == 1:
                v *= NEGATION_FACTOR
            clauses[-1].append(v)
            neg_count, mult = 0, 1.0
    total = sum(total_before)
    boosted = False
    for c in clauses:
        for v in c:
            if math.isnan(v):
                boosted = True
                continue
            total += v * (AFTER_CONTRAST if boosted else 1.0)
    return total


def _squash(total: float) -> tuple[float, str]:
    score = math.tanh(total / 2)
    label = (
        "positive" if score > NEUTRAL_BAND else "negative" if score < -NEUTRAL_BAND else "neutral"
    )
    return score, label


def sentiment(texts, *, extra_words: Sequence[str] = ()) -> pd.DataFrame:
    """Sentiment of each text: a score in [-1, 1] and a label.

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts`` (a Series; a list gets 0..n-1): ``score`` and
        ``label`` (``"positive"``, ``"neutral"``, ``"negative"``; missing texts
        give NaN and no label).

    Notes
    -----
    Lexicon and rules, applied within each clause (split at punctuation): a
    sentiment word's weight (``resources/sentiment_lexicon.tsv``, -2..+2) is
    multiplied by the degree words before it (很 1.3, 非常 1.6, 有点 0.6, ...)
    and flipped and damped by an odd number of negators before it (不, 没,
    别, 无 ...: x -0.8; "不太好" = -0.8 x 0.6). After a contrast word (但是,
    不过, 可是 ...) the text weighs x1.5 and what came before x0.6, since the
    clause after "but" carries the writer's verdict. score = tanh(sum / 2);
    |score| < 0.1 is neutral. Traditional script is converted to simplified
    first, so both give the same result.
    """
    extra = tuple(extra_words)
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    scores, labels = [], []
    for t in s:
        if not isinstance(t, str):
            scores.append(np.nan)
            labels.append(None)
            continue
        sc, lab = _squash(_sentiment_tokens(_tokens(_normalize_one(t), extra)))
        scores.append(sc)
        labels.append(lab)
    return pd.DataFrame({"score": scores, "label": labels}, index=s.index)


# -- topics -----------------------------------------------------------------------------------------


@functools.cache
def _default_taxonomy() -> dict:
    return yaml.safe_load((RESOURCES / "topics.yaml").read_text(encoding="utf-8"))


def load_taxonomy(
    taxonomy: str | Path | Mapping | None = None,
) -> dict[str, tuple[str, re.Pattern]]:
    """Topic key -> (label, compiled keyword pattern), from YAML (a path or a mapping) or the default."""
    if taxonomy is None:
        spec = _default_taxonomy()
    elif isinstance(taxonomy, Mapping):
        spec = taxonomy
    else:
        spec = yaml.safe_load(Path(taxonomy).read_text(encoding="utf-8"))
    if not isinstance(spec, Mapping) or not spec:
        raise ValueError(
            f"A taxonomy maps topic keys to {{label, keywords}}; got {type(spec).__name__}."
        )
    out = {}
    for key, entry in spec.items():
        if not isinstance(entry, Mapping) or not entry.get("keywords"):
            raise ValueError(f"Taxonomy topic {key!r} needs a non-empty `keywords` list.")
        words = sorted({_normalize_one(str(w)) for w in entry["keywords"]}, key=len, reverse=True)
        out[str(key)] = (str(entry.get("label", key)), re.compile("|".join(map(re.escape, words))))
    return out


def _topics_one(normalized: str, tax) -> tuple[str, ...]:
    return tuple(key for key, (_, pattern) in tax.items() if pattern.search(normalized))


def topics(texts, taxonomy: str | Path | Mapping | None = None) -> pd.DataFrame:
    """Tag each text with every topic whose keywords it mentions (multi-label).

    Parameters
    ----------
    taxonomy : path, mapping or None
        YAML taxonomy ``{key: {label, keywords: [...]}}``; default
        ``resources/topics.yaml`` (logistics, price, quality, service, returns,
        app/website/mini-program, store, waiting time).

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``: ``topics`` (the keys, joined by ";"), and one
        bool column per topic key.

    Notes
    -----
    Keywords match on the normalised text, so traditional and simplified
    script tag alike.
    """
    tax = load_taxonomy(taxonomy)
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    found = [_topics_one(_normalize_one(t), tax) if isinstance(t, str) else () for t in s]
    out = pd.DataFrame({"topics": [";".join(f) for f in found]}, index=s.index)
    for key in tax:
        out[key] = [key in f for f in found]
    return out


# -- keywords ---------------------------------------------------------------------------------------

_WORDLIKE = re.compile(r"^[\u3400-\u9fffa-z][\u3400-\u9fffa-z0-9]+$")


@functools.cache
def _idf() -> tuple[dict[str, float], float]:
    import jieba.analyse

    tfidf = jieba.analyse.TFIDF()
    return tfidf.idf_freq, tfidf.median_idf


def keywords(
    texts: pd.Series,
    top: int = 20,
    method: str = "tfidf",
    by=None,
    *,
    extra_words: Sequence[str] = (),
) -> pd.DataFrame:
    """The words that characterise a set of comments (per group with ``by``).

    Parameters
    ----------
    texts : pandas.Series
    top : int
        Keywords per group.
    method : {"tfidf", "textrank"}
        TF-IDF with jieba's IDF table (general Chinese corpus) or jieba's
        TextRank over the group's text.
    by : pandas.Series or array, optional
        Group of each text (aligned with ``texts``).

    Returns
    -------
    pandas.DataFrame
        Group column (named as ``by``, if given), ``keyword``, ``score``,
        ``n`` (comments mentioning it) and ``rank``.

    Notes
    -----
    Words are jieba tokens of the normalised text of at least two characters,
    minus ``resources/stopwords.txt``. TF-IDF score = (count / all words of
    the group) x IDF (Salton & Buckley, 1988); TextRank after Mihalcea &
    Tarau (2004) as jieba implements it.
    """
    if method not in ("tfidf", "textrank"):
        raise ValueError(f"`method` should be 'tfidf' or 'textrank', not {method!r}.")
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    groups = pd.Series("all" if by is None else np.asarray(by), index=s.index)
    stop = _lexicon()[4]
    extra = tuple(extra_words)
    rows = []
    for key, idx in groups.groupby(groups, sort=True).groups.items():
        docs = [_normalize_one(t) for t in s.loc[idx] if isinstance(t, str)]
        token_lists = [
            [w for w in _tokens(d, extra) if _WORDLIKE.match(w) and w not in stop] for d in docs
        ]
        doc_freq = Counter(w for toks in token_lists for w in set(toks))
        if method == "tfidf":
            counts = Counter(w for toks in token_lists for w in toks)
            total = sum(counts.values()) or 1
            idf, median = _idf()
            scored = sorted(
                ((c / total * idf.get(w, median), w) for w, c in counts.items()), reverse=True
            )[:top]
        else:
            import jieba.analyse
            import jieba.posseg

            tr = jieba.analyse.TextRank()
            tr.tokenizer = tr.postokenizer = jieba.posseg.POSTokenizer(tokenizer(extra))
            tr.stop_words = set(tr.stop_words) | set(stop)
            scored = [
                (wt, w)
                for w, wt in tr.textrank("。".join(docs), topK=top, withWeight=True)
                if _WORDLIKE.match(w)
            ]
        for rank, (score, word) in enumerate(scored, start=1):
            rows.append(
                {
                    "group": key,
                    "keyword": word,
                    "score": score,
                    "n": doc_freq.get(word, 0),
                    "rank": rank,
                }
            )
    out = pd.DataFrame(rows, columns=["group", "keyword", "score", "n", "rank"])
    if by is None:
        return out.drop(columns="group")
    return out.rename(columns={"group": getattr(by, "name", None) or "group"})


# -- redaction --------------------------------------------------------------------------------------

PLACEHOLDERS = {
    "email": "[邮箱]",
    "resident_id": "[身份证号]",
    "bank_card": "[银行卡号]",
    "mobile": "[手机号]",
    "landline": "[座机号]",
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# 18-digit resident id: 6-digit area, birth date YYYYMMDD, 3-digit sequence, check digit.
_RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
# 16-19 digits, optionally in groups of four separated by spaces or hyphens.
_CARD = re.compile(r"(?<![0-9])((?:\d{4}[ -]?){3}\d{4,7})(?![0-9])")
# Mainland mobile: 1[3-9] + 9 digits, optional +86, optional 3-4-4 separators.
_MOBILE = re.compile(
    r"(?<![0-9])(?<![0-9][ -])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![ -]?[0-9])"
)
# Landline with area code and a separator or brackets: 010-12345678, (0755)1234567, 021 1234 5678.
_LANDLINE = re.compile(
    r"(?<![0-9])(?<![0-9][ -])(?:\(0\d{2,3}\)|0\d{2,3}[ -])\d{3,4}[ -]?\d{4}(?![ -]?[0-9])"
)
_ORDER_CONTEXT = re.compile(r"(订单|单号|运单|快递|物流|编号|流水|order|no\.?)\s*[:：#]?\s*$", re.I)
# Issuer prefixes of cards in use in China: UnionPay 62, Visa 4, Mastercard 51-55 / 2221-2720,
# American Express 34/37, JCB 35, Discover 60/65.
_CARD_PREFIX = re.compile(
    r"^(62|4|5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[457]|6[05])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_HAS_DIGIT_OR_AT = re.compile(r"[0-9@]")


def resident_id_valid(number: str) -> bool:
    """Whether an 18-character PRC resident id has a correct check digit (GB 11643-1999)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check of a card number, as ISO/IEC 7812-1 defines it."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _redact_one(text: str) -> str:
    if not _HAS_DIGIT_OR_AT.search(text):
        return text  # nothing to mask: most comments
    text = _EMAIL.sub(PLACEHOLDERS["email"], text)
    text = _RESIDENT_ID.sub(
        lambda m: PLACEHOLDERS["resident_id"] if resident_id_valid(m.group(1)) else m.group(0), text
    )
    source = text

    def card(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(1))
        before = source[max(0, m.start() - 8) : m.start()]
        if (
            16 <= len(digits) <= 19
            and luhn_valid(digits)
            and _CARD_PREFIX.match(digits)
            and not _ORDER_CONTEXT.search(before)
        ):
            return PLACEHOLDERS["bank_card"]
        return m.group(0)

    text = _CARD.sub(card, text)
    text = _MOBILE.sub(PLACEHOLDERS["mobile"], text)
    return _LANDLINE.sub(PLACEHOLDERS["landline"], text)


def redact(texts: pd.Series | Iterable[str] | str) -> pd.Series | list[str] | str:
    """Mask personal data in comments with labelled placeholders.

    Masks e-mail addresses (``[邮箱]``), 18-digit resident id numbers whose
    check digit is right (``[身份证号]``), bank-card numbers that pass the Luhn
    check and start with an issuer prefix (``[银行卡号]``), mainland mobile
    numbers (``[手机号]``) and landlines written with an area code
    (``[座机号]``). Order numbers (a card-like number after 订单/单号/运单 ...),
    prices and ids with a wrong check digit are left as they are.

    Parameters
    ----------
    texts : pandas.Series, iterable of str, or str
        Missing values pass through unchanged.

    Returns
    -------
    Same kind as ``texts``: a Series keeps its index and name.

    Notes
    -----
    Check digits: GB 11643-1999 (ISO 7064 MOD 11-2) for resident ids;
    ISO/IEC 7812-1 (Luhn) for cards.
    """
    if isinstance(texts, str):
        return _redact_one(texts)
    if isinstance(texts, pd.Series):
        return texts.map(lambda t: _redact_one(t) if isinstance(t, str) else t)
    return [_redact_one(t) if isinstance(t, str) else t for t in texts]


# -- everything at once -----------------------------------------------------------------------------

ANALYSIS_COLUMNS = ["redacted", "script", "n_tokens", "score", "label", "topics"]


def _analyze_records(texts: list, taxonomy, extra: tuple[str, ...]) -> list[tuple]:
    tax = load_taxonomy(taxonomy)
    out = []
    for t in texts:
        if not isinstance(t, str):
            out.append((t, None, 0, np.nan, None, ""))
            continue
        norm = _normalize_one(t)
        toks = _tokens(norm, extra)
        score, label = _squash(_sentiment_tokens(toks))
        out.append(
            (
                _redact_one(t),
                _script_one(t),
                len(toks),
                score,
                label,
                ";".join(_topics_one(norm, tax)),
            )
        )
    return out


def _frame(records: list[tuple], index, keys: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame.from_records(records, columns=ANALYSIS_COLUMNS, index=index)
    out["n_tokens"] = out["n_tokens"].astype(int)
    out["score"] = out["score"].astype(float)
    for key in keys:
        out[key] = out["topics"].str.split(";").map(lambda ts, k=key: k in ts)
    return out


def _analyze_partition(part: pd.Series, taxonomy, extra) -> pd.DataFrame:
    keys = list(load_taxonomy(taxonomy))
    return _frame(_analyze_records(part.tolist(), taxonomy, extra), part.index, keys)


def _pool_init(extra: tuple[str, ...]) -> None:
    tokenizer(extra)
    _lexicon()
    _tables()


def _pool_work(args):
    texts, taxonomy, extra = args
    return _analyze_records(texts, taxonomy, extra)


def analyze(
    texts,
    *,
    taxonomy: str | Path | Mapping | None = None,
    extra_words: Sequence[str] = (),
    engine: str = "pandas",
    n_jobs: int | None = None,
    scheduler: str | None = None,
    chunk: int = 2000,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Redaction, script, segmentation, sentiment and topics of every comment, in one pass.

    Parameters
    ----------
    texts : pandas.Series or dask Series
        The comments (missing values are kept, with empty results).
    taxonomy : path, mapping or None
        Topic taxonomy (see :func:`topics`).
    extra_words : sequence of str
        Words for the segmenter to keep whole.
    engine : {"pandas", "processes", "dask"}
        One process; ``n_jobs`` worker processes; or dask (``scheduler`` is a
        ``dask.distributed`` address, or None for a local cluster of
        ``n_jobs`` processes). A dask Series always uses dask. Every engine
        gives exactly the same result.
    chunk : int
        Comments per work unit (process and progress granularity).
    progress : bool, optional
        Progress bar (default: on a terminal or in a notebook, not under cron).

    Returns
    -------
    pandas.DataFrame
        Same index as ``texts``: ``redacted`` (the original text, personal
        data masked: what may be shown), ``script``, ``n_tokens``, ``score``,
        ``label`` (as :func:`sentiment`), ``topics`` (keys joined by ";") and
        one bool column per topic.
    """
    from tqdm.auto import tqdm

    extra = tuple(extra_words)
    keys = list(load_taxonomy(taxonomy))
    is_dask = type(texts).__module__.startswith("dask")
    if is_dask or engine == "dask":
        return _analyze_dask(texts, taxonomy, extra, n_jobs, scheduler, is_dask)
    if engine not in ("pandas", "processes"):
        raise ValueError(f"`engine` should be 'pandas', 'processes' or 'dask', not {engine!r}.")
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
    values = s.tolist()
    parts = [values[i : i + chunk] for i in range(0, len(values), chunk)]
    records: list[tuple] = []
    bar = tqdm(
        total=len(values),
        desc="分析评论",
        unit="条",
        disable=None if progress is None else not progress,
        leave=False,
    )
    with bar:
        if engine == "pandas":
            for p in parts:
                records += _analyze_records(p, taxonomy, extra)
                bar.update(len(p))
        else:
            import multiprocessing as mp
            import os

            workers = n_jobs or os.cpu_count() or 1
            ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
            with ctx.Pool(workers, initializer=_pool_init, initargs=(extra,)) as pool:
                for recs in pool.imap(_pool_work, [(p, taxonomy, extra) for p in parts]):
                    records += recs
                    bar.update(len(recs))
    return _frame(records, s.index, keys)


def _analyze_dask(texts, taxonomy, extra, n_jobs, scheduler, is_dask) -> pd.DataFrame:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    keys = list(load_taxonomy(taxonomy))
    meta = _frame([], pd.Index([], dtype=object), keys)
    if not is_dask:
        s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts))
        texts = dd.from_pandas(s, npartitions=max(1, min(len(s) // 2000 + 1, 4 * (n_jobs or 2))))
    lazy = texts.map_partitions(_analyze_partition, taxonomy, extra, meta=meta)
    if scheduler is not None:
        with Client(scheduler) as client:
            return client.compute(lazy).result()
    with (
        LocalCluster(
            n_workers=n_jobs or 2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        return client.compute(lazy).result()


def topic_summary(
    data: pd.DataFrame,
    text: str,
    *,
    by: str | None = None,
    taxonomy: str | Path | Mapping | None = None,
    examples: int = 3,
    analyzed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per topic (and group): how many comments raise it, how they feel, and a few verbatims.

    Parameters
    ----------
    text : str
        The comment column.
    by : str, optional
        Group column.
    examples : int
        Redacted example comments per topic and group, most negative first.
    analyzed : pandas.DataFrame, optional
        The result of :func:`analyze` on ``data[text]``, to avoid doing it twice.

    Returns
    -------
    pandas.DataFrame
        Group column, ``topic``, ``label``, ``comments`` (non-empty comments
        in the group), ``n`` (those raising the topic), ``share`` (percent),
        ``mean_sentiment``, ``negative_share`` (percent of the topic's
        comments labelled negative), ``examples`` (list of redacted verbatims).
    """
    from cxlab.survey import require_columns

    require_columns(data, text, by)
    tax = load_taxonomy(taxonomy)
    a = analyzed if analyzed is not None else analyze(data[text], taxonomy=taxonomy)
    a = (
        a[data[text].notna().to_numpy()]
        if analyzed is None
        else a.loc[data.index[data[text].notna()]]
    )
    groups = pd.Series("all", index=a.index) if by is None else data.loc[a.index, by]
    rows = []
    for key, idx in groups.groupby(groups, sort=True, dropna=False).groups.items():
        g = a.loc[idx]
        for topic, (label, _) in tax.items():
            hit = g[g[topic]]
            rows.append(
                {
                    "group": key,
                    "topic": topic,
                    "label": label,
                    "comments": len(g),
                    "n": len(hit),
                    "share": 100 * len(hit) / len(g) if len(g) else np.nan,
                    "mean_sentiment": hit["score"].mean() if len(hit) else np.nan,
                    "negative_share": 100 * (hit["label"] == "negative").mean()
                    if len(hit)
                    else np.nan,
                    "examples": hit.sort_values("score")["redacted"].head(examples).tolist(),
                }
            )
    out = pd.DataFrame(rows)
    return out.drop(columns="group") if by is None else out.rename(columns={"group": by})

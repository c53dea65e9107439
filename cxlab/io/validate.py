"""Validating a survey against its codebook: every rejected value or dropped row is recorded.

Values are parsed once per distinct value, not once per cell: a rating column of a million
answers holds a dozen distinct texts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.codebook import INTEGER_TYPES, NUMERIC_TYPES, Codebook
from cxlab.io.errors import SurveyError
from cxlab.io.ledger import ROW_DROPPED, SET_MISSING, Ledger

__all__ = [
    "check_columns",
    "infer_codebook",
    "parse_numbers",
    "text_values",
    "validate",
]


def _normalise_number(value: str) -> str:
    # Full-width digits and signs (１２３, －) are common in Chinese exports.
    return unicodedata.normalize("NFKC", value).strip()


def _is_text(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.StringDtype)


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from a column as read: text, full-width digits, or already numeric.

    Parameters
    ----------
    raw : pandas.Series

    Returns
    -------
    values : pandas.Series
        Floats (NaN where the cell is blank or not a number; ``inf`` where it says so).
    not_number : pandas.Series of bool
        Cells that hold something other than a number.

    Notes
    -----
    Each distinct value is parsed once (``pandas.factorize``), first with
    ``pandas.to_numeric`` and, for what that refuses, again after Unicode NFKC
    normalisation and trimming (``１０`` -> 10). Booleans are not numbers.

    Examples
    --------
    >>> values, bad = parse_numbers(pd.Series(["１０", "7", None, "x", "inf"], dtype=object))
    >>> values.tolist(), bad.tolist()
    ([10.0, 7.0, nan, nan, inf], [False, False, False, True, False])
    """
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype(float)
        return values, pd.Series(False, index=raw.index)
    if _is_text(raw):
        fast = _arrow_numbers(raw)
        if fast is not None:
            return fast, raw.notna() & fast.isna()
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    texts = pd.Series(
        [v if isinstance(v, str) else str(v) for v in np.asarray(uniques, object)], dtype=object
    )
    parsed = np.array(pd.to_numeric(texts, errors="coerce"), dtype=float)
    retry = np.flatnonzero(np.isnan(parsed))
    if len(retry):
        again = texts.iloc[retry].map(_normalise_number)
        parsed[retry] = pd.to_numeric(again, errors="coerce").astype(float).to_numpy()
    values = np.full(len(codes), np.nan)
    present = codes >= 0
    values[present] = parsed[codes[present]]
    values = pd.Series(values, index=raw.index)
    return values, pd.Series(present & np.isnan(values.to_numpy()), index=raw.index)


def _arrow_numbers(raw: pd.Series) -> pd.Series | None:
    """A text column cast to floats by pyarrow when every cell parses (else None)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(pa.array(raw.array), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return None
    return pd.Series(values.to_numpy(zero_copy_only=False), index=raw.index)


def _clean_text(v):
    if pd.isna(v):
        return np.nan
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s if s else np.nan


def text_values(raw: pd.Series) -> pd.Series:
    """A column as trimmed text (object dtype), blank cells missing; ``3.0`` reads ``"3"``.

    Parameters
    ----------
    raw : pandas.Series

    Returns
    -------
    pandas.Series
        Python strings and NaN.

    Examples
    --------
    >>> text_values(pd.Series([" 华东 ", "", 3.0, None], dtype=object)).tolist()
    ['华东', nan, '3', nan]
    """
    if _is_text(raw):
        s = raw.str.strip()
        return _objects(s.where(s != ""))
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    cleaned = np.array([_clean_text(v) for v in np.asarray(uniques, object)] + [np.nan], object)
    return pd.Series(cleaned[codes], index=raw.index, dtype=object)


def _objects(raw: pd.Series) -> pd.Series:
    """A text column as Python strings, one object per distinct value (repeats share it)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    values = np.append(np.asarray(uniques, dtype=object), np.nan)
    return pd.Series(values[codes], index=raw.index, dtype=object)


def _as_text(raw: pd.Series) -> pd.Series:
    """Cells of a text item as Python strings, untrimmed (blank cells missing)."""
    if _is_text(raw):
        return _objects(raw)
    return raw.map(lambda v: str(v) if pd.notna(v) else v).astype(object)


def _as_read(raw: pd.Series) -> pd.Series:
    """A column the codebook does not name, as read (text as Python strings)."""
    return _objects(raw) if _is_text(raw) else raw


def check_columns(df: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    """Raise :class:`SurveyError` when ``df`` lacks a column the codebook names.

    Parameters
    ----------
    df : pandas.DataFrame
    codebook : Codebook
    path : Path
        The file, for the message.

    Examples
    --------
    >>> book = Codebook.from_dict({"id": "rid", "items": {"nps": {"type": "nps"}}})
    >>> check_columns(pd.DataFrame({"rid": [], "nps": []}), book, Path("s.csv"))
    """
    missing = [c for c in codebook.columns if c not in df.columns]
    if missing:
        shown = ", ".join(map(str, df.columns[:30])) + (" …" if len(df.columns) > 30 else "")
        raise SurveyError(
            f"Survey file {path} has no column(s) {missing}, which codebook "
            f"{codebook.source} names. Columns in the file: {shown}. "
            "Fix the names in the codebook, or export the missing columns."
        )


def infer_codebook(df: pd.DataFrame, *, source: str = "<inferred>") -> Codebook:
    """A minimal codebook for a file that came without one.

    The first column is taken as the respondent id; columns whose values all
    parse as numbers become ``numeric`` items, others ``text``.

    Parameters
    ----------
    df : pandas.DataFrame
        The survey as read.
    source : str
        Where the codebook came from, for messages.

    Returns
    -------
    Codebook

    Examples
    --------
    >>> df = pd.DataFrame({"rid": ["a", "b"], "nps": ["9", "１0"], "note": ["好", "x"]})
    >>> {k: v.type for k, v in infer_codebook(df).items.items()}
    {'nps': 'numeric', 'note': 'text'}
    """
    items = {}
    for col in df.columns[1:]:
        _, not_number = parse_numbers(df[col])
        items[col] = {"type": "text" if not_number.any() else "numeric"}
    return Codebook.from_dict({"id": df.columns[0], "items": items}, source=source)


# -- one column per kind ----------------------------------------------------------------------------


def _answer_codes(raw, values, not_number, name, answers, ledger):
    """Code answer texts through an item's ``values`` (a label set or a mapping)."""
    from cxlab.labelsets import to_codes

    codes = pd.Series(to_codes(raw[not_number], answers), index=raw.index[not_number], dtype=float)
    values = values.copy()
    values[codes.index] = codes
    unmatched = codes.isna()
    what = answers if isinstance(answers, str) else "the item's `values`"
    ledger.add(
        codes.index[unmatched],
        name,
        raw[codes.index[unmatched]],
        f"answer text not in {what}",
        SET_MISSING,
    )
    return values


def _numeric_item(
    raw: pd.Series, name: str, kind: str, rng, missing_codes, ledger: Ledger, answers=None
) -> pd.Series:
    """Parse one numeric column; missing codes -> NaN, bad values -> NaN + exclusion.

    ``answers`` (an item's ``values`` on a rating item) turns answer texts into codes.
    """
    values, not_number = parse_numbers(raw)
    if answers is not None and not_number.any():
        values = _answer_codes(raw, values, not_number, name, answers, ledger)
    elif not_number.any():
        ledger.add(raw.index[not_number], name, raw[not_number], "not a number", SET_MISSING)
    # The checks below work on the array (pandas' per-call overhead was most of a survey's load).
    v = values.to_numpy(dtype=float, copy=True)

    def drop(bad: np.ndarray, reason: str) -> None:
        if bad.any():
            ledger.add(raw.index[bad], name, raw[bad], reason, SET_MISSING)
            v[bad] = np.nan

    drop(np.isinf(v), "not a finite number")
    if missing_codes:
        v[np.isin(v, missing_codes)] = np.nan
    with np.errstate(invalid="ignore"):
        if kind in INTEGER_TYPES:
            drop(~np.isnan(v) & (v != np.round(v)), "not a whole number")
        if rng is not None:
            drop((v < rng[0]) | (v > rng[1]), f"outside the answer range {rng[0]:g}-{rng[1]:g}")
    return pd.Series(v, index=values.index)


def _category(raw: pd.Series, name: str, values: Mapping | None, labels: Mapping | None, ledger):
    text = text_values(raw)
    mapping = values or ({_key(k): str(v) for k, v in labels.items()} if labels else None)
    if not mapping:
        return text
    known = text.isna() | text.isin(list(mapping)) | text.isin(list(mapping.values()))
    bad = ~known
    ledger.add(
        text.index[bad], name, raw[bad], f"not one of the codes {sorted(mapping)}", SET_MISSING
    )
    text = text.mask(bad)
    mapped = text.map(mapping)
    return mapped.where(mapped.notna(), text).astype(object)


def _key(code) -> str:
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code)


def _date(raw: pd.Series, name: str, ledger: Ledger) -> pd.Series:
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    parsed = pd.to_datetime(pd.Series(np.asarray(uniques, object)), errors="coerce", format="mixed")
    out = pd.Series(pd.NaT, index=raw.index, dtype=parsed.dtype)
    present = codes >= 0
    out[present] = parsed.to_numpy()[codes[present]]
    bad = raw.notna() & out.isna()
    ledger.add(raw.index[bad], name, raw[bad], "not a date", SET_MISSING)
    return out


# -- rows -------------------------------------------------------------------------------------------


def _drop_rows(
    df: pd.DataFrame, id_col: str | None, ledger: Ledger
) -> tuple[pd.Series | None, pd.Series]:
    """Empty rows, rows without an id and repeated ids; returns the ids and the dropped mask.

    Without an id column only empty rows are dropped: the row number is the respondent id.
    """
    empty = df.isna().all(axis=1)
    ledger.add(df.index[empty], "*", [""] * int(empty.sum()), "empty row", ROW_DROPPED)
    dropped = empty.copy()
    if id_col is None:
        return None, dropped
    ids = text_values(df[id_col])
    no_id = ids.isna() & ~dropped
    ledger.add(
        df.index[no_id], id_col, [""] * int(no_id.sum()), "missing respondent id", ROW_DROPPED
    )
    dropped |= no_id
    seen = ids[~dropped]
    dup = seen.duplicated(keep="first")
    if dup.any():
        first_row = (
            pd.Series(seen.index, index=seen.index).groupby(seen.to_numpy()).transform("min")
        )
        reasons = [f"duplicate respondent id (first seen in row {r})" for r in first_row[dup]]
        ledger.add(seen.index[dup], id_col, seen[dup], reasons, ROW_DROPPED)
        dropped.loc[seen.index[dup]] = True
    return ids, dropped


def _weight(raw: pd.Series, name: str, dropped: pd.Series, ledger: Ledger) -> pd.Series:
    """A weight must be a finite number >= 0 (the weight rule: 0 leaves a respondent out)."""
    w = _numeric_item(raw, name, "numeric", None, (), ledger)
    bad = w.notna() & (w < 0)
    ledger.add(w.index[bad], name, raw[bad], "weight is negative", SET_MISSING)
    w = w.mask(bad)
    absent = raw.isna() & ~dropped
    ledger.add(w.index[absent], name, [""] * int(absent.sum()), "weight is missing", SET_MISSING)
    return w


def validate(
    df: pd.DataFrame, codebook: Codebook, value_labels: Mapping, ledger: Ledger
) -> pd.DataFrame:
    """Clean values per the codebook; returns the kept rows, recording the rest in ``ledger``.

    Parameters
    ----------
    df : pandas.DataFrame
        The survey as read (:func:`cxlab.io.read_table`).
    codebook : Codebook
    value_labels : mapping
        Value labels per column (SPSS), used for segments and categories.
    ledger : Ledger
        Receives one line per rejected value or dropped row.

    Returns
    -------
    pandas.DataFrame
        The kept rows: numeric items as floats, segments, categories and text as text,
        dates as datetimes; columns the codebook does not name as read.

    Examples
    --------
    >>> book = Codebook.from_dict({"id": "rid", "items": {"nps": {"type": "nps"}}})
    >>> df = pd.DataFrame({"rid": ["a", "a", "b"], "nps": ["9", "8", "11"]}, index=[1, 2, 3])
    >>> ledger = Ledger()
    >>> validate(df, book, {}, ledger).to_dict("list")
    {'rid': ['a', 'b'], 'nps': [9.0, nan]}
    >>> ledger.frame()[["row", "reason"]].to_dict("list")["reason"]
    ['duplicate respondent id (first seen in row 1)', 'outside the answer range 0-10']
    """
    ids, dropped = _drop_rows(df, codebook.id, ledger)
    items = codebook.items
    numeric = [c for c in df.columns if c in items and items[c].type in NUMERIC_TYPES]
    # Numeric items are written into one float block, so building the frame copies nothing.
    block = np.empty((len(numeric), len(df)))
    for i, name in enumerate(numeric):
        item, missing = codebook.items[name], codebook.missing_for(name)
        answers = item.values if item.type != "category" else None
        values = _numeric_item(df[name], name, item.type, item.range, missing, ledger, answers)
        block[i] = values.to_numpy()
    out = {col: _as_read(df[col]) for col in df.columns if col not in codebook.columns}
    if codebook.id is not None:
        out[codebook.id] = ids
    if codebook.weight:
        out[codebook.weight] = _weight(df[codebook.weight], codebook.weight, dropped, ledger)
    if codebook.submitted and codebook.submitted not in items:
        out[codebook.submitted] = _date(df[codebook.submitted], codebook.submitted, ledger)
    if codebook.wave and not codebook.wave_from:
        out[codebook.wave] = text_values(df[codebook.wave])
    for seg in codebook.segments:
        out[seg] = _category(df[seg], seg, None, value_labels.get(seg), ledger)
    for name, item in codebook.items.items():
        if item.type == "category":
            out[name] = _category(df[name], name, item.values, value_labels.get(name), ledger)
        elif item.type == "date":
            out[name] = _date(df[name], name, ledger)
        elif item.type not in NUMERIC_TYPES:  # text
            out[name] = _as_text(df[name])
    for name in numeric:  # an item also named as the weight or a segment: the item wins
        out.pop(name, None)
    clean = pd.DataFrame(block.T, index=df.index, columns=numeric, copy=False)
    for loc, col in enumerate(df.columns):
        if col not in clean.columns:
            clean.insert(loc, col, out[col])
    if codebook.wave_from:
        source, every = codebook.wave_from
        clean[codebook.wave] = derive_wave(clean[source], every=every)
    return clean.loc[~dropped] if dropped.any() else clean


def derive_wave(times: pd.Series, *, every: str = "quarter") -> pd.Series:
    """The wave of each answer from its submit time: ``2025Q4`` by quarter, ``2025-11`` by month.

    Parameters
    ----------
    times : pandas.Series
        Submit times (datetimes; missing stays missing).
    every : {"quarter", "month"}

    Returns
    -------
    pandas.Series
        Text labels that sort in time order.

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2025-11-03", "2026-01-15", None]))
    >>> derive_wave(t).tolist(), derive_wave(t, every="month").tolist()[:2]
    (['2025Q4', '2026Q1', nan], ['2025-11', '2026-01'])
    """
    times = pd.to_datetime(times, errors="coerce")
    freq = {"quarter": "Q", "month": "M"}[every]
    labels = times.dt.to_period(freq).astype(str)
    return labels.where(times.notna()).astype(object)

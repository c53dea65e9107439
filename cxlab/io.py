"""Reading survey exports: formats, encodings, the codebook, and exclusions.

Only this module knows about file formats. :func:`load_survey` returns a
:class:`Survey` whose ``data`` holds the clean values and whose ``exclusions``
account for every value or row that could not be used, with the reason. No row
of the file disappears without a line in ``exclusions``.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxlab.codebook import INTEGER_TYPES, NUMERIC_TYPES, Codebook, CodebookError

__all__ = [
    "EXCLUSION_COLUMNS",
    "Survey",
    "SurveyError",
    "detect_encoding",
    "file_sha256",
    "find_codebook",
    "infer_codebook",
    "load_survey",
    "read_codebook",
    "read_events",
    "read_table",
]

#: Columns of :attr:`Survey.exclusions`.
EXCLUSION_COLUMNS = ["row", "column", "value", "reason", "action"]
ROW_DROPPED = "row dropped"
SET_MISSING = "set to missing"

TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".sav", ".zsav", ".parquet", ".pq"}
CODEBOOK_NAMES = ("{stem}.codebook.yaml", "{stem}.codebook.yml", "codebook.yaml", "codebook.yml")


class SurveyError(ValueError):
    """A survey file that cannot be used as it is; the message says what to fix."""


@dataclass
class Survey:
    """A loaded survey.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per kept respondent; the index (named ``row``) is the record's
        position in the file, counting the first row after the header as 1.
        Numeric items are floats (missing codes and rejected values are NaN),
        segments and categories are text, dates are datetimes.
    codebook : Codebook
    exclusions : pandas.DataFrame
        Columns ``row``, ``column``, ``value`` (as read), ``reason`` and
        ``action`` (``"row dropped"`` or ``"set to missing"``).
    source : pathlib.Path or None
        The file read.
    encoding : str or None
        The text encoding detected for CSV/TSV files.
    sha256 : str or None
        Checksum of the file's bytes, for report provenance.
    n_read : int
        Records in the file (rows of ``data`` plus dropped rows).
    value_labels : dict
        Value labels per column where the file carried them (SPSS).
    """

    data: pd.DataFrame
    codebook: Codebook
    exclusions: pd.DataFrame = field(default_factory=lambda: _empty_exclusions())
    source: Path | None = None
    encoding: str | None = None
    sha256: str | None = None
    n_read: int = 0
    value_labels: dict[str, dict] = field(default_factory=dict)

    def label(self, column: str) -> str:
        """Display label of a column (from the codebook)."""
        return self.codebook.label(column)

    def exclusion_summary(self) -> pd.DataFrame:
        """Exclusions counted by column, reason and action, with the first rows of each.

        Returns
        -------
        pandas.DataFrame
            Columns ``column``, ``reason``, ``action``, ``count``, ``rows``
            (up to five row numbers, as text).
        """
        return _summarise(self.exclusions)

    def __repr__(self) -> str:
        dropped = int((self.exclusions["action"] == ROW_DROPPED).sum())
        return (
            f"Survey({self.codebook.name or self.source}: {len(self.data)} respondents kept of "
            f"{self.n_read} read, {dropped} rows dropped, {len(self.exclusions)} exclusions)"
        )


# -- encodings ------------------------------------------------------------------------------

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def _word_pair_score(text: str) -> float:
    """Share of adjacent Chinese characters that form a dictionary word.

    Text decoded with the wrong codec turns into a string of real but unrelated
    characters; almost none of their neighbours make words. Traditional text is
    converted to simplified first, since jieba's dictionary is simplified.
    """
    import jieba
    from opencc import OpenCC

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    text = OpenCC("t2s").convert(text)
    pairs = [run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]
    if not pairs:
        return 0.0
    freq = jieba.dt.FREQ
    return sum(freq.get(p, 0) > 0 for p in pairs) / len(pairs)


def detect_encoding(raw: bytes, sample: int = 200_000) -> str:
    """Detect the text encoding of a survey export.

    Handles UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"),
    GB18030/GBK (simplified Chinese Windows) and Big5/CP950 (traditional).

    Returns
    -------
    str
        A Python codec name: ``"utf-8-sig"``, ``"utf-8"``, ``"utf-16"``,
        ``"gb18030"`` or ``"cp950"``.

    Notes
    -----
    Valid UTF-8 is almost never produced by chance from Chinese legacy encodings,
    so it is tried first. GB18030 and Big5 byte ranges overlap, so when both
    decode without error the one whose text forms more dictionary words
    (jieba's dictionary, after traditional-to-simplified conversion) wins.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:sample]
    # Cut at the last newline so a multi-byte character is not split at the sample edge.
    if len(raw) > sample and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decoded = {}
    for codec in ("gb18030", "cp950"):
        try:
            decoded[codec] = head.decode(codec)
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise UnicodeError(
            "not UTF-8, GB18030/GBK or Big5; save the file as UTF-8 (in Excel: "
            "'CSV UTF-8 (Comma delimited)') and try again"
        )
    if len(decoded) == 1:
        return next(iter(decoded))
    return max(decoded, key=lambda c: _word_pair_score(decoded[c][:20_000]))


# -- reading files ------------------------------------------------------------------------------


def file_sha256(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes (None when it is not a readable file), for provenance."""
    path = Path(path)
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_table(path: str | Path) -> tuple[pd.DataFrame, str | None, dict[str, dict]]:
    """Read a survey export as it is, without interpreting values.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt`` (comma), ``.tsv`` (tab), ``.xlsx``, ``.sav``/``.zsav``
        (SPSS) or ``.parquet``.

    Returns
    -------
    data : pandas.DataFrame
        Text files give text cells (blank cells are NaN); other formats keep the
        types they store. The index counts records from 1.
    encoding : str or None
        Detected encoding of a text file.
    value_labels : dict
        SPSS value labels per column (empty for other formats).
    """
    path = Path(path)
    if not path.exists():
        raise SurveyError(f"Survey file {path} does not exist.")
    suffix = path.suffix.lower()
    encoding = None
    value_labels: dict[str, dict] = {}
    if suffix in (".csv", ".txt", ".tsv"):
        raw = path.read_bytes()
        try:
            encoding = detect_encoding(raw)
        except UnicodeError as e:
            raise SurveyError(f"Survey file {path}: {e}.") from None
        text = raw.decode(encoding)
        header = text.split("\n", 1)[0]
        # Excel's "Unicode text" is tab-separated, some European-locale exports use ";".
        sep = "\t" if suffix == ".tsv" else max([",", "\t", ";"], key=header.count)
        import io as _io

        try:
            data = pd.read_csv(
                _io.StringIO(text), sep=sep, dtype=object, keep_default_na=False, na_values=[""]
            )
        except pd.errors.ParserError as e:
            raise SurveyError(f"Survey file {path} is not a valid table: {e}") from None
    elif suffix in (".xlsx", ".xlsm"):
        data = pd.read_excel(path, dtype=object)
    elif suffix in (".sav", ".zsav"):
        import pyreadstat

        data, meta = pyreadstat.read_sav(path, apply_value_formats=False)
        value_labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    elif suffix in (".parquet", ".pq"):
        data = pd.read_parquet(path)
    else:
        raise SurveyError(
            f"Survey file {path}: cannot read `{path.suffix}` files; "
            f"use one of {sorted(TABLE_SUFFIXES)}."
        )
    data.columns = [str(c).strip() for c in data.columns]
    dup = data.columns[data.columns.duplicated()].unique().tolist()
    if dup:
        raise SurveyError(f"Survey file {path}: column name(s) {dup} appear more than once.")
    data.index = pd.RangeIndex(1, len(data) + 1, name="row")
    return data, encoding, value_labels


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook; errors name the file and the key."""
    path = Path(path)
    if not path.exists():
        raise CodebookError(f"Codebook {path} does not exist.")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise CodebookError(f"Codebook {path} is not UTF-8 text; save it as UTF-8.") from None
    except yaml.YAMLError as e:
        raise CodebookError(f"Codebook {path} is not valid YAML: {e}") from None
    return Codebook.from_dict(spec, source=str(path))


def read_events(path: str | Path) -> pd.DataFrame:
    """Read an event log (one row per event) as it is: CSV in any supported encoding, xlsx or Parquet.

    Times stay as read; :func:`cxlab.journey.funnel` parses them and counts
    the ones it cannot use.
    """
    data, _, _ = read_table(path)
    return data.reset_index(drop=True)


def find_codebook(data_path: str | Path) -> Path | None:
    """The codebook beside a data file: ``<stem>.codebook.yaml`` or ``codebook.yaml``."""
    data_path = Path(data_path)
    for pattern in CODEBOOK_NAMES:
        candidate = data_path.parent / pattern.format(stem=data_path.stem)
        if candidate.exists():
            return candidate
    return None


def infer_codebook(data: pd.DataFrame, source: str = "<inferred>") -> Codebook:
    """A minimal codebook for a file that came without one.

    The first column is taken as the respondent id; columns whose values all
    parse as numbers become ``numeric`` items, others ``text``.
    """
    items = {}
    for col in data.columns[1:]:
        values = data[col].dropna()
        numeric = pd.to_numeric(values.astype(str).map(_normalise_number), errors="coerce")
        items[col] = {"type": "numeric" if numeric.notna().all() else "text"}
    return Codebook.from_dict({"id": data.columns[0], "items": items}, source=source)


# -- validation -----------------------------------------------------------------------------------


def _empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in EXCLUSION_COLUMNS})


def _normalise_number(value: str) -> str:
    # Full-width digits and signs (１２３, －) are common in Chinese exports.
    return unicodedata.normalize("NFKC", value).strip()


class _Ledger:
    """Collects exclusions while a survey is validated."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, rows, column: str, values, reason, action: str) -> None:
        rows = list(rows)
        if not rows:
            return
        self.parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "column": column,
                    "value": list(values),
                    "reason": reason,
                    "action": action,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return _empty_exclusions()
        out = pd.concat(self.parts, ignore_index=True)
        out["row"] = out["row"].astype(int)
        return out.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _summarise(exclusions: pd.DataFrame) -> pd.DataFrame:
    if exclusions.empty:
        return pd.DataFrame(columns=["column", "reason", "action", "count", "rows"])
    return (
        exclusions.groupby(["column", "reason", "action"], sort=False)["row"]
        .agg(
            count="size",
            rows=lambda r: ", ".join(map(str, r.iloc[:5])) + (" …" if len(r) > 5 else ""),
        )
        .reset_index()
    )


def _check_columns(data: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    missing = [c for c in codebook.columns if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, data.columns[:30])) + (" …" if len(data.columns) > 30 else "")
        raise SurveyError(
            f"Survey file {path} has no column(s) {missing}, which codebook "
            f"{codebook.source} names. Columns in the file: {shown}. "
            "Fix the names in the codebook, or export the missing columns."
        )


def _numeric_item(
    raw: pd.Series, name: str, kind: str, rng, missing_codes, ledger: _Ledger
) -> pd.Series:
    """Parse one numeric column; missing codes -> NaN, bad values -> NaN + exclusion."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype(float)
        text_bad = pd.Series(False, index=raw.index)
    else:
        as_text = raw.map(lambda v: _normalise_number(str(v)) if pd.notna(v) else v)
        values = pd.to_numeric(as_text, errors="coerce").astype(float)
        text_bad = raw.notna() & values.isna()
    ledger.add(raw.index[text_bad], name, raw[text_bad], "not a number", SET_MISSING)
    values[np.isinf(values)] = np.nan
    if missing_codes:
        values = values.mask(values.isin(missing_codes))
    valid = values.notna()
    if kind in INTEGER_TYPES:
        frac = valid & (values != np.round(values))
        ledger.add(values.index[frac], name, raw[frac], "not a whole number", SET_MISSING)
        values = values.mask(frac)
        valid = values.notna()
    if rng is not None:
        out = valid & ((values < rng[0]) | (values > rng[1]))
        reason = f"outside the answer range {rng[0]:g}-{rng[1]:g}"
        ledger.add(values.index[out], name, raw[out], reason, SET_MISSING)
        values = values.mask(out)
    return values


def _text_column(raw: pd.Series) -> pd.Series:
    def clean(v):
        if pd.isna(v):
            return np.nan
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        s = str(v).strip()
        return s if s else np.nan

    return raw.map(clean).astype(object)


def _category(raw: pd.Series, name: str, values: Mapping | None, labels: Mapping | None, ledger):
    text = _text_column(raw)
    mapping = values or ({_key(k): str(v) for k, v in labels.items()} if labels else None)
    if not mapping:
        return text
    known = text.isna() | text.isin(list(mapping)) | text.isin(list(mapping.values()))
    bad = ~known
    ledger.add(
        text.index[bad], name, raw[bad], f"not one of the codes {sorted(mapping)}", SET_MISSING
    )
    return text.mask(bad).map(lambda v: mapping.get(v, v) if pd.notna(v) else v)


def _key(code) -> str:
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code)


def _validate(
    data: pd.DataFrame, codebook: Codebook, value_labels, ledger: _Ledger
) -> pd.DataFrame:
    """Clean values per the codebook; returns the kept rows, recording the rest in ``ledger``."""
    out = data.copy()
    dropped = pd.Series(False, index=data.index)

    # Empty records (a trailing blank line, a spreadsheet row cleared by hand).
    empty = data.isna().all(axis=1)
    ledger.add(data.index[empty], "*", [""] * int(empty.sum()), "empty row", ROW_DROPPED)
    dropped |= empty

    # Respondent id: missing or repeated ids cannot be kept.
    ids = _text_column(data[codebook.id])
    no_id = ids.isna() & ~dropped
    ledger.add(
        data.index[no_id],
        codebook.id,
        [""] * int(no_id.sum()),
        "missing respondent id",
        ROW_DROPPED,
    )
    dropped |= no_id
    seen = ids[~dropped]
    dup = seen.duplicated(keep="first")
    first_row = seen[~dup].reset_index().set_index(codebook.id)["row"]
    for row, value in seen[dup].items():
        ledger.add(
            [row],
            codebook.id,
            [value],
            f"duplicate respondent id (first seen in row {first_row[value]})",
            ROW_DROPPED,
        )
    dropped.loc[seen[dup].index] = True
    out[codebook.id] = ids

    # Weight: must be a positive, finite number to count a respondent.
    if codebook.weight:
        w = _numeric_item(data[codebook.weight], codebook.weight, "numeric", None, (), ledger)
        bad = w.notna() & (w <= 0)
        ledger.add(
            w.index[bad],
            codebook.weight,
            data.loc[bad, codebook.weight],
            "weight is zero or negative",
            SET_MISSING,
        )
        w = w.mask(bad)
        absent = data[codebook.weight].isna()
        ledger.add(
            w.index[absent & ~dropped],
            codebook.weight,
            [""] * int((absent & ~dropped).sum()),
            "weight is missing",
            SET_MISSING,
        )
        out[codebook.weight] = w

    if codebook.wave:
        out[codebook.wave] = _text_column(data[codebook.wave])
    for seg in codebook.segments:
        out[seg] = _category(data[seg], seg, None, value_labels.get(seg), ledger)

    for name, item in codebook.items.items():
        raw = data[name]
        if item.type in NUMERIC_TYPES:
            out[name] = _numeric_item(
                raw, name, item.type, item.range, codebook.missing_for(name), ledger
            )
        elif item.type == "category":
            out[name] = _category(raw, name, item.values, value_labels.get(name), ledger)
        elif item.type == "date":
            parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
            bad = raw.notna() & parsed.isna()
            ledger.add(raw.index[bad], name, raw[bad], "not a date", SET_MISSING)
            out[name] = parsed
        else:  # text
            out[name] = raw.map(lambda v: str(v) if pd.notna(v) else v).astype(object)

    return out.loc[~dropped]


def load_survey(
    path: str | Path,
    codebook: str | Path | Codebook | Mapping | None = None,
    strict: bool = False,
) -> Survey:
    """Load a survey export with its codebook, accounting for every row.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK or Big5, detected),
        TSV, Excel ``.xlsx``, SPSS ``.sav`` (value labels kept) or Parquet.
    codebook : path, Codebook, mapping or None
        The codebook. None looks beside the data for ``<stem>.codebook.yaml``
        or ``codebook.yaml``, and infers a minimal one if there is none.
    strict : bool
        Raise :class:`SurveyError` on the first kind of problem instead of
        recording it in ``exclusions``.

    Returns
    -------
    Survey
        ``data`` (clean values), ``codebook``, ``exclusions`` (one line per
        rejected value or dropped row, with the reason) and provenance.

    Raises
    ------
    SurveyError
        The file cannot be read, a column the codebook names is missing, or
        (``strict=True``) any value had to be rejected.
    CodebookError
        The codebook is not valid.

    Notes
    -----
    Missing codes (``missing_codes`` in the codebook) become NaN and are not
    exclusions: they are answers of "don't know" or "refused". Values that are
    not numbers, not whole numbers, or outside an item's range become NaN and
    are listed in ``exclusions`` with the action ``"set to missing"``. Empty
    rows, rows without an id and repeated ids (after the first) are dropped and
    listed with the action ``"row dropped"``.
    """
    path = Path(path)
    data, encoding, value_labels = read_table(path)
    if codebook is None:
        found = find_codebook(path)
        book = (
            read_codebook(found)
            if found
            else infer_codebook(data, source=f"inferred from {path.name}")
        )
    elif isinstance(codebook, Codebook):
        book = codebook
    elif isinstance(codebook, Mapping):
        book = Codebook.from_dict(codebook)
    else:
        book = read_codebook(codebook)
    _check_columns(data, book, path)

    ledger = _Ledger()
    clean = _validate(data, book, value_labels, ledger)
    exclusions = ledger.frame()
    # A rejected value on a row that was dropped anyway is accounted for by the drop.
    dropped_rows = exclusions.loc[exclusions["action"] == ROW_DROPPED, "row"]
    exclusions = exclusions[
        (exclusions["action"] == ROW_DROPPED) | ~exclusions["row"].isin(dropped_rows)
    ].reset_index(drop=True)
    if strict and not exclusions.empty:
        summary = _summarise(exclusions)
        first = summary.iloc[0]
        raise SurveyError(
            f"Survey file {path}, column `{first['column']}`: {first['count']} value(s) "
            f"rejected ({first['reason']}), first in row(s) {first['rows']}. "
            f"{len(exclusions)} problem(s) in all across {summary['column'].nunique()} column(s). "
            "Fix the export or the codebook, or load with strict=False to keep the "
            "rest and inspect `survey.exclusions`."
        )
    return Survey(
        data=clean,
        codebook=book,
        exclusions=exclusions,
        source=path,
        encoding=encoding,
        sha256=file_sha256(path),
        n_read=len(data),
        value_labels=value_labels,
    )

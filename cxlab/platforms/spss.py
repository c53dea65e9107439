"""SPSS ``.sav`` files: variable labels, value labels and multiple-response sets (pyreadstat)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cxlab.platforms.common import Export, ExportBuilder, ExportError

__all__ = ["read_spss_export"]


def _dichotomies(b: ExportBuilder, name: str, spec: dict) -> None:
    """A dichotomy set: the counted value -> 1, any other answer -> 0 (recorded)."""
    counted = spec.get("counted_value")
    cols = [c for c in spec["variable_list"] if c in b.columns]
    for col in cols:
        raw = b.columns[col]
        values = pd.to_numeric(raw, errors="coerce")
        hit = values == float(counted) if counted is not None else values == 1
        out = hit.astype(float).where(values.notna())
        b.record(col, out.notna() & (out != values), raw, f"multiple-response set {name}: 0/1")
        b.columns[col] = out
    b.sets[name] = cols


def _categories(b: ExportBuilder, name: str, spec: dict, value_labels: dict) -> None:
    """A category set (each variable holds one chosen code) -> one 0/1 column per code."""
    cols = [c for c in spec["variable_list"] if c in b.columns]
    frame = pd.DataFrame({c: pd.to_numeric(b.columns[c], errors="coerce") for c in cols})
    codes = sorted(set(frame.stack().dropna()))
    answered = frame.notna().any(axis=1)
    labels = value_labels.get(cols[0], {}) if cols else {}
    names = []
    for code in codes:
        col = f"{name}_{int(code) if float(code).is_integer() else code}"
        b.add(col, (frame == code).any(axis=1).astype(float).where(answered))
        text = labels.get(
            code, labels.get(int(code), str(code)) if float(code).is_integer() else ""
        )
        b.labels[col] = f"{spec.get('label') or name}：{text}"
        names.append(col)
    b.sets[name] = names


def read_spss_export(path: str | Path) -> Export:
    """Read an SPSS ``.sav``/``.zsav`` file with its labels and multiple-response sets.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Export
        ``platform="spss"``, ``form="code"``; variable labels in ``labels``, value labels in
        ``value_labels``, multiple-response sets in ``sets`` (a dichotomy set's columns recoded
        to 0/1, a category set's codes expanded to ``<set>_<code>`` 0/1 columns).

    Notes
    -----
    Multiple-response sets are read where pyreadstat reports them (``meta.mr_sets``, SPSS
    record 7 subtypes 7 and 19). User-missing values are read as missing by pyreadstat.

    Examples
    --------
    >>> import pyreadstat, tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "s.sav")
    >>> pyreadstat.write_sav(pd.DataFrame({"q1": [1.0, 5.0]}), f, column_labels=["总体满意度"],
    ...                      variable_value_labels={"q1": {1: "非常不满意", 5: "非常满意"}})
    >>> e = read_spss_export(f)
    >>> e.labels, e.value_labels["q1"][5.0], e.df.index.tolist()
    ({'q1': '总体满意度'}, '非常满意', [1, 2])
    """
    import pyreadstat

    path = Path(path)
    if not path.exists():
        raise ExportError(f"SPSS file {path} does not exist.")
    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except pyreadstat.ReadstatError as e:
        raise ExportError(f"SPSS file {path} cannot be read: {e}.") from None
    b = ExportBuilder(pd.RangeIndex(1, len(df) + 1, name="row"))
    for col in df.columns:
        b.add(col, df[col], meta.column_names_to_labels.get(col))
    b.value_labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    for raw_name, spec in (getattr(meta, "mr_sets", None) or {}).items():
        name = raw_name.lstrip("$")
        if spec.get("type") == "D" or spec.get("is_dichotomy"):
            _dichotomies(b, name, spec)
        else:
            _categories(b, name, spec, b.value_labels)
    for col in b.columns:
        if not pd.api.types.is_numeric_dtype(b.columns[col]):
            b.columns[col] = b.columns[col].replace("", np.nan)
    return b.export("spss", "code")

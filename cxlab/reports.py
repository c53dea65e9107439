"""Run parameterised notebooks into dated, self-contained HTML reports.

Only this module knows about papermill and nbconvert. One run:

1. checks the parameters against the notebook's ``parameters`` cell (before any
   kernel starts);
2. takes a lock on the report's name, so two runs never write it at once, and
   removes scratch folders that killed runs left in ``reports/.tmp/``;
3. executes the notebook with papermill into a scratch folder under ``reports/.tmp/``;
4. renders HTML (code hidden, nothing loaded from another host) with a header,
   a table of contents and a provenance footer;
5. moves the HTML and the executed notebook into ``reports/YYYY-MM-DD/``
   (``os.replace``: a reader sees the old report or the new one, never half; if
   the second move fails the first is undone; across devices a file is copied
   beside its target, then renamed);
6. records the run in ``reports/index.json`` and rewrites ``reports/index.html``.

A failing cell leaves the previous report alone, keeps the executed notebook and
a partial HTML page under ``reports/_failed/YYYY-MM-DD/``, records the failure
in the index and raises :class:`ReportError` naming the notebook and the cell.
A file-system fault (read-only folder, disk full, name too long...) leaves the
previous report alone too, is recorded in the index and the log when they can
still be written, and raises :class:`ReportError` with one line saying what failed.

Every value from data, a codebook or a parameter that the page frame or the
index shows is escaped through :mod:`cxlab.markup`; every word of the frame
comes from the message catalogue (:func:`cxlab.messages.msg`, ``reports.yaml``).
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import errno
import functools
import hashlib
import json
import logging
import os
import platform
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cxlab import __version__
from cxlab.codebook import page_min_base
from cxlab.markup import bounded, escape_html, html_text, unescape_html
from cxlab.messages import LANGUAGES, msg
from cxlab.paths import NOTEBOOKS, RESOURCES, SAMPLE_DATA

__all__ = [
    "MAX_STEM_BYTES",
    "RUNNER_PARAMETERS",
    "ReportError",
    "ReportLocked",
    "Run",
    "accepted_parameters",
    "check_parameters",
    "css_string",
    "list_reports",
    "newest_data_file",
    "notebook_path",
    "package_versions",
    "parameter_slug",
    "parse_parameters",
    "prune",
    "render_index",
    "report_stem",
    "run_report",
    "small_unit",
    "unit_bases",
    "warm_up",
]

log = logging.getLogger("cxlab.reports")
# papermill warns (through logging's last-resort handler, i.e. on stderr and in cron mail) about
# parameters a notebook does not declare, such as the runner's `each` and `unit`.
logging.getLogger("papermill").addHandler(logging.NullHandler())

#: Parameters that name input files: they go into the provenance, not the file name.
FILE_PARAMETERS = ("data", "codebook", "sentiment_model")
#: Parameters the runner gives a page of ``cxlab report NAME --each COLUMN``: the column and the
#: unit's value (as text). A notebook need not declare them; one that does reads its unit's rows.
RUNNER_PARAMETERS = ("each", "unit")
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "jieba",
    "papermill",
    "nbconvert",
)
TEMPLATE = RESOURCES / "templates"
#: Characters of a parameter value kept in a file name; a longer value is cut and hashed.
VALUE_CHARS = 40
#: Most bytes of a report's file stem: leaves room for suffixes and scratch names under the
#: 255-byte limit of common file systems.
MAX_STEM_BYTES = 180
# Kernel log lines (such as "Kernel is running over TCP without encryption") stay out of the
# terminal and cron mail: the kernel runs on this machine and only errors matter here.
_KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


class ReportError(RuntimeError):
    """A report could not be produced; the message names the notebook and what went wrong."""


class ReportLocked(ReportError):
    """Another run held the report's lock for longer than the caller would wait."""


@dataclass(frozen=True)
class Run:
    """The record of one report run, as stored in ``reports/index.json``.

    Attributes
    ----------
    name, stem : str
        The report (notebook) name, and its file stem with the shaping parameters.
    date : str
        The report date, ``YYYY-MM-DD``.
    status : {"succeeded", "failed"}
    html, notebook : str or None
        The page and the executed notebook, relative to the reports folder.
    parameters : dict
    data, data_sha256, codebook : str or None
        The input files and the data file's SHA-256.
    started : str
        ISO time the run started; ``duration_s`` its length in seconds.
    error : str or None
        Why it failed (one line, at most ``cxlab.markup.MESSAGE_LIMIT`` characters).
    pdf : str or None
        The printed page (``--pdf``), relative to the reports folder.
    each, unit : str or None
        For a page per unit (``--each``): the column and the unit's value.
    each_label : str or None
        What the page calls the column: its codebook label in the page's language (the index
        heads the units' table with it).
    alert : bool
        Whether the page raised an early warning (an alert in its latest period).
    base : int or None
        Respondents of the unit (in the period reported); under ``min_base`` the page shows
        only that it is too small.
    min_base : int or None
        The page's small-base rule: the ``min_base`` parameter when given (> 0), else the
        codebook's ``min_base:``, else 30 (:func:`cxlab.codebook.page_min_base`).
    """

    name: str
    stem: str
    date: str
    status: str
    html: str | None
    notebook: str | None
    parameters: dict
    data: str | None
    data_sha256: str | None
    codebook: str | None
    started: str
    duration_s: float
    error: str | None = None
    pdf: str | None = None
    each: str | None = None
    unit: str | None = None
    base: int | None = None
    alert: bool = False
    min_base: int | None = None
    each_label: str | None = None


#: A section that raises an early warning writes this (an invisible HTML comment) into its output,
#: so the index can mark the page (see :data:`cxlab.loop.page.ALERT_MARK`).
ALERT_MARK = "<!-- cx-alert -->"


def has_alert(nb) -> bool:
    """Whether an executed notebook's outputs carry :data:`ALERT_MARK`.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    bool

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("x")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", {"text/markdown": ALERT_MARK})]
    >>> has_alert(nbformat.v4.new_notebook(cells=[cell]))
    True
    """
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any(ALERT_MARK in str(v) for v in data.values()):
                return True
    return False


# -- parameters ------------------------------------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def notebook_path(notebook: str | Path) -> Path:
    """The notebook file for a report name (``notebooks/<name>.ipynb``) or a path.

    Parameters
    ----------
    notebook : str or Path
        A report name such as ``"satisfaction"``, or the path of an ``.ipynb`` file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ReportError
        No such notebook (the message lists the reports there are).

    Examples
    --------
    >>> notebook_path("satisfaction").name
    'satisfaction.ipynb'
    """
    p = Path(notebook)
    if p.suffix == ".ipynb":
        if not p.exists():
            raise ReportError(f"Notebook {p} does not exist.")
        return p
    p = NOTEBOOKS / f"{notebook}.ipynb"
    if not p.exists():
        raise ReportError(f"No report named {notebook!r}. Available: {', '.join(list_reports())}.")
    return p


def list_reports() -> list[str]:
    """Names of the notebooks that are reports (all but those marked ``cxlab.report: false``).

    Returns
    -------
    list of str
        Sorted report names.

    Examples
    --------
    >>> "satisfaction" in list_reports()
    True
    """
    names = []
    for p in sorted(NOTEBOOKS.glob("*.ipynb")):
        meta = json.loads(p.read_text(encoding="utf-8")).get("metadata", {})
        if meta.get("cxlab", {}).get("report", True):
            names.append(p.stem)
    return names


def accepted_parameters(notebook: str | Path) -> dict[str, dict[str, str]]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    Parameters
    ----------
    notebook : str or Path
        Report name or notebook path.

    Returns
    -------
    dict
        Name -> ``{"type", "default", "help"}`` (the typed default and its comment).

    Examples
    --------
    >>> accepted_parameters("satisfaction")["lang"]["type"]
    'str'
    """
    path = notebook_path(notebook)
    stat = path.stat()
    return dict(_declared_parameters(str(path.resolve()), stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=32)
def _declared_parameters(path: str, size: int, mtime_ns: int) -> dict[str, dict[str, str]]:
    """:func:`accepted_parameters` of a notebook file as it is (size and time key the cache:
    a command asks for each report's parameters twice, and an edited notebook is read again)."""
    source = _parameters_source(Path(path))
    found = parse_parameters(source) if source is not None else {}
    if not found:
        raise ReportError(f"Notebook {Path(path).name} has no cell tagged `parameters`.")
    return found


def _parameters_source(path: Path) -> str | None:
    """The source of the first cell tagged ``parameters`` (as papermill finds it), or None."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError) as e:
        raise ReportError(f"Notebook {path.name} cannot be read: {bounded(e)}") from None
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else str(source)
    return None


_TYPE_COMMENT = re.compile(r"type:\s*(\S*)\s*")


def parse_parameters(source: str) -> dict[str, dict[str, str]]:
    """The parameters a ``parameters`` cell declares, read with :mod:`ast` (no papermill).

    Parameters
    ----------
    source : str
        The cell's Python source: one assignment per parameter, ``name: type = default  # help``.

    Returns
    -------
    dict
        Name -> ``{"type", "default", "help"}``, in the cell's order, as papermill's
        ``inspect_notebook`` gives them (``inferred_type_name``, ``default``, ``help``): the type
        is the annotation's text (or a ``# type: X`` comment, else ``"None"``), the default the
        value's source text (a value over several lines joined as papermill joins it) and the
        help the comment at the end of the assignment. Statements that are not a plain
        assignment to one name are left out; a cell that is not valid Python declares nothing.

    Examples
    --------
    >>> found = parse_parameters('wave: str = ""  # 波次\\nn: int = 3\\nx = [1,\\n  2]  # two')
    >>> for name, declared in found.items():
    ...     print(name, declared)
    wave {'type': 'str', 'default': '""', 'help': '波次'}
    n {'type': 'int', 'default': '3', 'help': ''}
    x {'type': 'None', 'default': '[1,2]', 'help': 'two'}
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines()
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name = node.target.id
            annotation = ast.get_source_segment(source, node.annotation) or ""
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, annotation = node.targets[0].id, ""
        else:
            continue
        value = ast.get_source_segment(source, node.value) or ""
        # ast's column offsets count UTF-8 bytes
        end = lines[node.end_lineno - 1].encode("utf-8")[node.end_col_offset :]
        comment = end.decode("utf-8").strip()
        comment = comment[1:].strip() if comment.startswith("#") else ""
        typed = _TYPE_COMMENT.match(comment)
        if typed:
            comment = comment[typed.end() :]
        kind = annotation.strip("\"'") or (typed.group(1) if typed else "") or "None"
        found[name] = {"type": kind, "default": _flat(value), "help": comment.strip()}
    return found


def _flat(value: str) -> str:
    """A value written over several lines as papermill shows it: each line stripped of its
    comment and spaces, joined."""
    lines = value.splitlines() or [""]
    head = [line.split("#", 1)[0].strip() for line in lines[:-1]]
    return "".join([*head, lines[-1].strip()])


def _from_text(raw: str, kind: str, name: str) -> Any:
    if kind == "str":
        return raw
    if kind == "bool":
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "y", "on"):
            return True
        if low in ("0", "false", "no", "n", "off"):
            return False
        raise ValueError(f"`{name}` should be true or false, not {raw!r}")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    value = ast.literal_eval(raw)
    if kind in _TYPES and not isinstance(value, _TYPES[kind]):
        raise ValueError(f"`{name}` should be a {kind}, not {raw!r}")
    return value


def _converted(key: str, value: Any, kind: str, from_text: bool) -> Any:
    if from_text and isinstance(value, str):
        value = _from_text(value, kind, key)
    ok = _TYPES.get(kind)
    if ok and (not isinstance(value, ok) or (kind in ("int", "float") and isinstance(value, bool))):
        raise ValueError(f"`{key}` should be a {kind}, not {type(value).__name__} {value!r}")
    if key == "lang" and value not in LANGUAGES:
        raise ValueError(f"`lang` should be one of {sorted(LANGUAGES)}, not {value!r}")
    return value


def check_parameters(
    notebook: str | Path, parameters: Mapping[str, Any] | None, *, from_text: bool = False
) -> dict[str, Any]:
    """Check parameters against a notebook's ``parameters`` cell; convert text values.

    Parameters
    ----------
    notebook : str or Path
        Report name or notebook path.
    parameters : mapping
        Name -> value. With ``from_text=True`` (the command line) values are text
        converted to the declared type; otherwise their type must match.
    from_text : bool
        Values are command-line text.

    Returns
    -------
    dict
        The checked (and converted) values.

    Raises
    ------
    ReportError
        An unknown name, a value of the wrong type or a ``lang`` other than zh/en, with the
        list of accepted parameters and their types.

    Examples
    --------
    >>> check_parameters("satisfaction", {"min_base": "50", "lang": "en"}, from_text=True)
    {'min_base': 50, 'lang': 'en'}
    """
    declared = accepted_parameters(notebook)
    accepted = "; ".join(f"{k} ({v['type']}, default {v['default']})" for k, v in declared.items())
    name = Path(notebook).stem
    out: dict[str, Any] = {}
    for key, value in (parameters or {}).items():
        if key in RUNNER_PARAMETERS and key not in declared:
            if not isinstance(value, str):
                raise ReportError(f"Report {name!r}: `{key}` should be text, not {value!r}.")
            out[key] = value
            continue
        if key not in declared:
            raise ReportError(f"Report {name!r} has no parameter `{key}`. Accepted: {accepted}.")
        try:
            out[key] = _converted(key, value, declared[key]["type"], from_text)
        except (ValueError, SyntaxError) as e:
            raise ReportError(f"Report {name!r}: {bounded(e)}. Accepted: {accepted}.") from None
    return out


def _sha256(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes, None if unreadable: what :func:`cxlab.io.file_sha256` gives,
    without importing cxlab.io (and pandas) into the runner's process."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def _digest8(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _within_bytes(text: str, limit: int) -> str:
    """``text`` itself if its UTF-8 fits in ``limit`` bytes, else a cut with a hash of all."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - 9].decode("utf-8", "ignore")
    return f"{cut}-{_digest8(text)}"


def parameter_slug(parameters: Mapping[str, Any]) -> str:
    """File-name part for the parameters that shape a report (not its input files).

    Parameters
    ----------
    parameters : mapping
        Checked parameters.

    Returns
    -------
    str
        ``key=value`` parts joined by ``--``, sorted by key, leaving out ``data``, ``codebook``
        and ``title``. A unit page (parameters ``each`` and ``unit``) starts with
        ``COLUMN=VALUE``. Characters other than letters, digits and ``.,=-`` become ``_``. A
        value longer than 40 characters keeps its first 40 and a hash of the whole, and so does
        a unit's value that lost or changed a character (two values never share a name); the
        slug never exceeds :data:`MAX_STEM_BYTES` bytes of UTF-8.

    Examples
    --------
    >>> parameter_slug({"wave": "2025 Q4", "lang": "en", "data": "/x/y.csv"})
    'lang=en--wave=2025_Q4'
    >>> parameter_slug({"wave": "x" * 50})
    'wave=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-77cf1206'
    >>> parameter_slug({"each": "region", "unit": "华东", "wave": "2025Q4"})
    'region=华东--wave=2025Q4'
    """
    parts = []
    if parameters.get("each") and "unit" in parameters:
        parts.append(f"{_name_part(parameters['each'])}={_unit_part(parameters['unit'])}")
    for k in sorted(parameters):
        if k in FILE_PARAMETERS or k in RUNNER_PARAMETERS or k == "title":
            continue
        parts.append(f"{k}={_name_part(parameters[k])}")
    return _within_bytes("--".join(parts), MAX_STEM_BYTES)


def _name_part(value: Any) -> str:
    """A value as it stands in a file name: safe characters only, long values cut and hashed."""
    raw = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    text = re.sub(r"[^\w.,=-]+", "_", raw, flags=re.UNICODE).strip("_")
    if len(text) > VALUE_CHARS:
        text = f"{text[:VALUE_CHARS]}-{_digest8(raw)}"
    return text


def _unit_part(value: Any) -> str:
    """A unit's value in a file name: :func:`_name_part`, with a hash of the value whenever that
    changed it (``a/b``, ``a?b`` and ``a_b`` are three units, three files)."""
    raw, text = str(value), _name_part(value)
    if text == raw or text.endswith(f"-{_digest8(raw)}"):
        return text
    return f"{text}-{_digest8(raw)}" if text else _digest8(raw)


def report_stem(name: str, parameters: Mapping[str, Any]) -> str:
    """File stem of a report: its name, then ``--`` and the :func:`parameter_slug`, if any.

    Parameters
    ----------
    name : str
        The report's name (the notebook's stem).
    parameters : mapping
        The page's parameter values (only those that shape the page enter the slug).

    Returns
    -------
    str
        ``name`` or ``name--slug``, cut to :data:`MAX_STEM_BYTES` bytes of UTF-8 (a cut stem
        keeps a hash of what was cut, so two long stems stay apart).

    Examples
    --------
    >>> report_stem("satisfaction", {"wave": "2025Q4"})
    'satisfaction--wave=2025Q4'
    >>> report_stem("satisfaction", {})
    'satisfaction'
    """
    slug = parameter_slug(parameters)
    return _within_bytes(f"{name}--{slug}" if slug else name, MAX_STEM_BYTES)


# -- provenance ------------------------------------------------------------------------------------


def package_versions() -> dict[str, str]:
    """Versions of Python, cxlab and the packages that shape a report's numbers and pages.

    Returns
    -------
    dict
        Name -> version (``"not installed"`` for a missing package); read once per process
        (a page's frame asks for them, and reading package metadata takes 10 ms).

    Examples
    --------
    >>> sorted(package_versions())[:3]
    ['cxlab', 'jieba', 'matplotlib']
    """
    return dict(_package_versions())


@functools.cache
def _package_versions() -> tuple[tuple[str, str], ...]:
    out = {"python": platform.python_version(), "cxlab": __version__}
    for p in KEY_PACKAGES:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return tuple(out.items())


# -- files: the only places that write -------------------------------------------------------------


def _fs_message(e: OSError) -> str:
    """One line for a file-system fault: what the system said and on which file."""
    where = " -> ".join(str(f) for f in (e.filename, e.filename2) if f)
    text = e.strerror or str(e) or type(e).__name__
    return bounded(f"{text}: {where}" if where else text, one_line=True)


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _move(src: Path, dst: Path) -> None:
    """``os.replace``; across devices, copy beside ``dst`` first so the rename stays atomic."""
    try:
        os.replace(src, dst)
        return
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    src.unlink()


def _backup(path: Path) -> Path | None:
    """A copy of ``path`` beside it (a hard link where possible), or None if it does not exist."""
    if not path.exists():
        return None
    copy = path.with_name(f".{path.name}.{secrets.token_hex(4)}.bak")
    try:
        os.link(path, copy)
    except OSError:
        shutil.copy2(path, copy)
    return copy


def _publish(moves: Iterable[tuple[Path, Path]]) -> None:
    """Move each ``(src, dst)`` into place; if one move fails, undo the earlier ones."""
    done: list[tuple[Path, Path | None]] = []
    backups: list[Path] = []
    try:
        for src, dst in moves:
            saved = _backup(dst)
            if saved is not None:
                backups.append(saved)
            _move(src, dst)
            done.append((dst, saved))
    except BaseException:
        for dst, saved in reversed(done):
            if saved is None:
                dst.unlink(missing_ok=True)
            else:
                os.replace(saved, dst)
                backups.remove(saved)
        raise
    finally:
        for saved in backups:
            saved.unlink(missing_ok=True)


def _prepare_folder(out_root: Path) -> None:
    if out_root.exists() and not out_root.is_dir():
        raise ReportError(f"The reports folder {out_root} is not a folder.")
    try:
        for sub in (".locks", ".tmp"):
            (out_root / sub).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"Cannot use the reports folder {out_root}: {_fs_message(e)}") from None


def _lock_is_free(out_root: Path, stem: str) -> bool:
    from filelock import FileLock, Timeout

    lock = FileLock(str(out_root / ".locks" / f"{stem}.lock"))
    try:
        lock.acquire(timeout=0)
    except (Timeout, OSError):
        return False
    lock.release()
    return True


def _clean_scratch(out_root: Path, stem: str) -> None:
    """Remove scratch folders that killed runs left: this report's (its lock is ours now) and
    any other whose report is not running (its lock is free)."""
    for entry in (out_root / ".tmp").iterdir():
        owner = entry.name[:-9]  # tempfile adds "." and 8 random characters to the stem
        if entry.name[-9:-8] != "." or not (owner == stem or _lock_is_free(out_root, owner)):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        log.info("removed %s, left by a run that was stopped", entry)


# -- rendering -------------------------------------------------------------------------------------

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link".*?</a>)?</h2>', re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)


@dataclass(frozen=True)
class _Frame:
    """What the page shows around the notebook: title, header lines and footer (plain text)."""

    title: str
    meta: list[tuple[str, str]]
    footer: str
    lang: str
    provenance: dict = field(default_factory=dict)
    rule: str = ""


def _for_language(nb, lang: str):
    """The notebook with the markdown cells of other languages left out.

    Notebooks hold their narrative in each language, in cells tagged ``lang-zh``,
    ``lang-en``; untagged cells are shown in every language.
    """
    import copy

    nb = copy.deepcopy(nb)
    nb.cells = [
        c
        for c in nb.cells
        if not any(
            t.startswith("lang-") and t != f"lang-{lang}" for t in c.metadata.get("tags", [])
        )
    ]
    return nb


def _toc(body: str, lang: str) -> str:
    """The contents list of the page's ``<h2>`` headings (their text only, escaped)."""
    entries = [(unescape_html(a), html_text(text)) for a, text in _H2.findall(body)]
    if not entries:
        return ""
    items = "".join(
        f'<li><a href="#{escape_html(a)}">{escape_html(t)}</a></li>' for a, t in entries
    )
    return f'<nav class="cx-toc"><b>{escape_html(msg("page.toc", lang))}</b><ul>{items}</ul></nav>'


def css_string(value: object) -> str:
    """Text for a CSS string in double quotes inside a ``<style>`` element: every character that
    could end the string, the declaration or the element is written as a CSS escape.

    Parameters
    ----------
    value : object
        Text for the page's CSS (its ``str()``), such as the report title in a running header.

    Returns
    -------
    str
        The text with each of ``"'\\<>&;{}`` and every non-printable character written as
        ``\\<hex> `` (a CSS escape ends at its space).

    Examples
    --------
    >>> print(css_string('满意度 "x" </style><b>'))
    满意度 \\22 x\\22  \\3c /style\\3e \\3c b\\3e
    """
    return "".join(
        f"\\{ord(c):x} " if c in "\"'\\<>&;{}" or not c.isprintable() else c for c in str(value)
    )


_exporters: dict[bool, Any] = {}
#: Text the template and nbconvert write around the values: the header's full-width colon and
#: the heading anchors' pilcrow.
_TEMPLATE_TEXT = "：¶"
#: Held while an exporter is made or renders: rendering is pure Python, so pages of parallel
#: jobs would not render faster side by side, and one exporter's templates compile once a run.
_render_lock = threading.RLock()


def warm_up(*, render: bool = True) -> None:
    """Import and set up what running and rendering a page need, ahead of the first page.

    Parameters
    ----------
    render : bool
        Besides papermill (what running a page needs), set up rendering: nbconvert, the
        exporter with its templates compiled (a first render of a tiny notebook) and the message
        catalogue. ``cxlab report`` imports papermill while its zygote checks the survey, and
        sets up rendering in a thread while the first page runs, so that neither waits on the
        path of a page.

    Examples
    --------
    >>> warm_up()
    """
    from cxlab.fonts import page_characters
    from cxlab.runner import import_papermill

    import_papermill()
    if not render:
        return
    import nbformat

    # One output of each kind a page has, so that every template, regular expression and table
    # the exporter builds on first use is built now.
    html = '<table><td>&amp;&lt;<img alt="" src="data:image/png;base64,AA=="></td></table>'
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "## 样本\n\n*x* & `y`"}),
        nbformat.v4.new_output("display_data", {"text/html": html}),
        nbformat.v4.new_output("stream", name="stdout", text="x\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题\n\n## 一"), cell])
    resources = {"cxlab": {"meta": [("x", "y")], "footer": "", "rule": "", "title": ""}}
    with _render_lock:
        body, _ = _exporter(False).from_notebook_node(nb, resources=resources)
    _toc(body, "zh")
    page_characters(body)


def _exporter(show_code: bool):
    """The HTML exporter for a setting: made once, used under :data:`_render_lock`."""
    cached = _exporters
    if show_code not in cached:
        from cxlab.runner import fast_jupyter_imports

        fast_jupyter_imports()
        cached[show_code] = _exporter_class()(
            template_name="cxlab_report",
            extra_template_basedirs=[str(TEMPLATE)],
            exclude_input=not show_code,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            optimistic_validation=True,  # validate once, not after each preprocessor
            filters={"cx_escape": escape_html, "cx_css_string": css_string},
        )
    return cached[show_code]


def _exporter_class():
    """nbconvert's HTML exporter without its last pass, done here in a tenth of the time.

    ``HTMLExporter.from_notebook_node`` parses the finished page with BeautifulSoup only to give
    each image without one an ``alt`` text and each input and output block ``tabindex="0"``:
    about 75 ms of a report page's 100 ms of rendering. This exporter renders the same template
    with the same filters and adds both with :func:`_accessible` (tested against nbconvert's own
    result in ``tests/test_share.py``).
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(body), resources

    return ReportExporter


#: What nbconvert writes for an image with no description of its own.
NO_ALT = "No description has been provided for this image"
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)(?=[\s>/])")
_FOCUSABLE = re.compile(
    r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*"'
    r"(?![^>]*\stabindex=)[^>]*?)(/?>)"
)


def _accessible(body: str) -> str:
    """Every ``<img>`` with an ``alt`` text, every input and output block focusable
    (``tabindex="0"``), as nbconvert's HTML exporter makes them.

    Examples
    --------
    >>> _accessible('<div class="jp-OutputArea-output x"><img src="a.png"></div>')
    '<div class="jp-OutputArea-output x" tabindex="0"><img alt="No description has been provided for this image" src="a.png"></div>'
    """
    body = _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT}"', body)
    return _FOCUSABLE.sub(r'\1 tabindex="0"\2', body)


def _render_html(nb, frame: _Frame, *, show_code: bool, fonts: Any = None) -> str:
    """The page: the notebook through the report template, with its own font embedded.

    With a :class:`cxlab.fonts.FontWorker`, the font is cut in that process from the
    characters the notebook and frame can show, while this one renders; a character the page
    shows beyond them (never expected) makes the font be cut again here from the page itself.
    """
    from cxlab.fonts import font_face_css, notebook_characters, page_characters

    nb = _for_language(nb, frame.lang)
    if not show_code:
        # Warnings on stderr stay in the executed notebook beside the page, not in the shared page.
        nb = _without_stderr(nb)
    frame_text = [
        frame.title,
        frame.footer,
        frame.rule,
        msg("page.toc", frame.lang),
        _TEMPLATE_TEXT,
    ]
    frame_text += [f"{k}{v}" for k, v in frame.meta] + ["0123456789 /"]
    expected = notebook_characters(nb, *frame_text)
    font = fonts.submit(expected) if fonts is not None else None  # None if it cannot work
    resources = {
        "cxlab": {
            "meta": frame.meta,
            "footer": frame.footer,
            "rule": frame.rule,
            "title": frame.title,
        }
    }
    with _render_lock:
        body, _ = _exporter(show_code).from_notebook_node(nb, resources=resources)
    body = _TITLE.sub(lambda _: f"<title>{escape_html(frame.title)}</title>", body, count=1)
    body = body.replace("<!--CXLAB_TOC-->", _toc(body, frame.lang), 1)
    # The page's own font: every character of its text (the print footer's title and numbers too).
    shown = page_characters(body)
    css = font.result() if font is not None and set(shown) <= set(expected) else None
    css = css or font_face_css(shown + "".join(frame_text))
    return body.replace("<!--CXLAB_FONT-->", f"<style>{css}</style>", 1)


def _without_stderr(nb):
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    return nb


def _without_tracebacks(nb, lang: str = "zh"):
    """A copy whose error outputs are one line each: the page may be shared, the
    traceback stays in the executed notebook kept beside it."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [
            nbformat.v4.new_output(
                "stream",
                name="stdout",
                text=msg(
                    "page.cell_failed",
                    lang,
                    error=bounded(f"{o.get('ename')}: {o.get('evalue')}", one_line=True),
                )
                + "\n",
            )
            if o.get("output_type") == "error"
            else o
            for o in cell.outputs
        ]
    return nb


def _failed_cell(nb) -> str:
    """Where a run failed: the code cell (counted as in the notebook file) and the error."""
    number = 0
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "injected-parameters" in tags:
            continue  # papermill adds the injected-parameters cell; it is not the user's
        number += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                lines = cell.source.strip().splitlines()
                head = lines[0][:80] if lines else ""
                error = bounded(
                    f"{out.get('ename')}: {out.get('evalue')}", limit=400, one_line=True
                )
                return bounded(f"{error} (code cell {number}: {head})", one_line=True)
    return "unknown error"


# -- the index -------------------------------------------------------------------------------------


def _read_index(out_root: Path) -> list[dict]:
    path = out_root / "index.json"
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        log.warning(
            "reports/index.json was unreadable; starting a new one (old kept as index.json.bak)"
        )
        shutil.copy2(path, path.with_suffix(".json.bak"))
        return []


def _write_index(out_root: Path, runs: list[dict]) -> None:
    for left in out_root.glob(".index.*.tmp"):  # from a run killed while writing (we hold the lock)
        left.unlink(missing_ok=True)
    _atomic_write(out_root / "index.json", json.dumps(runs, ensure_ascii=False, indent=1))
    _atomic_write(out_root / "index.html", render_index(runs))


def _record(out_root: Path, run: Run) -> None:
    from filelock import FileLock

    with FileLock(str(out_root / ".index.lock")):
        runs = _read_index(out_root)
        if run.status == "succeeded":
            # The page of an earlier success of the same report that day was replaced by this one.
            runs = [
                r
                for r in runs
                if not (
                    r["date"] == run.date and r["stem"] == run.stem and r["status"] == "succeeded"
                )
            ]
        runs.append(run.__dict__)
        runs.sort(key=lambda r: r["started"], reverse=True)
        _write_index(out_root, runs)


def _index_row(r: dict, lang: str) -> str:
    e = escape_html
    stem = e(r["stem"])
    link = f'<a href="{e(r["html"])}">{stem}</a>' if r.get("html") else stem
    if r.get("pdf"):
        link += f' · <a href="{e(r["pdf"])}">PDF</a>'
    shown = ", ".join(
        f"{k}={v}"
        for k, v in r["parameters"].items()
        if k not in FILE_PARAMETERS and k not in RUNNER_PARAMETERS
    )
    ok = r["status"] == "succeeded"
    status = msg("report_index.succeeded" if ok else "report_index.failed", lang)
    alert = ""
    if ok and r.get("alert"):
        alert = f' <b class="alert">{e(msg("report_index.alert", lang))}</b>'
    err = "" if ok else f'<div class="err">{e(bounded(r.get("error") or "", one_line=True))}</div>'
    data = Path(r["data"]).name if r.get("data") else "—"
    seconds = msg("report_index.seconds", lang, seconds=f"{r['duration_s']:.1f}")
    unit = ""
    if r.get("unit") is not None:
        base = r.get("base")
        min_base = r.get("min_base") or page_min_base(parameter=r["parameters"].get("min_base"))
        small = msg("report_index.small", lang, min_base=min_base)
        note = f" ({e(small)})" if base is not None and base < min_base else ""
        unit = f"<td>{e(r['unit'])}</td><td>{e('—' if base is None else base)}{note}</td>"
    return (
        f"<tr>{unit}<td>{e(r['date'])}</td><td>{e(r['started'][11:19])}</td>"
        f"<td>{link}</td><td>{e(bounded(shown) or '—')}</td>"
        f'<td title="SHA-256 {e(r.get("data_sha256") or "")}">{e(data)}</td>'
        f'<td class="{"ok" if ok else "failed"}">{e(status)}{alert}{err}</td>'
        f"<td>{e(seconds)}</td></tr>"
    )


_INDEX_STYLE = """body { font-family: "cxlab Noto Sans CJK", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 1100px; margin: 24px auto; padding: 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f3f6f9; } .ok { color: #1b7f3b; } .failed { color: #b00020; font-weight: bold; }
.alert { color: #b36b00; }
.err { font-weight: normal; color: #555; font-size: 0.9em; }"""


_INDEX_COLUMNS = ("date", "time", "report", "parameters", "data", "status", "duration")


def _index_table(runs: list[dict], lang: str, *, units: bool) -> str:
    columns = (("unit", "base") if units else ()) + _INDEX_COLUMNS
    header = "".join(f"<th>{msg(f'report_index.{k}', lang)}</th>" for k in columns)
    body = "\n".join(_index_row(r, lang) for r in runs) or (
        f'<tr><td colspan="{len(columns)}">{msg("report_index.empty", lang)}</td></tr>'
    )
    return f"<table><thead><tr>{header}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def _natural(value: object) -> list:
    """Sort key of a unit: its runs of digits as numbers (store 2 before store 10)."""
    parts = re.split(r"(\d+)", str(value))  # text, digits, text, ...: digits at odd places
    numbers = [part.lstrip("0") for part in parts]  # compared by length, then digits: any length
    return [(len(numbers[i]), numbers[i]) if i % 2 else part for i, part in enumerate(parts)]


def _index_tables(runs: list[dict], lang: str) -> str:
    """The whole-survey runs (when there are any), then one table per ``--each`` column with
    its units in order."""
    whole = [r for r in runs if r.get("unit") is None]
    by_each: dict[str, list[dict]] = {}
    for r in runs:
        if r.get("unit") is not None:
            by_each.setdefault(str(r.get("each_label") or r.get("each")), []).append(r)
    if not by_each:
        return _index_table(whole, lang, units=False)
    parts = []
    if whole:  # with unit pages only, no empty table saying "no reports yet"
        parts += [
            f"<h2>{msg('report_index.whole', lang)}</h2>",
            _index_table(whole, lang, units=False),
        ]
    for each in sorted(by_each):
        grouped = sorted(by_each[each], key=lambda r: (_natural(r["unit"]), r["name"]))
        heading = escape_html(msg("report_index.by_unit", lang, each=each))
        parts += [f"<h2>{heading}</h2>", _index_table(grouped, lang, units=True)]
    return "\n".join(parts)


def render_index(runs: list[dict], *, lang: str = "zh", embed_font: bool = True) -> str:
    """The HTML of ``reports/index.html``: every run, newest first, with relative links.

    Parameters
    ----------
    runs : list of dict
        Records as in ``reports/index.json`` (see :class:`Run`), newest first.
    lang : {"zh", "en"}
        Language of the page's own words.
    embed_font : bool
        Embed the subset of Noto Sans CJK the page's text needs (:mod:`cxlab.fonts`), as the
        report pages do.

    Returns
    -------
    str
        A complete HTML page. Runs of ``--each`` pages are grouped by their column, units in
        order; every value of a record is escaped; error messages are cut to one line of at
        most ``cxlab.markup.MESSAGE_LIMIT`` characters.

    Examples
    --------
    >>> run = {"date": "2026-01-05", "started": "2026-01-05T08:00:00", "stem": "x<b>",
    ...        "html": "2026-01-05/x.html", "parameters": {"wave": "<i>"}, "data": None,
    ...        "status": "succeeded", "duration_s": 3.0}
    >>> page = render_index([run], lang="en")
    >>> "x&lt;b&gt;" in page and "wave=&lt;i&gt;" in page and "<b>" not in page
    True
    """
    title = msg("report_index.title", lang)
    html_lang = "zh-CN" if lang == "zh" else lang
    page = f"""<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
{_INDEX_STYLE}
</style><!--CXLAB_FONT--></head><body>
<h1>{title}</h1>
<p>{msg("report_index.intro", lang)}</p>
{_index_tables(runs, lang)}
<p style="color:#777;font-size:0.85em">cxlab {escape_html(__version__)}</p>
</body></html>
"""
    if not embed_font:
        return page
    from cxlab.fonts import font_face_css, page_characters

    css = font_face_css(page_characters(page))
    return page.replace("<!--CXLAB_FONT-->", f"<style>{css}</style>", 1)


# -- running ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """One run of one report, from the moment its lock is held."""

    path: Path
    params: dict
    out_root: Path
    day: str
    stem: str
    show_code: bool
    progress: bool
    started: dt.datetime
    t0: float
    digest: str | None
    kernels: Any = None
    printer: Any = None
    base: int | None = None
    fonts: Any = None
    #: The codebook's ``min_base:`` (None: it has none).
    codebook_min_base: int | None = None
    #: Language -> the codebook's label of the ``--each`` column (empty: its name is shown).
    each_label: dict = field(default_factory=dict)
    #: Seconds each step took (:meth:`mark`), for the log's breakdown of a page's time.
    steps: dict = field(default_factory=dict)

    def mark(self, step: str) -> None:
        """Note that ``step`` ended now: it took the time since the step before it."""
        now = time.perf_counter()
        self.steps[step] = now - self.steps.get("_last", self.t0)
        self.steps["_last"] = now

    def breakdown(self) -> str:
        return ", ".join(f"{k} {v:.2f}" for k, v in self.steps.items() if k != "_last")

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def unit(self) -> str | None:
        return self.params.get("unit") if self.params.get("each") else None

    @property
    def unit_column(self) -> str:
        """What this page calls its ``--each`` column: the codebook's label in the page's
        language, else the column's name."""
        return str(self.each_label.get(self.lang) or self.params.get("each", ""))

    @property
    def min_base(self) -> int:
        """The ``min_base`` parameter when given (> 0), else the codebook's, else 30: the rule
        :attr:`cxlab.notebook.ReportContext.min_base` applies inside the page."""
        return page_min_base(
            parameter=self.params.get("min_base"), codebook_value=self.codebook_min_base
        )

    @property
    def small(self) -> bool:
        """A unit page whose unit has fewer respondents than ``min_base``."""
        return self.unit is not None and small_unit(
            self.base, self.params, codebook_min_base=self.codebook_min_base
        )

    @property
    def lang(self) -> str:
        return self.params.get("lang", "zh")

    @property
    def data_path(self) -> Path:
        return Path(self.params["data"]) if self.params.get("data") else SAMPLE_DATA

    @property
    def codebook(self) -> str | None:
        return self.params.get("codebook") or None

    @property
    def out_dir(self) -> Path:
        return self.out_root / self.day

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def record(
        self, status: str, *, html: str | None = None, error: str | None = None, pdf: bool = False
    ) -> Run:
        return Run(
            name=self.name,
            stem=self.stem,
            date=self.day,
            status=status,
            html=html,
            notebook=html[:-5] + ".ipynb" if html and status == "succeeded" else None,
            parameters=self.params,
            data=str(self.data_path),
            data_sha256=self.digest,
            codebook=self.codebook,
            started=self.started.isoformat(),
            duration_s=self.seconds(),
            error=error,
            pdf=html[:-5] + ".pdf" if html and pdf else None,
            each=self.params.get("each") if self.unit is not None else None,
            each_label=self.unit_column if self.unit is not None else None,
            unit=self.unit,
            base=self.base if self.unit is not None else None,
            min_base=self.min_base,
        )


def run_report(
    notebook: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    out_root: str | Path = "reports",
    show_code: bool = False,
    from_text: bool = False,
    lock_timeout: float = 1800,
    today: dt.date | None = None,
    progress: bool | None = None,
    on_start: Callable[[str], None] | None = None,
    pdf: bool = False,
    kernels: Any = None,
    printer: Any = None,
    base: int | None = None,
    fonts: Any = None,
    codebook_min_base: int | None = None,
    each_label: Mapping[str, str] | None = None,
) -> Path:
    """Execute one notebook with papermill and render it to a dated HTML report.

    Parameters
    ----------
    notebook : str or Path
        Report name (``notebooks/<name>.ipynb``) or a notebook path.
    parameters : mapping, optional
        Values for the notebook's ``parameters`` cell; checked before any kernel
        starts (see :func:`check_parameters`).
    out_root : str or Path
        The reports folder.
    show_code : bool
        Keep code cells in the HTML (hidden by default).
    from_text : bool
        Parameter values are text from the command line, to be converted.
    lock_timeout : float
        Seconds to wait for another run writing the same report to finish.
    today : datetime.date, optional
        The report date (default: today).
    progress : bool, optional
        Show papermill's cell progress bar (default: when stderr is a terminal).
    on_start : callable, optional
        Called with the report's stem once its lock is held.
    pdf : bool
        Also print the page to ``<stem>.pdf`` beside it (A4, with headless Chromium).
    kernels : cxlab.runner.KernelPool, optional
        Where the page's kernel comes from (a command running many pages passes one pool);
        default: papermill starts a kernel.
    printer : cxlab.pdf.Printer, optional
        The browser that prints (a command printing many pages passes one); default: one is
        started for this page when ``pdf`` is true.
    base : int, optional
        For a unit page (parameters ``each`` and ``unit``): the unit's respondents in the period
        reported, if the caller counted them already (see :func:`unit_bases`). A unit with fewer
        than ``min_base`` (the parameter, else the codebook's, else 30) gets a page that says so and shows nothing
        else, written without a kernel.
    fonts : cxlab.fonts.FontWorker, optional
        Where the page's font is cut (in parallel with rendering); default: in this process.
    codebook_min_base : int, optional
        The survey's own small-base rule, if the caller read it already: its codebook's
        ``min_base:``, or 30 when it has none (see :func:`cxlab.check.plan_pages`);
        default: read from the survey now. The page's rule is the ``min_base`` parameter when
        given (> 0), else this.

    Returns
    -------
    pathlib.Path
        ``out_root/YYYY-MM-DD/<stem>.html``, the stem from :func:`report_stem`.

    Raises
    ------
    ReportError
        Bad parameters, a reports folder that cannot be used, a failing cell (after the
        executed notebook and partial HTML were kept under ``_failed/``) or a file-system
        fault while writing (after the failure was recorded in the index where possible).
        :class:`ReportLocked` when the lock was held for longer than ``lock_timeout``.

    Examples
    --------
    A wrong parameter stops the run before any kernel starts:

    >>> run_report("satisfaction", parameters={"lang": "fr"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxlab.reports.ReportError: Report 'satisfaction': `lang` should be one of ['en', 'zh'], ...
    """
    from filelock import FileLock, Timeout

    path = notebook_path(notebook)
    params = check_parameters(path, parameters, from_text=from_text)
    out_root = Path(out_root)
    stem = report_stem(path.stem, params)
    _prepare_folder(out_root)
    lock = FileLock(str(out_root / ".locks" / f"{stem}.lock"))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise ReportLocked(
            f"Report {stem!r}: another cxlab run is writing it (lock {lock.lock_file}); "
            f"waited {lock_timeout:g} s. Try again when it has finished."
        ) from None
    try:
        job = _Job(
            path=path,
            params=params,
            out_root=out_root,
            day=(today or dt.date.today()).isoformat(),
            stem=stem,
            show_code=show_code,
            progress=sys.stderr.isatty() if progress is None else progress,
            started=dt.datetime.now().astimezone(),
            t0=time.perf_counter(),
            digest=_sha256(params["data"] if params.get("data") else SAMPLE_DATA),
            kernels=kernels,
            base=base,
            fonts=fonts,
            codebook_min_base=codebook_min_base,
            each_label=dict(each_label or {}),
        )
        if codebook_min_base is None and not params.get("min_base"):
            job = replace(job, codebook_min_base=_codebook_min_base(params))
        if job.unit is not None and base is None:
            job = replace(job, base=unit_bases(params, params["each"]).get(job.unit, 0))
        if not pdf:
            return _run_locked(job, on_start)
        if printer is not None:
            return _run_locked(replace(job, printer=printer), on_start)
        from cxlab.pdf import Printer

        with Printer() as own:
            return _run_locked(replace(job, printer=own), on_start)
    finally:
        lock.release()


def _run_locked(job: _Job, on_start: Callable[[str], None] | None) -> Path:
    if on_start:
        on_start(job.stem)
    log.info("start %s parameters=%s", job.stem, bounded(job.params, one_line=True))
    try:
        _clean_scratch(job.out_root, job.stem)
        with tempfile.TemporaryDirectory(
            dir=job.out_root / ".tmp", prefix=f"{job.stem}.", ignore_cleanup_errors=True
        ) as tmp:
            executed = Path(tmp) / f"{job.stem}.ipynb"
            if job.small:
                nb, error = _small_base_notebook(job), None
            else:
                nb, error = _execute(job, executed)
                if nb is None:  # papermill kept what ran up to the failing cell, if it got there
                    nb = _read_notebook(executed if executed.exists() else job.path)
            frame = _page_frame(job, nb)
            nb.metadata["cxlab"] = frame.provenance
            if error is not None:
                _keep_failed(job, nb, frame, error, executed)
            target = _publish_report(job, nb, frame, Path(tmp))
        rel = target.relative_to(job.out_root).as_posix()
        run = job.record("succeeded", html=rel, pdf=job.printer is not None)
        _record(job.out_root, dataclasses.replace(run, alert=has_alert(nb)))
    except OSError as e:
        _fail_on_disk(job, e)
    job.mark("index")
    log.info("done %s in %.1f s (%s s) -> %s", job.stem, job.seconds(), job.breakdown(), target)
    return target


def _execute(job: _Job, executed: Path) -> tuple[Any, Exception | None]:
    """Run the notebook into ``executed``: the executed notebook (None after an error, which
    papermill wrote to ``executed`` as far as it ran) and the error that stopped it, if any.

    The executed notebook is written once at the end (or at the failing cell), not after every
    cell: papermill would otherwise validate and write the whole notebook twice per cell.
    """
    from cxlab.runner import import_papermill

    papermill = import_papermill()
    where: dict[str, Any] = {"cwd": str(job.path.parent), "extra_arguments": _KERNEL_ARGUMENTS}
    km = None
    try:
        if job.kernels is not None:
            km = job.kernels.take(job.path.parent)
            job.mark("kernel")
            where = {"km": km}  # the kernel runs in the notebook's folder already
        nb = papermill.execute_notebook(
            str(job.path),
            str(executed),
            parameters=dict(job.params),
            kernel_name="python3",
            progress_bar=job.progress,
            log_output=False,
            request_save_on_cell_execute=False,
            **where,
        )
    except OSError:
        raise  # a file-system fault, not the notebook's
    except Exception as e:  # a failing cell, a kernel that died, an unreadable notebook...
        return None, e
    finally:
        if km is not None:
            job.kernels.release(km, wait=False)  # ended while the page renders
    return nb, None


def _read_notebook(path: Path):
    from cxlab.runner import fast_jupyter_imports

    fast_jupyter_imports()
    import nbformat

    return nbformat.read(path, as_version=4)


def _page_frame(job: _Job, nb) -> _Frame:
    """Header lines, footer and provenance of the page, in the report's language."""
    lang, versions, digest = job.lang, package_versions(), job.digest
    title = _title(_for_language(nb, lang), job.params, job.name)
    if job.unit is not None:
        title = msg("page.unit_title", lang, title=title, each=job.unit_column, unit=job.unit)
    shown = ", ".join(
        f"{k}={v}"
        for k, v in job.params.items()
        if k not in FILE_PARAMETERS and k not in RUNNER_PARAMETERS
    )
    unit = []
    if job.unit is not None:
        base = msg("page.unit_base", lang, each=job.unit_column, unit=job.unit, n=job.base)
        unit = [(msg("page.unit", lang), base)]
    meta = [
        (msg("page.report", lang), msg("page.report_name", lang, title=title, name=job.name)),
        *unit,
        (msg("page.time", lang), job.started.strftime("%Y-%m-%d %H:%M:%S %Z")),
        (
            msg("page.data", lang),
            msg(
                "page.data_digest",
                lang,
                file=job.data_path.name,
                digest=(digest or msg("page.unreadable", lang))[:16],
            ),
        ),
        (
            msg("page.codebook", lang),
            Path(job.codebook).name if job.codebook else msg("page.codebook_beside", lang),
        ),
        (msg("page.parameters", lang), bounded(shown) or msg("page.defaults", lang)),
    ]
    footer = msg(
        "page.footer",
        lang,
        version=versions["cxlab"],
        started=job.started.isoformat(timespec="seconds"),
        seconds=f"{job.seconds():.1f}",
        data=job.data_path,
        digest=digest,
        versions=", ".join(f"{k} {v}" for k, v in versions.items() if k != "cxlab"),
    )
    provenance = {
        "parameters": job.params,
        "data": str(job.data_path),
        "data_sha256": digest,
        "codebook": job.codebook,
        "versions": versions,
        "started": job.started.isoformat(),
        "duration_s": job.seconds(),
        "unit": {"each": job.params["each"], "unit": job.unit, "base": job.base}
        if job.unit is not None
        else None,
    }
    rule = msg("page.min_base_rule", lang, min_base=job.min_base)
    return _Frame(
        title=title, meta=meta, footer=footer, lang=lang, provenance=provenance, rule=rule
    )


def _publish_report(job: _Job, nb, frame: _Frame, tmp: Path) -> Path:
    """Render the page and move it, with the executed notebook, into the dated folder."""
    import nbformat

    job.mark("execute")
    page = _render_html(nb, frame, show_code=job.show_code, fonts=job.fonts)
    job.mark("render")
    executed, html_tmp = tmp / f"{job.stem}.ipynb", tmp / f"{job.stem}.html"
    nbformat.write(nb, str(executed))
    _write_text(html_tmp, page)
    job.out_dir.mkdir(parents=True, exist_ok=True)
    target = job.out_dir / f"{job.stem}.html"
    moves = [(executed, target.with_suffix(".ipynb")), (html_tmp, target)]
    if job.printer is not None:
        from cxlab.pdf import PrintError

        pdf_tmp = tmp / f"{job.stem}.pdf"
        try:
            job.printer.print(html_tmp, pdf_tmp)
        except PrintError as e:
            where = bounded(e, one_line=True)
            log.error("failed %s: %s", job.stem, where)
            _record(job.out_root, job.record("failed", error=where))
            raise ReportError(f"Report {job.stem!r}: {where}") from None
        moves.append((pdf_tmp, target.with_suffix(".pdf")))
    _publish(moves)
    job.mark("write")
    return target


def _small_base_notebook(job: _Job):
    """The page of a unit under ``min_base``: its title and one sentence, nothing else (that it
    has no respondents in the period, when it has none)."""
    import nbformat

    from cxlab.markup import escape_markdown

    source = _read_notebook(job.path)
    lang = job.lang
    title = _title(_for_language(source, lang), job.params, job.name)
    nb = nbformat.v4.new_notebook(metadata=source.metadata)
    text = msg(
        "page.small_base" if job.base else "page.no_respondents",
        lang,
        each=escape_markdown(job.unit_column),
        unit=escape_markdown(job.unit),
        n=job.base,
        min_base=job.min_base,
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {escape_markdown(title)}"),
        nbformat.v4.new_markdown_cell(text),
    ]
    return nb


def _keep_failed(job: _Job, nb, frame: _Frame, error: Exception, executed: Path) -> None:
    """Keep the executed notebook and a partial page under ``_failed/``, record, raise."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        where = _failed_cell(nb)
    else:
        where = bounded(f"{type(error).__name__}: {error}", one_line=True)
    lang = job.lang
    partial = _render_html(
        _without_tracebacks(nb, lang),
        replace(
            frame,
            title=msg("page.failed_title", lang, title=frame.title),
            meta=[(msg("page.status", lang), msg("page.failed_status", lang, where=where))]
            + frame.meta,
        ),
        show_code=False,
    )
    failed_dir = job.out_root / "_failed" / job.day
    failed_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(executed))
    html_tmp = executed.with_suffix(".html")
    _write_text(html_tmp, partial)
    target = failed_dir / f"{job.stem}.html"
    _publish([(executed, target.with_suffix(".ipynb")), (html_tmp, target)])
    rel = target.relative_to(job.out_root).as_posix()
    _record(job.out_root, job.record("failed", html=rel, error=where))
    log.error("failed %s: %s", job.stem, where)
    raise ReportError(
        f"Report {job.name!r} failed: {where}. The executed notebook and a partial page are in "
        f"{failed_dir}; the previous report (if any) was kept."
    )


def _fail_on_disk(job: _Job, e: OSError) -> None:
    """Record a file-system fault in the log and (if it can still be written) the index."""
    where = _fs_message(e)
    log.error("failed %s: %s", job.stem, where)
    try:
        _record(job.out_root, job.record("failed", error=where))
    except OSError as again:
        log.error("could not record the failure of %s: %s", job.stem, _fs_message(again))
        where += f"; the index could not be updated either ({again.strerror})"
    raise ReportError(
        f"Report {job.name!r} could not be written: {where}. The previous report (if any) was kept."
    ) from None


def _title(nb, params: Mapping[str, Any], name: str) -> str:
    if params.get("title"):
        return str(params["title"])
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return name


def prune(out_root: str | Path, keep_days: int, *, today: dt.date | None = None) -> list[Path]:
    """Delete dated report folders older than ``keep_days`` days, and their index entries.

    Parameters
    ----------
    out_root : str or Path
        The reports folder.
    keep_days : int
        Days to keep, at least 1: today's folder (the run just made) is never removed.
    today : datetime.date, optional
        Default: today.

    Returns
    -------
    list of pathlib.Path
        The folders removed. Folders not named YYYY-MM-DD are never touched.

    Examples
    --------
    >>> prune("reports", 0)
    Traceback (most recent call last):
    ...
    ValueError: `keep_days` should be a whole number of days, at least 1, not 0.
    """
    from filelock import FileLock

    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or keep_days < 1:
        raise ValueError(
            f"`keep_days` should be a whole number of days, at least 1, not {keep_days!r}."
        )
    out_root = Path(out_root)
    cutoff = (today or dt.date.today()) - dt.timedelta(days=keep_days)
    removed = []
    for parent in (out_root, out_root / "_failed"):
        if not parent.is_dir():
            continue
        for folder in sorted(parent.iterdir()):
            try:
                day = dt.date.fromisoformat(folder.name)
            except ValueError:
                continue
            if folder.is_dir() and day < cutoff:
                shutil.rmtree(folder)
                removed.append(folder)
    if removed:
        with FileLock(str(out_root / ".index.lock")):
            runs = [r for r in _read_index(out_root) if dt.date.fromisoformat(r["date"]) >= cutoff]
            _write_index(out_root, runs)
        log.info("pruned %d folder(s) older than %s", len(removed), cutoff)
    return removed


def small_unit(
    base: int | None, parameters: Mapping[str, Any], *, codebook_min_base: int | None = None
) -> bool:
    """Whether a unit's page (``--each``) says only that its unit is under ``min_base``: such a
    page runs no kernel.

    Parameters
    ----------
    base : int or None
        The unit's respondents in the period (None: not known, the page runs).
    parameters : mapping
        The page's parameters (``min_base`` when given).
    codebook_min_base : int, optional
        The codebook's ``min_base:`` (:func:`cxlab.codebook.page_min_base` decides).

    Returns
    -------
    bool

    Examples
    --------
    >>> small_unit(12, {}), small_unit(12, {"min_base": "10"}), small_unit(None, {})
    (True, False, False)
    """
    min_base = page_min_base(parameter=parameters.get("min_base"), codebook_value=codebook_min_base)
    return base is not None and base < min_base


def unit_bases(parameters: Mapping[str, Any], each: str) -> dict[str, int]:
    """Respondents of each value of ``each`` in the period a report shows: its unit pages.

    Parameters
    ----------
    parameters : mapping
        The report's checked parameters: ``data`` and ``codebook`` name the survey (default:
        the sample), ``wave`` (or ``period``) the period (default: the latest).
    each : str
        The column with one page per value (a store, region or channel column).

    Returns
    -------
    dict
        Unit value (as text) -> respondents in the period, for every value that occurs in the
        survey (a unit without respondents in the period has 0), sorted by value. Rows without
        a value get no page.

    Raises
    ------
    ReportError
        The survey has no column ``each`` (the message lists its segments), or cannot be read.

    Examples
    --------
    >>> bases = unit_bases({"wave": "2025Q4"}, "region")
    >>> list(bases), bases["华东"]
    (['华东', '华北', '华南', '港台', '西部'], 446)
    """
    from cxlab.check import load_checked, unit_counts

    try:
        sv = load_checked(parameters.get("data"), codebook=parameters.get("codebook") or None)
    except Exception as e:
        raise ReportError(f"--each {each}: {bounded(e, one_line=True)}") from None
    period = parameters.get("period") or parameters.get("wave") or ""
    try:
        return unit_counts(sv, each, period=period)
    except ValueError as e:
        raise ReportError(bounded(e, one_line=True)) from None


def _codebook_min_base(params: Mapping[str, Any]) -> int | None:
    """The ``min_base:`` of the codebook of the page's survey; None if it has none or the survey
    cannot be read (the page then reports that itself)."""
    from cxlab.check import load_checked

    try:
        sv = load_checked(params.get("data"), codebook=params.get("codebook") or None)
    except Exception:
        return None
    return sv.codebook.min_base


#: File types a survey export can have (codebooks and logs are not surveys).
SURVEY_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".sav", ".zsav", ".parquet")


def newest_data_file(folder: str | Path) -> Path:
    """The most recently modified survey export in ``folder`` (for scheduled runs).

    Parameters
    ----------
    folder : str or Path

    Returns
    -------
    pathlib.Path
        The newest file with a survey suffix (:data:`SURVEY_SUFFIXES`); ties by name.

    Raises
    ------
    ReportError
        The folder does not exist or holds no survey file.

    Examples
    --------
    >>> from cxlab.paths import SAMPLE_DIR
    >>> newest_data_file(SAMPLE_DIR).name
    'survey.csv'
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"Data folder {folder} does not exist.")
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SURVEY_SUFFIXES]
    if not files:
        raise ReportError(f"No survey file ({', '.join(SURVEY_SUFFIXES)}) in {folder}.")
    return max(files, key=lambda p: (p.stat().st_mtime, p.name))

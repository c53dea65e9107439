"""Run parameterised notebooks into dated, self-contained HTML reports.

Only this module knows about papermill and nbconvert. One run:

1. checks the parameters against the notebook's ``parameters`` cell (before any
   kernel starts);
2. takes a lock on the report's name, so two runs never write it at once;
3. executes the notebook with papermill into a temporary folder;
4. renders HTML (code hidden, nothing loaded from another host) with a header,
   a table of contents and a provenance footer;
5. moves the HTML and the executed notebook into ``reports/YYYY-MM-DD/``
   (``os.replace``: a reader sees the old report or the new one, never half);
6. records the run in ``reports/index.json`` and rewrites ``reports/index.html``.

A failed run leaves the previous report alone, keeps the executed notebook and
a partial HTML page under ``reports/_failed/YYYY-MM-DD/``, records the failure
in the index and raises :class:`ReportError` naming the notebook and the cell.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import json
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cxlab import __version__
from cxlab.io import file_sha256 as sha256
from cxlab.paths import NOTEBOOKS, RESOURCES, SAMPLE_DATA

__all__ = [
    "ReportError",
    "ReportLocked",
    "Run",
    "accepted_parameters",
    "check_parameters",
    "list_reports",
    "newest_data_file",
    "prune",
    "render_index",
    "run_report",
]

log = logging.getLogger("cxlab.reports")

#: Parameters that name input files: they go into the provenance, not the file name.
FILE_PARAMETERS = ("data", "codebook")
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


class ReportError(RuntimeError):
    """A report could not be produced; the message names the notebook and what went wrong."""


class ReportLocked(ReportError):
    """Another run held the report's lock for longer than the caller would wait."""


@dataclass(frozen=True)
class Run:
    """The record of one report run, as stored in ``reports/index.json``."""

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
    """The notebook file for a report name (``notebooks/<name>.ipynb``) or a path."""
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
    """Names of the notebooks that are reports (all but those marked ``cxlab.report: false``)."""
    names = []
    for p in sorted(NOTEBOOKS.glob("*.ipynb")):
        meta = json.loads(p.read_text(encoding="utf-8")).get("metadata", {})
        if meta.get("cxlab", {}).get("report", True):
            names.append(p.stem)
    return names


def accepted_parameters(notebook: str | Path) -> dict[str, dict[str, str]]:
    """The parameters a notebook declares: name -> ``{"type", "default", "help"}``.

    Read from the cell tagged ``parameters`` (typed defaults with a comment each).
    """
    import papermill

    path = notebook_path(notebook)
    found = papermill.inspect_notebook(str(path))
    if not found:
        raise ReportError(f"Notebook {path.name} has no cell tagged `parameters`.")
    return {
        k: {"type": v["inferred_type_name"], "default": v["default"], "help": v["help"]}
        for k, v in found.items()
    }


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


def check_parameters(
    notebook: str | Path, parameters: Mapping[str, Any] | None, *, from_text: bool = False
) -> dict[str, Any]:
    """Check parameters against a notebook's ``parameters`` cell; convert text values.

    Parameters
    ----------
    parameters : mapping
        Name -> value. With ``from_text=True`` (the command line) values are text
        converted to the declared type; otherwise their type must match.

    Raises
    ------
    ReportError
        An unknown name or a value of the wrong type, with the list of accepted
        parameters and their types.
    """
    declared = accepted_parameters(notebook)
    out: dict[str, Any] = {}

    def accepted() -> str:
        return "; ".join(f"{k} ({v['type']}, default {v['default']})" for k, v in declared.items())

    name = Path(notebook).stem
    for key, value in (parameters or {}).items():
        if key not in declared:
            raise ReportError(f"Report {name!r} has no parameter `{key}`. Accepted: {accepted()}.")
        kind = declared[key]["type"]
        try:
            if from_text and isinstance(value, str):
                value = _from_text(value, kind, key)
            ok = _TYPES.get(kind)
            if ok and (
                not isinstance(value, ok) or (kind in ("int", "float") and isinstance(value, bool))
            ):
                raise ValueError(
                    f"`{key}` should be a {kind}, not {type(value).__name__} {value!r}"
                )
        except (ValueError, SyntaxError) as e:
            raise ReportError(f"Report {name!r}: {e}. Accepted: {accepted()}.") from None
        out[key] = value
    return out


def parameter_slug(parameters: Mapping[str, Any]) -> str:
    """File-name part for the parameters that shape a report (not its input files)."""
    parts = []
    for k in sorted(parameters):
        if k in FILE_PARAMETERS or k == "title":
            continue
        v = parameters[k]
        text = ",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
        text = re.sub(r"[^\w.,=-]+", "_", text, flags=re.UNICODE).strip("_")[:40]
        parts.append(f"{k}={text}")
    return "--".join(parts)


# -- provenance ------------------------------------------------------------------------------------


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "cxlab": __version__}
    for p in KEY_PACKAGES:
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    return out


# -- rendering -------------------------------------------------------------------------------------

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link".*?</a>)?</h2>', re.S)


#: Words of the page frame, by report language (the `lang` parameter of a notebook).
PAGE_TEXT = {
    "zh": {
        "report": "报告",
        "time": "生成时间",
        "data": "数据文件",
        "codebook": "编码表",
        "beside": "数据文件旁的 codebook.yaml",
        "params": "参数",
        "default": "默认",
        "toc": "目录",
        "status": "状态",
        "failed": "运行失败",
        "run": "运行",
        "took": "用时",
        "seconds": "秒",
        "unreadable": "不可读",
    },
    "en": {
        "report": "Report",
        "time": "Generated",
        "data": "Data file",
        "codebook": "Codebook",
        "beside": "codebook.yaml beside the data file",
        "params": "Parameters",
        "default": "defaults",
        "toc": "Contents",
        "status": "Status",
        "failed": "Failed",
        "run": "run",
        "took": "took",
        "seconds": "s",
        "unreadable": "unreadable",
    },
}


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


def _render_html(
    nb, *, title: str, meta: list[tuple[str, str]], footer: str, show_code: bool, lang: str = "zh"
) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="cxlab_report",
        extra_template_basedirs=[str(TEMPLATE)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    nb = _for_language(nb, lang)
    if not show_code:
        # Warnings on stderr stay in the executed notebook beside the page, not in the shared page.
        nb = _without_stderr(nb)
    body, _ = exporter.from_notebook_node(
        nb, resources={"cxlab": {"title": title, "meta": meta, "footer": footer}}
    )
    toc = [(anchor, re.sub(r"<[^>]+>", "", text).strip()) for anchor, text in _H2.findall(body)]
    nav = ""
    if toc:
        items = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in toc)
        nav = f'<nav class="cx-toc"><b>{PAGE_TEXT[lang]["toc"]}</b><ul>{items}</ul></nav>'
    return body.replace("<!--CXLAB_TOC-->", nav, 1)


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


def _without_tracebacks(nb):
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
                text=f"此单元运行失败：{o.get('ename')}: {o.get('evalue')}\n",
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
                return f"{out.get('ename')}: {out.get('evalue')} (code cell {number}: {head})"
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


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are meant to be shared
    os.replace(tmp, path)


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
        _atomic_write(out_root / "index.json", json.dumps(runs, ensure_ascii=False, indent=1))
        _atomic_write(out_root / "index.html", render_index(runs))


def render_index(runs: list[dict]) -> str:
    """The HTML of ``reports/index.html``: every run, newest first, with relative links."""
    rows = []
    for r in runs:
        link = (
            f'<a href="{html.escape(r["html"])}">{html.escape(r["stem"])}</a>'
            if r.get("html")
            else html.escape(r["stem"])
        )
        params = (
            ", ".join(f"{k}={v}" for k, v in r["parameters"].items() if k not in FILE_PARAMETERS)
            or "—"
        )
        status = "成功" if r["status"] == "succeeded" else "失败"
        cls = "ok" if r["status"] == "succeeded" else "failed"
        err = (
            f'<div class="err">{html.escape(r["error"] or "")}</div>'
            if r["status"] != "succeeded"
            else ""
        )
        rows.append(
            f"<tr><td>{html.escape(r['date'])}</td><td>{html.escape(r['started'][11:19])}</td>"
            f"<td>{link}</td><td>{html.escape(params)}</td>"
            f'<td title="SHA-256 {html.escape(r.get("data_sha256") or "")}">{html.escape(Path(r["data"]).name if r.get("data") else "—")}</td>'
            f'<td class="{cls}">{status}{err}</td><td>{r["duration_s"]:.1f} s</td></tr>'
        )
    body = (
        "\n".join(rows)
        or '<tr><td colspan="7">还没有报告。运行 <code>cxlab report all</code>。</td></tr>'
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>cxlab 报告索引</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 1100px; margin: 24px auto; padding: 0 16px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.92em; }}
th, td {{ text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }}
th {{ background: #f3f6f9; }} .ok {{ color: #1b7f3b; }} .failed {{ color: #b00020; font-weight: bold; }}
.err {{ font-weight: normal; color: #555; font-size: 0.9em; }}
</style></head><body>
<h1>cxlab 报告索引</h1>
<p>每次运行一行，最新的在前。链接是相对路径：整个 <code>reports/</code> 文件夹可以直接复制到共享盘。</p>
<table><thead><tr><th>日期</th><th>时间</th><th>报告</th><th>参数</th><th>数据文件</th><th>状态</th><th>用时</th></tr></thead>
<tbody>
{body}
</tbody></table>
<p style="color:#777;font-size:0.85em">cxlab {html.escape(__version__)}</p>
</body></html>
"""


# -- running ---------------------------------------------------------------------------------------


def run_report(
    notebook: str | Path,
    parameters: Mapping[str, Any] | None = None,
    out_root: str | Path = "reports",
    *,
    show_code: bool = False,
    from_text: bool = False,
    lock_timeout: float = 1800,
    today: dt.date | None = None,
    progress: bool | None = None,
    on_start: Callable[[str], None] | None = None,
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

    Returns
    -------
    pathlib.Path
        ``out_root/YYYY-MM-DD/<name>[--<params>].html``.

    Raises
    ------
    ReportError
        Bad parameters, a lock held too long, or a failing cell (after the
        executed notebook and partial HTML were kept under ``_failed/``).
    """
    from filelock import FileLock, Timeout

    path = notebook_path(notebook)
    name = path.stem
    params = check_parameters(path, parameters, from_text=from_text)
    if "lang" in params and params["lang"] not in PAGE_TEXT:
        raise ReportError(
            f"Report {name!r}: `lang` should be one of {sorted(PAGE_TEXT)}, not {params['lang']!r}."
        )
    out_root = Path(out_root)
    day = (today or dt.date.today()).isoformat()
    slug = parameter_slug(params)
    stem = f"{name}--{slug}" if slug else name
    out_dir = out_root / day
    (out_root / ".locks").mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_root / ".locks" / f"{stem}.lock"))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise ReportLocked(
            f"Report {stem!r}: another cxlab run is writing it (lock {lock.lock_file}); "
            f"waited {lock_timeout:g} s. Try again when it has finished."
        ) from None
    try:
        return _run_locked(
            path, name, stem, params, out_root, out_dir, day, show_code, progress, on_start
        )
    finally:
        lock.release()


def _run_locked(
    path, name, stem, params, out_root: Path, out_dir: Path, day, show_code, progress, on_start
) -> Path:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    data_path = Path(params["data"]) if params.get("data") else SAMPLE_DATA
    codebook = params.get("codebook") or None
    started = dt.datetime.now().astimezone()
    t0 = time.perf_counter()
    if on_start:
        on_start(stem)
    log.info("start %s parameters=%s", stem, params)
    if progress is None:
        progress = sys.stderr.isatty()
    tmp_root = out_root / ".tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix=f"{stem}.") as tmp:
        executed = Path(tmp) / f"{stem}.ipynb"
        error = None
        try:
            papermill.execute_notebook(
                str(path),
                str(executed),
                parameters=dict(params),
                kernel_name="python3",
                cwd=str(path.parent),
                progress_bar=progress,
                log_output=False,
            )
        except PapermillExecutionError as e:
            error = e
        except Exception as e:  # kernel died, notebook unreadable, ...
            error = e
        duration = time.perf_counter() - t0
        nb = (
            nbformat.read(executed, as_version=4)
            if executed.exists()
            else nbformat.read(path, as_version=4)
        )
        versions = package_versions()
        digest = sha256(data_path)
        lang = params.get("lang", "zh") if params.get("lang", "zh") in PAGE_TEXT else "zh"
        tx = PAGE_TEXT[lang]
        title = _title(_for_language(nb, lang), params, name)
        shown = ", ".join(f"{k}={v}" for k, v in params.items() if k not in FILE_PARAMETERS)
        meta = [
            (tx["report"], f"{title} ({name})" if lang == "en" else f"{title}（{name}）"),
            (tx["time"], started.strftime("%Y-%m-%d %H:%M:%S %Z")),
            (tx["data"], f"{data_path.name} (SHA-256 {(digest or tx['unreadable'])[:16]}…)"),
            (tx["codebook"], str(Path(codebook).name) if codebook else tx["beside"]),
            (tx["params"], shown or tx["default"]),
        ]
        footer = (
            f"cxlab {versions['cxlab']} · {tx['run']} {started.isoformat(timespec='seconds')} · "
            f"{tx['took']} {duration:.1f} {tx['seconds']} · {data_path} SHA-256 {digest} · "
            + ", ".join(f"{k} {v}" for k, v in versions.items() if k != "cxlab")
        )
        nb.metadata["cxlab"] = {
            "parameters": params,
            "data": str(data_path),
            "data_sha256": digest,
            "codebook": codebook,
            "versions": versions,
            "started": started.isoformat(),
            "duration_s": duration,
        }
        record = dict(
            name=name,
            stem=stem,
            date=day,
            parameters=params,
            data=str(data_path),
            data_sha256=digest,
            codebook=codebook,
            started=started.isoformat(),
            duration_s=duration,
        )
        if error is not None:
            where = _failed_cell(nb)
            if not isinstance(error, PapermillExecutionError):
                where = f"{type(error).__name__}: {error}"
            failed_dir = out_root / "_failed" / day
            failed_dir.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(executed))
            os.replace(executed, failed_dir / f"{stem}.ipynb")
            meta.insert(0, (tx["status"], f"{tx['failed']}: {where}"))
            partial = _render_html(
                _without_tracebacks(nb),
                title=f"{title} ({tx['failed']})",
                meta=meta,
                footer=footer,
                show_code=False,
                lang=lang,
            )
            _atomic_write(failed_dir / f"{stem}.html", partial)
            rel = (failed_dir / f"{stem}.html").relative_to(out_root).as_posix()
            _record(out_root, Run(status="failed", html=rel, notebook=None, error=where, **record))
            log.error("failed %s: %s", stem, where)
            raise ReportError(
                f"Report {name!r} failed: {where}. The executed notebook and a partial page are in "
                f"{failed_dir}; the previous report (if any) was kept."
            ) from None
        page = _render_html(
            nb, title=title, meta=meta, footer=footer, show_code=show_code, lang=lang
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(executed))
        html_tmp = Path(tmp) / f"{stem}.html"
        html_tmp.write_text(page, encoding="utf-8")
        # Same file system (tmp lives under out_root), so each replace is atomic.
        os.replace(executed, out_dir / f"{stem}.ipynb")
        os.replace(html_tmp, out_dir / f"{stem}.html")
    target = out_dir / f"{stem}.html"
    rel = target.relative_to(out_root).as_posix()
    _record(out_root, Run(status="succeeded", html=rel, notebook=rel[:-5] + ".ipynb", **record))
    log.info("done %s in %.1f s -> %s", stem, duration, target)
    return target


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

    Returns the folders removed. Folders not named YYYY-MM-DD are never touched.
    """
    from filelock import FileLock

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
            _atomic_write(out_root / "index.json", json.dumps(runs, ensure_ascii=False, indent=1))
            _atomic_write(out_root / "index.html", render_index(runs))
        log.info("pruned %d folder(s) older than %s", len(removed), cutoff)
    return removed


#: File types a survey export can have (codebooks and logs are not surveys).
SURVEY_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".sav", ".zsav", ".parquet")


def newest_data_file(folder: str | Path) -> Path:
    """The most recently modified survey export in ``folder`` (for scheduled runs)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"Data folder {folder} does not exist.")
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SURVEY_SUFFIXES]
    if not files:
        raise ReportError(f"No survey file ({', '.join(SURVEY_SUFFIXES)}) in {folder}.")
    return max(files, key=lambda p: (p.stat().st_mtime, p.name))

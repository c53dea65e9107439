"""File-system faults, `--keep`, stale scratch folders, long names and bounded messages.

Each fault ends in a one-line error, exit code 1 (2 for a wrong command), a record in the index
and the log, and no half-written state. Faults that cannot be produced for real here (the tests
run as root, where a read-only mode does not stop writes; no second device; no full disk) are
produced by making ``os.replace`` or ``open`` raise the OSError the kernel would raise.

No kernel starts: ``papermill.execute_notebook`` is replaced by :func:`fake_execute`, which
writes the executed notebook the way papermill does (injected parameters, one output per cell),
and the command line forks no kernels (``CXLAB_KERNELS=plain``).
"""

from __future__ import annotations

import builtins
import datetime as dt
import errno
import json
import os
from pathlib import Path

import pytest
from fake_kernel import fake_execute, tiny_notebook

from cxlab import cli, reports
from cxlab.markup import MESSAGE_LIMIT


@pytest.fixture
def fake_kernel(monkeypatch):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    monkeypatch.setenv("CXLAB_KERNELS", "plain")  # no kernel pool: papermill is the fake


@pytest.fixture
def nb(tmp_path):
    return tiny_notebook(tmp_path / "t.ipynb")


def cli_run(nb, out, *extra):
    return cli.main(["report", str(nb), "--out", str(out), "-q", *extra])


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cxlab: "), err
    assert "Traceback" not in err
    return err


def index_of(out: Path) -> list[dict]:
    return json.loads((out / "index.json").read_text(encoding="utf-8"))


def assert_nothing_half_written(out: Path) -> None:
    left = [p for p in out.rglob("*") if p.name.endswith((".tmp", ".bak")) or ".tmp" in p.parts]
    assert left in ([], [out / ".tmp"]), left


def failing_replace(monkeypatch, code: int, when):
    real = os.replace

    def replace(src, dst, *a, **k):
        if when(Path(src), Path(dst)):
            raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", replace)


# -- faults -----------------------------------------------------------------------------------------


def test_out_pointing_at_a_file(tmp_path, nb, fake_kernel, capsys):
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    assert cli_run(nb, target) == cli.EXIT_USAGE
    assert "is not a folder" in one_line_error(capsys)
    assert target.read_text() == "not a folder"


def test_reports_folder_that_cannot_be_created(tmp_path, nb, fake_kernel, capsys, monkeypatch):
    out = tmp_path / "reports"
    real = os.mkdir

    def mkdir(path, *a, **k):
        if Path(path) == out:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(os, "mkdir", mkdir)
    assert cli_run(nb, out) == cli.EXIT_FAILED
    assert "Read-only file system" in one_line_error(capsys)


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")],
)
def test_read_only_dated_folder(tmp_path, nb, fake_kernel, capsys, monkeypatch, code, words):
    out = tmp_path / "reports"
    day = dt.date.today().isoformat()
    failing_replace(monkeypatch, code, lambda src, dst: dst.parent.name == day)
    assert cli_run(nb, out) == cli.EXIT_FAILED
    assert words in one_line_error(capsys)
    [run] = index_of(out)
    assert run["status"] == "failed" and words in run["error"] and run["html"] is None
    assert words in (out / "index.html").read_text(encoding="utf-8")
    assert "failed t" in (out / "cxlab.log").read_text(encoding="utf-8")
    assert not list((out / day).glob("*"))
    assert_nothing_half_written(out)


def test_cross_device_copies_then_renames(tmp_path, nb, fake_kernel, capsys, monkeypatch):
    out = tmp_path / "reports"
    failing_replace(monkeypatch, errno.EXDEV, lambda src, dst: src.parent != dst.parent)
    assert cli_run(nb, out) == cli.EXIT_OK, capsys.readouterr().err
    day = dt.date.today().isoformat()
    assert sorted(p.name for p in (out / day).iterdir()) == ["t.html", "t.ipynb"]
    assert "小报告" in (out / day / "t.html").read_text(encoding="utf-8")
    assert [r["status"] for r in index_of(out)] == ["succeeded"]
    assert_nothing_half_written(out)


def test_disk_full_keeps_the_previous_report(tmp_path, nb, fake_kernel, capsys, monkeypatch):
    out = tmp_path / "reports"
    assert cli_run(nb, out, "-p", "wave=Q1") == cli.EXIT_OK
    page = out / dt.date.today().isoformat() / "t--wave=Q1.html"
    before = page.read_bytes(), page.with_suffix(".ipynb").read_bytes()
    tiny_notebook(nb, body="print('第二次')")
    real_open = builtins.open

    def full_open(file, mode="r", *a, **k):
        if "w" in mode and ".tmp" in Path(str(file)).parts and str(file).endswith(".html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *a, **k)

    monkeypatch.setattr(builtins, "open", full_open)
    assert cli_run(nb, out, "-p", "wave=Q1") == cli.EXIT_FAILED
    assert "No space left on device" in one_line_error(capsys)
    assert (page.read_bytes(), page.with_suffix(".ipynb").read_bytes()) == before
    assert [r["status"] for r in index_of(out)] == ["failed", "succeeded"]
    assert "No space left on device" in (out / "cxlab.log").read_text(encoding="utf-8")
    assert_nothing_half_written(out)


def test_a_failed_second_move_puts_the_first_back(tmp_path, nb, fake_kernel, monkeypatch):
    out = tmp_path / "reports"
    first = reports.run_report(nb, parameters={"wave": "Q1"}, out_root=out)
    before = first.read_bytes(), first.with_suffix(".ipynb").read_bytes()
    tiny_notebook(nb, body="print('第二次')")
    failing_replace(monkeypatch, errno.EIO, lambda src, dst: dst == first and ".tmp" in src.parts)
    with pytest.raises(reports.ReportError, match="Input/output error"):
        reports.run_report(nb, parameters={"wave": "Q1"}, out_root=out)
    assert (first.read_bytes(), first.with_suffix(".ipynb").read_bytes()) == before
    assert_nothing_half_written(out)


def test_long_parameter_values_are_hashed_into_short_names(tmp_path, nb, fake_kernel):
    long_a, long_b = "华" * 300, "华" * 299 + "东"
    slug_a = reports.parameter_slug({"wave": long_a})
    slug_b = reports.parameter_slug({"wave": long_b})
    assert slug_a != slug_b  # no two values share a file name
    assert slug_a.startswith("wave=" + "华" * 40 + "-") and len(slug_a) == 5 + 40 + 1 + 8
    many = reports.parameter_slug({f"p{i}": "长" * 100 for i in range(6)})
    assert len(many.encode()) <= reports.MAX_STEM_BYTES
    assert reports.parameter_slug({"wave": "2025Q4", "lang": "en"}) == "lang=en--wave=2025Q4"
    path = reports.run_report(nb, parameters={"wave": long_a}, out_root=tmp_path / "reports")
    assert path.exists() and len(path.name.encode()) < 255


# -- --keep, stale scratch folders, lang ------------------------------------------------------------


@pytest.mark.parametrize("days", ["-1", "0", "soon"])
def test_keep_accepts_only_positive_days(tmp_path, nb, days, capsys):
    with pytest.raises(SystemExit) as stop:
        cli_run(nb, tmp_path, "--keep", days)
    assert stop.value.code == cli.EXIT_USAGE
    assert "--keep" in capsys.readouterr().err
    with pytest.raises(ValueError, match="keep_days"):
        reports.prune(tmp_path, 0)


def test_keep_never_deletes_the_run_just_made(tmp_path, nb, fake_kernel, capsys):
    out = tmp_path / "reports"
    (out / "2000-01-01").mkdir(parents=True)
    assert cli.main(["report", str(nb), "--out", str(out), "--keep", "1"]) == cli.EXIT_OK
    printed = capsys.readouterr().out
    page = out / dt.date.today().isoformat() / "t.html"
    assert page.exists() and str(page) in printed
    assert not (out / "2000-01-01").exists()


def test_stale_scratch_folders_are_cleaned(tmp_path, nb, fake_kernel):
    from filelock import FileLock

    out = tmp_path / "reports"
    (out / ".locks").mkdir(parents=True)
    stale_same = out / ".tmp" / "t.abcd1234"
    stale_other = out / ".tmp" / "gone--wave=1.abcd1234"
    running = out / ".tmp" / "busy.abcd1234"
    for folder in (stale_same, stale_other, running):
        folder.mkdir(parents=True)
        (folder / "busy.ipynb").write_text("{}")
    with FileLock(str(out / ".locks" / "busy.lock")):
        reports.run_report(nb, out_root=out)
    assert not stale_same.exists() and not stale_other.exists()
    assert running.exists()  # its run still holds the lock


def test_unknown_language_exits_2(nb, fake_kernel, tmp_path, capsys):
    assert cli_run(nb, tmp_path, "-p", "lang=fr") == cli.EXIT_USAGE
    assert "`lang` should be one of ['en', 'zh'], not 'fr'" in one_line_error(capsys)


# -- bounded messages -------------------------------------------------------------------------------


def test_huge_error_messages_are_bounded(tmp_path, fake_kernel, capsys):
    nb = tiny_notebook(tmp_path / "t.ipynb", body="raise ValueError('x' * 1_000_000)")
    out = tmp_path / "reports"
    assert cli_run(nb, out) == cli.EXIT_FAILED
    err = one_line_error(capsys)
    assert len(err) < 2 * MESSAGE_LIMIT
    [run] = index_of(out)
    assert len(run["error"]) <= MESSAGE_LIMIT and "…" in run["error"]
    assert (out / "index.html").stat().st_size < 20_000
    assert max(map(len, (out / "cxlab.log").read_text().splitlines())) < 2 * MESSAGE_LIMIT
    partial = (out / run["html"]).read_text(encoding="utf-8")
    assert len(partial) < 1_000_000

"""Print report pages to PDF with the machine's headless Chromium (nothing is downloaded).

The page carries its own print rules (A4, page numbers and the report title in the footer,
headings kept with what follows them, charts and table rows never cut: see the report template)
and its own fonts (:mod:`cxlab.fonts`), so Chromium's PDF embeds the subset font and the
Chinese text in it can be selected and searched.

Chromium is the one Debian installs (``apt-get install chromium``), driven by Playwright with
``executable_path``: Playwright's own browser download is never used. Playwright's synchronous
API belongs to the thread that started it, so a :class:`Printer` runs one browser in a thread of
its own and prints the pages handed to it from any thread, one at a time.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "PrintError", "Printer", "chromium_path"]

#: Command-line switches for a headless Chromium that reaches no other host.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class PrintError(RuntimeError):
    """A page could not be printed (no Chromium, no Playwright, or Chromium failed)."""


def chromium_path() -> str:
    """The Chromium executable: ``$CXLAB_CHROMIUM``, else ``chromium`` on the PATH.

    Returns
    -------
    str
        The path of the executable (``chromium-browser`` is tried after ``chromium``).

    Raises
    ------
    PrintError
        None found (the message says how to install it).

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"CXLAB_CHROMIUM": "/opt/chromium/chrome"}):
    ...     chromium_path()
    '/opt/chromium/chrome'
    >>> with mock.patch.dict("os.environ", {"CXLAB_CHROMIUM": "", "PATH": ""}):
    ...     chromium_path()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxlab.pdf.PrintError: PDF output needs Chromium, which is not installed ...
    """
    path = os.environ.get("CXLAB_CHROMIUM") or shutil.which("chromium")
    path = path or shutil.which("chromium-browser")
    if not path:
        raise PrintError(
            "PDF output needs Chromium, which is not installed (Debian/Ubuntu: "
            "apt-get install chromium; or set CXLAB_CHROMIUM to its path)."
        )
    return path


class Printer:
    """One headless Chromium that prints HTML files to A4 PDF.

    Start it early (its browser starts in the background); call :meth:`print` from any thread;
    :meth:`close` at the end (or use it as a context manager).

    Examples
    --------
    ::

        with Printer() as printer:
            printer.print(Path("reports/2026-03-02/satisfaction.html"),
                          Path("reports/2026-03-02/satisfaction.pdf"))
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._started: Future = Future()
        self._thread = threading.Thread(target=self._serve, name="cxlab-pdf", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            self._started.set_exception(
                PrintError(
                    "PDF output needs the Python package playwright (pip install playwright)."
                )
            )
            return
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
                )
                self._started.set_result(True)
                self._loop(browser)
                browser.close()
        except Exception as e:
            if not self._started.done():
                self._started.set_exception(PrintError(f"Chromium did not start: {e}"))

    def _loop(self, browser) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            html, pdf, done = job
            try:
                page = browser.new_page()
                try:
                    page.goto(html.resolve().as_uri(), wait_until="load")
                    page.emulate_media(media="print")
                    page.evaluate("document.fonts.ready.then(() => true)")
                    page.pdf(
                        path=str(pdf),
                        format="A4",
                        print_background=True,
                        prefer_css_page_size=True,
                        display_header_footer=False,
                    )
                finally:
                    page.close()
                done.set_result(pdf)
            except Exception as e:
                done.set_exception(PrintError(f"Chromium could not print {html.name}: {e}"))

    def print(self, html: Path, pdf: Path, *, timeout: float = 300) -> Path:
        """Print ``html`` (a file) to ``pdf``; returns ``pdf``.

        Raises
        ------
        PrintError
            Chromium is missing or failed.
        """
        self._started.result(timeout=timeout)
        done: Future = Future()
        self._jobs.put((Path(html), Path(pdf), done))
        return done.result(timeout=timeout)

    def close(self) -> None:
        """Stop the browser."""
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

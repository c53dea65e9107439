"""Kernels for report pages: forked ahead of need from one pre-loaded process, one per page.

One ``cxlab report`` command runs many pages (``all``, ``--each``). Started the usual way,
every page's kernel would start Python and import pandas, statsmodels, seaborn, jieba and cxlab
again (several seconds each). Instead ``cxlab report`` starts one :mod:`cxlab.zygote` process
first thing (:func:`spawn_zygote`): it checks the survey and imports those modules once, while
the runner imports papermill and nbconvert, and a :class:`KernelPool` has it fork a fresh kernel
for each page, a few pages ahead of need, while the runner renders and writes the pages before.
For a single page the zygote pre-loads until the runner asks for the kernel, never longer. Each page still
gets a new process, a new IPython shell and an empty namespace: nothing one page's cells define
or change reaches the next.

The pool works where ``os.fork`` is safe (Linux). Elsewhere, or with the environment variable
``CXLAB_KERNELS=plain``, :func:`make_pool` returns None and papermill starts each kernel itself.

This module also keeps the runner's own imports quick: :func:`fast_jupyter_imports` stops
jsonschema from building the IRI grammar of ``rfc3987_syntax`` (about 2 s) at import, which
nbformat's validation (JSON Schema draft 4, no format checks) never uses.
"""

from __future__ import annotations

import ast
import functools
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

__all__ = [
    "BASE_MODULES",
    "KernelPool",
    "Zygote",
    "fast_jupyter_imports",
    "end_zygote",
    "import_papermill",
    "kernel_modules",
    "make_pool",
    "notebook_imports",
    "spawn_zygote",
]

log = logging.getLogger("cxlab.runner")

#: Modules every report kernel needs for itself: the kernel, its display and inline figures, and
#: what a kernel imports as it starts (its debugger imports debugpy's 150 modules: a forked kernel
#: started in 0.074 s of CPU without these, 0.023 s with them). A name a version of ipykernel
#: does not have fails quietly (see :mod:`cxlab.zygote`).
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "psutil",
    "pdb",
    "faulthandler",
    "tornado.platform.asyncio",
    "IPython.display",
    "matplotlib_inline.backend_inline",
)
#: Modules every report kernel is given before its first cell, besides :data:`KERNEL_MODULES` and
#: the notebooks' own imports: those of every page first, those of some reports last (a single
#: page's kernel is forked with whatever was imported by then).
BASE_MODULES = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "cxlab",
    "scipy.stats",
    "statsmodels.api",
    "seaborn",
    "jieba",
)


def fast_jupyter_imports() -> None:
    """Make ``import nbformat`` (and papermill, nbconvert) about 2 s quicker in this process.

    nbformat imports jsonschema, and jsonschema registers a checker for the ``iri`` format by
    importing ``rfc3987_syntax``, which builds a Lark grammar at import. Notebook validation
    uses draft 4 without format checking, so the grammar is never used here: marking the module
    absent (``sys.modules[name] = None``, which makes its import raise ImportError) leaves
    jsonschema without that one format checker and nbformat validating exactly as before.
    Nothing changes if jsonschema was imported already.

    Examples
    --------
    >>> fast_jupyter_imports()
    >>> import nbformat
    >>> nbformat.validate(nbformat.v4.new_notebook()) is None
    True
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def import_papermill():
    """``import papermill``, about 0.3 s quicker: without its HDFS handler (pyarrow.fs).

    papermill imports ``pyarrow.fs`` (and with it numpy) at import, for ``hdfs://`` paths the
    report runner never uses; it is marked absent for that one import (papermill then treats
    HDFS as not installed) and is importable again right after. Also applies
    :func:`fast_jupyter_imports`.

    Returns
    -------
    module
        papermill.

    Examples
    --------
    >>> import_papermill().__name__
    'papermill'
    """
    fast_jupyter_imports()
    blocked = "papermill" not in sys.modules and "pyarrow.fs" not in sys.modules
    if blocked:
        sys.modules["pyarrow.fs"] = None
    try:
        import papermill
    finally:
        if blocked and "pyarrow.fs" in sys.modules and sys.modules["pyarrow.fs"] is None:
            del sys.modules["pyarrow.fs"]
    return papermill


def notebook_imports(paths: Iterable[str | Path]) -> list[str]:
    """The modules the code cells of notebooks import, in order of first appearance.

    Parameters
    ----------
    paths : iterable of str or Path
        Notebook files.

    Returns
    -------
    list of str
        Dotted module names; ``from cxlab import io, plots`` gives ``cxlab``, ``cxlab.io`` and
        ``cxlab.plots`` (a name that is not a module fails quietly when pre-loaded). Lines
        starting with ``%`` or ``!`` (IPython magics) are left out before parsing.

    Examples
    --------
    >>> import nbformat, tempfile, pathlib
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\\nfrom cxlab import io, plots")]
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.ipynb"
    >>> nbformat.write(nb, p)
    >>> notebook_imports([p])
    ['cxlab', 'cxlab.io', 'cxlab.plots']
    """
    found: dict[str, None] = {}
    for path in paths:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = "".join(cell.get("source", ""))
            code = "\n".join(
                "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
            )
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        found.setdefault(a.name)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.setdefault(node.module)
                    for a in node.names:
                        found.setdefault(f"{node.module}.{a.name}")
    return list(found)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: How long the IOPub channel must stay quiet, once a kernel has answered, for its start-up
#: messages to count as flushed (jupyter_client waits 0.2 s per kernel; nbclient ignores any
#: later message whose parent is not one of its own requests, so a short flush loses nothing).
FLUSH_QUIET = 0.01


@functools.cache
def _client_class():
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """A kernel client whose readiness check ends as soon as the kernel has answered.

        The same handshake as jupyter_client's ``wait_for_ready`` (a ``kernel_info`` reply on
        the shell channel, a message on IOPub to show it is connected), then IOPub is drained
        until it has been quiet for :data:`FLUSH_QUIET` rather than 0.2 s: a page saves 0.2 s
        of waiting on every kernel it starts.
        """

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    msg = None
                if msg is not None and msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=FLUSH_QUIET)
                except Empty:
                    return

    return ReadyClient


@functools.cache
def _kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        """A kernel forked by the zygote: nbclient connects to it instead of starting one."""

        pid = 0
        clients: list

        @property
        def has_kernel(self) -> bool:
            return self.pid > 0

        async def _async_is_alive(self) -> bool:
            # jupyter_client asks its provisioner, which a forked kernel does not have (an
            # AssertionError). Its clients ask this whenever a kernel is slow to answer, as a
            # kernel starting on a busy machine is: by the process id instead.
            return self.pid > 0 and _alive(self.pid)

        is_alive = _async_is_alive

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.clients.append(kc)
            return kc

    return ForkedKernelManager


class KernelPool:
    """Kernels forked from one pre-loaded process, started ``ahead`` pages ahead of need.

    Parameters
    ----------
    pages : int
        How many kernels the command will ask for (no more are forked).
    ahead : int
        Kernels kept started and waiting (normally the number of pages run at once).
    modules : iterable of str
        Modules to import before the first fork (none: what the zygote was asked for already).
    cwd : Path
        Working folder the waiting kernels start in (the notebooks folder).
    zygote : Zygote, optional
        A zygote started earlier with :func:`spawn_zygote` (so that its start-up, its survey
        check and its pre-loading overlapped the runner's own work); default: one is started
        now.
    survey : dict, optional
        ``{"data": ..., "codebook": ...}``: the survey the pages read, loaded in the zygote
        after the modules so that every kernel finds it in memory (see
        :func:`cxlab.check.take_preloaded`).
    rehearse : dict, optional
        A zygote ``rehearse`` request (:mod:`cxlab.rehearsal`), asked once the first kernel is
        forked: the first page starts at once, on the core the rehearsal leaves free, and the
        kernels forked after it start warm.

    Notes
    -----
    Use as a context manager, or call :meth:`close`: it ends every kernel still running and
    the zygote. :meth:`take` hands out a kernel manager that papermill (nbclient) connects to;
    :meth:`release` ends that kernel once its page is done.
    """

    def __init__(
        self,
        *,
        pages: int,
        ahead: int = 1,
        modules: Iterable[str] = (),
        cwd: str | Path = ".",
        zygote: Zygote | None = None,
        survey: dict | None = None,
        rehearse: dict | None = None,
    ) -> None:
        self.pages, self.ahead = max(1, pages), max(1, ahead)
        self.survey, self.rehearse = survey, rehearse
        self.modules = list(modules)
        self.cwd = str(cwd)
        self._lock = threading.Lock()
        self._ready: deque = deque()
        self._forked = 0
        self._running: set = set()
        self._enders: list[threading.Thread] = []
        self._closed = False
        if zygote is None or zygote.proc.poll() is not None:
            zygote = Zygote(_popen_zygote(), tempfile.mkdtemp(prefix="cxlab-kernels-"))
        self._zygote, self._folder = zygote, zygote.folder
        self._starter = threading.Thread(target=self._start, name="cxlab-kernels", daemon=True)
        self._starter.start()

    # -- the zygote's side ------------------------------------------------------------------------

    def _start(self) -> None:
        try:
            if self.modules:
                t0 = time.perf_counter()
                done = self._zygote.ask({"op": "preload", "modules": self.modules})
                log.info(
                    "kernels pre-loaded %d module(s) in %.1f s",
                    len(done["preloaded"]),
                    time.perf_counter() - t0,
                )
                for name, error in done["failed"].items():
                    log.debug("pre-load of %s failed: %s", name, error)
            if self.survey is not None:
                t0 = time.perf_counter()
                done = self._zygote.ask({"op": "survey", **self.survey})
                log.info("kernels pre-loaded the survey in %.1f s", time.perf_counter() - t0)
                if not done["survey"]:
                    log.debug("pre-load of the survey failed: %s", done.get("error"))
            if self.rehearse is not None:
                self._fill(ahead=1)
                self._rehearse()
            self._fill()
        except Exception as e:  # the pages will report it when they ask for a kernel
            log.error("could not start kernels: %s", e)

    def _rehearse(self) -> None:
        t0 = time.perf_counter()
        done = self._zygote.ask(self.rehearse)
        log.info(
            "kernels rehearsed %s (%d section(s)) in %.1f s",
            self.rehearse.get("report"),
            len(done.get("rehearsed", [])),
            time.perf_counter() - t0,
        )
        if done.get("error"):
            log.debug("rehearsal failed: %s", done["error"])

    def _fork(self, cwd: str):
        with self._lock:
            if self._closed:
                raise RuntimeError("the kernel pool is closed")
            self._forked += 1
        km = _new_kernel_manager(self._folder, cwd)
        reply = self._zygote.ask(_fork_request(km))
        if "pid" not in reply:
            raise RuntimeError(f"the kernel zygote could not fork: {reply.get('error')}")
        km.pid = reply["pid"]
        with self._lock:
            self._running.add(km)
        return km

    def _fill(self, ahead: int | None = None) -> None:
        ahead = self.ahead if ahead is None else ahead
        while True:
            with self._lock:
                if self._closed or len(self._ready) >= ahead or self._forked >= self.pages:
                    return
            km = self._fork(self.cwd)
            with self._lock:
                self._ready.append(km)

    # -- the pages' side --------------------------------------------------------------------------

    def take(self, cwd: str | Path, timeout: float = 120):
        """A started kernel whose working folder is ``cwd``, for one page.

        Returns
        -------
        jupyter_client.AsyncKernelManager
            To pass to papermill as ``km=``; give it back with :meth:`release`.
        """
        cwd = str(cwd)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                km = self._ready.popleft() if self._ready else None
                ready_possible = self._starter.is_alive() or self._ready
            if km is not None:
                if cwd != km.cwd or not _alive(km.pid):
                    self.release(km)
                    km = self._fork(cwd)
                break
            if not ready_possible or time.monotonic() > deadline:
                km = self._fork(cwd)
                break
            time.sleep(0.02)
        self._top_up()
        return km

    def _top_up(self) -> None:
        if self._starter.is_alive():
            return
        self._starter = threading.Thread(target=self._fill, name="cxlab-kernels", daemon=True)
        self._starter.start()

    def release(self, km, *, wait: bool = True) -> None:
        """End a kernel (its page is done) and close the connections made to it.

        With ``wait=False`` the kernel is asked to end at once and waited for in a thread of
        its own, so that the page renders meanwhile; :meth:`close` waits for those threads.
        """
        for kc in km.clients:
            try:
                kc.stop_channels()
            except Exception:  # a channel already closed with its event loop
                pass
        if wait:
            self._end(km)
            return
        ender = threading.Thread(target=self._end, args=(km,), name="cxlab-end-kernel")
        with self._lock:
            self._enders = [t for t in self._enders if t.is_alive()] + [ender]
        ender.start()

    def _end(self, km) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not _alive(km.pid):
                break
            try:
                os.kill(km.pid, sig)
            except ProcessLookupError:
                break
            for _ in range(50):
                if not _alive(km.pid):
                    break
                time.sleep(0.01)
        try:
            km.cleanup_connection_file()
        except OSError:
            pass
        with self._lock:
            self._running.discard(km)

    def close(self) -> None:
        """End every kernel and the zygote."""
        with self._lock:
            self._closed = True
            kms = list(self._running)
            enders = list(self._enders)
            self._ready.clear()
        for ender in enders:
            ender.join()
        for km in kms:
            self.release(km)
        end_zygote(self._zygote)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _new_kernel_manager(folder: str, cwd: str):
    """A kernel manager with ports and key written to a connection file, for a kernel to fork."""
    km = _kernel_manager_class()(
        kernel_name="python3",
        connection_file=os.path.join(folder, f"kernel-{secrets.token_hex(6)}.json"),
    )
    km.clients, km.ip, km.cwd = [], "127.0.0.1", cwd
    km.client_factory = _client_class()
    km.write_connection_file()
    return km


def _fork_request(km) -> dict:
    return {"op": "fork", "connection_file": km.connection_file, "cwd": km.cwd}


class Zygote:
    """A started :mod:`cxlab.zygote` process: requests are sent at once, replies come back as
    futures in the order asked (a thread reads them).

    Parameters
    ----------
    proc : subprocess.Popen
        ``python -m cxlab.zygote`` with pipes on stdin and stdout.
    folder : str
        Scratch folder of the kernels' connection files (removed by :func:`end_zygote`).
    """

    def __init__(self, proc: subprocess.Popen, folder: str = "") -> None:
        self.proc, self.folder = proc, folder
        self._lock = threading.Lock()
        self.ready: Future = Future()  # {"ready": true, "pid": N}, written at once
        self._pending: deque[Future] = deque([self.ready])
        self._reader = threading.Thread(target=self._read, name="cxlab-zygote", daemon=True)
        self._reader.start()

    def send(self, request: dict) -> Future:
        """Send a request now; a future of its reply (an exception if the process ended)."""
        reply: Future = Future()
        with self._lock:
            self._pending.append(reply)
            try:
                self.proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
                self.proc.stdin.flush()
            except (OSError, ValueError):  # ended, or its stdin closed by end_zygote
                self._pending.remove(reply)
                reply.set_exception(RuntimeError("the kernel zygote ended unexpectedly"))
        return reply

    def ask(self, request: dict, timeout: float | None = None) -> dict:
        """Send a request and wait for its reply."""
        return self.send(request).result(timeout)

    def _read(self) -> None:
        for line in iter(self.proc.stdout.readline, b""):
            with self._lock:
                reply = self._pending.popleft() if self._pending else None
            if reply is not None:
                reply.set_result(json.loads(line))
        with self._lock:
            left, self._pending = list(self._pending), deque()
        for reply in left:
            reply.set_exception(RuntimeError("the kernel zygote ended unexpectedly"))


def _forking() -> bool:
    return sys.platform.startswith("linux") and os.environ.get("CXLAB_KERNELS") != "plain"


def _popen_zygote() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cxlab.zygote"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    )


def spawn_zygote() -> Zygote | None:
    """Start the :mod:`cxlab.zygote` process now, so that its start-up overlaps the runner's.

    Returns
    -------
    Zygote or None
        Send it requests at once (the survey check, modules to pre-load), then hand it to
        :func:`make_pool`, or end it with :func:`end_zygote`; None where kernels are not forked
        (see :func:`make_pool`).

    Examples
    --------
    >>> zygote = spawn_zygote()
    >>> zygote is None or zygote.ask({"op": "preload", "modules": ["json"]})["preloaded"]
    ['json']
    >>> end_zygote(zygote)
    >>> zygote is None or zygote.proc.poll() is not None
    True
    """
    if not _forking():
        return None
    return Zygote(_popen_zygote(), tempfile.mkdtemp(prefix="cxlab-kernels-"))


def end_zygote(zygote: Zygote | None) -> None:
    """End a zygote, and so the kernels it forked; nothing if None or already ended.

    Parameters
    ----------
    zygote : Zygote or None
        From :func:`spawn_zygote` (a zygote handed to :func:`make_pool` is ended by the pool).

    Examples
    --------
    >>> end_zygote(None)  # nothing to end
    >>> zygote = spawn_zygote()
    >>> end_zygote(zygote)  # ends the zygote and removes its folder
    >>> zygote is None or zygote.proc.returncode is not None
    True
    """
    if zygote is None:
        return
    proc = zygote.proc
    if proc.poll() is None:
        with zygote._lock:
            try:
                proc.stdin.close()  # the zygote then ends at once (os._exit)
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if zygote.folder:
        import shutil

        shutil.rmtree(zygote.folder, ignore_errors=True)


def make_pool(
    notebooks: Iterable[str | Path],
    *,
    pages: int,
    jobs: int,
    cwd: str | Path,
    zygote: Zygote | None = None,
    survey: dict | None = None,
    preload: bool = True,
    rehearse: dict | None = None,
) -> KernelPool | None:
    """A :class:`KernelPool` for a command's pages, or None where forking is not used.

    Parameters
    ----------
    notebooks : iterable of str or Path
        The notebooks the pages run (their imports are pre-loaded when there is more than
        one page).
    pages, jobs : int
        Pages to run, and how many at once.
    cwd : str or Path
        The folder the notebooks run in.
    zygote : Zygote, optional
        From :func:`spawn_zygote`.
    survey : dict, optional
        ``{"data": ..., "codebook": ...}`` of the pages' survey, loaded before the first fork
        when there is more than one page (as the modules are).
    preload : bool
        Ask the zygote to pre-load the modules and the survey; False when the caller asked it
        already (``cxlab report`` does so first thing: see :func:`kernel_modules`).
    rehearse : dict, optional
        A ``rehearse`` request for the zygote, asked after the first kernel (see
        :class:`KernelPool`).

    Returns
    -------
    KernelPool or None
        None off Linux, or when ``CXLAB_KERNELS=plain`` (papermill then starts each kernel).

    Examples
    --------
    >>> pool = make_pool([], pages=1, jobs=1, cwd=".")
    >>> if pool is not None:  # a started kernel for papermill's ``km=``, then the end of all
    ...     km = pool.take(".")
    ...     pool.release(km)
    ...     pool.close()
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"CXLAB_KERNELS": "plain"}):
    ...     print(make_pool([], pages=3, jobs=2, cwd="."))
    None
    """
    if not _forking():
        end_zygote(zygote)
        return None
    many = pages > 1 and preload
    return KernelPool(
        pages=pages,
        ahead=min(pages, max(1, jobs)),
        modules=kernel_modules(notebooks) if many else [],
        cwd=cwd,
        zygote=zygote,
        survey=survey if many else None,
        rehearse=rehearse,
    )


def kernel_modules(notebooks: Iterable[str | Path], *, base: bool = True) -> list[str]:
    """What a zygote pre-loads for pages of these notebooks: :data:`KERNEL_MODULES`,
    :data:`BASE_MODULES` and the notebooks' own imports (:func:`notebook_imports`), in that order.

    Parameters
    ----------
    notebooks : iterable of str or Path
    base : bool
        With :data:`BASE_MODULES`; without them when a rehearsal (:mod:`cxlab.rehearsal`) is to
        import what the pages use, and only that.

    Returns
    -------
    list of str

    Examples
    --------
    >>> kernel_modules([])[len(KERNEL_MODULES)]
    'numpy'
    >>> kernel_modules([], base=False) == list(KERNEL_MODULES)
    True
    """
    return [*KERNEL_MODULES, *(BASE_MODULES if base else ()), *notebook_imports(notebooks)]

"""Web fonts that travel with a page: the characters a page shows, cut from Noto Sans CJK.

A report page names a font stack, but a reader's machine may have no Chinese font at all
(a fresh Linux box, a locked-down office PC): every character would show as an empty box.
:func:`font_face_css` returns an ``@font-face`` rule whose source is a ``data:`` URL of a
WOFF2 font holding exactly the characters of the page's text, cut with fontTools from
Noto Sans CJK SC (SIL Open Font License 1.1, installed from PyPI as ``noto-cjk-sans-otc``, the
same file the charts use). About 300 distinct characters make 50-60 KB.

Bold: the package ships the Regular weight only, and no PyPI package carries a Bold of the SC
face under the OFL (``cvttf-notosanscjk-bold`` holds the TC face, 28 MB, without the licence
text). The rule declares weight 400 only, so browsers draw headings and ``<b>`` in synthetic
bold from the same outlines (CSS ``font-synthesis: weight``, the default), on screen and in PDF.
In a PDF, Chromium writes the emboldened glyphs as a Type 3 font beside the embedded subset:
``pdffonts`` lists it unnamed, with a Unicode map, and ``pdftotext`` reads the bold text.

Speed: the subset keeps no OpenType layout features (CJK text needs none; it saves half the
bytes and half the time) and is compressed with Brotli quality 9 rather than fontTools' 11
(20 times quicker, about 8 % larger). Every font also holds the digits and the punctuation of
dates, times and durations (under 2 KB), so that its character set, which keys the caches, does
not change with a run's time alone. Subsets are cached by character set in memory and on disk (:func:`cache_folder`,
keyed also by the font file and this recipe), so a page or index whose characters were seen
before is not cut again: the same bytes come back, never a stale font (see :func:`woff2_key`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import os
import re
import tempfile
import threading
from pathlib import Path

__all__ = [
    "FAMILY",
    "FontWorker",
    "cache_folder",
    "font_face_css",
    "font_path",
    "notebook_characters",
    "page_characters",
    "subset_woff2",
    "woff2_key",
]

#: The family name pages use for the embedded font (distinct from any installed font's name).
FAMILY = "cxlab Noto Sans CJK"
#: Face of the collection with simplified-Chinese glyph forms.
_FACE = "Noto Sans CJK SC"
_BROTLI_QUALITY = 9
#: Put in every subset (see the module docstring): what a run's date, time and duration show.
_ALWAYS = "0123456789 .:-+/%()"
#: Names the way a subset is made; change it whenever :func:`_cut` changes, so that fonts cut
#: the old way are not served from the disk cache.
_RECIPE = f"noto-sc-ttf-nolayout-brotli{_BROTLI_QUALITY}-v1"
#: Most subsets kept on disk (about 50 KB each); beyond it the least recently used go. Every
#: page of a daily run may have its own characters (its comments), so the cache must not grow
#: for ever.
MAX_CACHED = 400

_lock = threading.Lock()
_HIDDEN = re.compile(r"<(style|script)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)


def font_path() -> Path:
    """The Noto Sans CJK collection installed with cxlab (``noto-cjk-sans-otc``).

    Returns
    -------
    pathlib.Path
        The font collection file (``.ttc``) that pages embed a subset of and plots draw with.

    Examples
    --------
    >>> font_path().suffix
    '.ttc'
    """
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@functools.cache
def _face_number() -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(font_path()), lazy=True)
    names = [f["name"].getDebugName(1) for f in collection.fonts]
    return names.index(_FACE) if _FACE in names else 0


def page_characters(page: str) -> str:
    """The distinct characters of an HTML page's text (not of its markup, styles or scripts).

    Parameters
    ----------
    page : str
        HTML.

    Returns
    -------
    str
        Sorted distinct characters of the text between tags (character references resolved),
        without control characters.

    Examples
    --------
    >>> page_characters('<style>b{}</style><p title="x">满意 &amp; 满</p><img src="data:,z">')
    ' &意满'
    """
    text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page)))
    return "".join(sorted(c for c in set(text) if c.isprintable()))


def notebook_characters(nb, *texts: str) -> str:
    """Every character a page rendered from ``nb`` can show, known before it is rendered.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    *texts : str
        Other text the page shows (its frame: title, header lines, footer, template words).

    Returns
    -------
    str
        Sorted distinct characters of the markdown sources, of every text, HTML (tags left
        out), Markdown and error output, and of ``texts``: a superset of
        :func:`page_characters` of the page (Markdown syntax adds only ASCII), so the font can
        be cut while the page renders.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("## 样本")]
    >>> notebook_characters(nb, "目录")
    ' #录本样目'
    """
    parts = list(texts)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts += [str(out.get("text", "")), str(out.get("evalue", ""))]
            data = out.get("data", {})
            parts += [str(data.get("text/plain", "")), str(data.get("text/markdown", ""))]
            parts.append(page_characters(str(data.get("text/html", ""))))
    return page_characters(html.escape("".join(parts), quote=False))


class FontWorker:
    """Cuts fonts in a process of its own (``python -m cxlab.fonts``), so that a page's font is
    made while the page renders.

    The process starts at once and imports fontTools in the background. :meth:`submit` returns
    a future of :func:`font_face_css` (None if the process failed: the caller then cuts the font
    itself); :meth:`close` ends the process.
    """

    def __init__(self) -> None:
        import subprocess
        import sys
        from concurrent.futures import ThreadPoolExecutor

        self._proc = subprocess.Popen(
            [sys.executable, "-m", "cxlab.fonts"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._talk = ThreadPoolExecutor(1, thread_name_prefix="cxlab-fonts")

    def _ask(self, characters: str) -> str | None:
        import json

        try:
            self._proc.stdin.write((json.dumps({"characters": characters}) + "\n").encode())
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
            return json.loads(line).get("css") if line else None
        except (OSError, ValueError):
            return None

    def submit(self, characters: str):
        """A future of ``font_face_css(characters)``, or of None if the process failed."""
        return self._talk.submit(self._ask, characters)

    def close(self) -> None:
        """End the process."""
        self._talk.shutdown(wait=True)
        try:
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
        except Exception:
            self._proc.kill()


def _serve() -> None:
    """``python -m cxlab.fonts``: one JSON request per line in, one reply per line out."""
    import json
    import sys

    from fontTools import subset  # noqa: F401  (imported before the first request)

    _face_number()
    for line in sys.stdin.buffer:
        try:
            reply = {"css": font_face_css(json.loads(line)["characters"])}
        except Exception as e:  # the runner then cuts the font itself
            reply = {"error": f"{type(e).__name__}: {e}"[:300]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def _to_truetype(font) -> None:
    """Replace the font's CFF outlines by TrueType (quadratic) ones, in place.

    Chromium's PDF writer embeds a TrueType web font as a named CID TrueType font, but a CFF
    one as unnamed Type 3 glyph procedures; quadratic outlines also compress better (a typical
    page's subset: 42 KB instead of 50 KB). Curves are approximated to within 1 unit of the
    1000-unit em (fontTools' cu2qu, as in its otf2ttf example).
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"], font["glyf"] = newTable("loca"), glyf
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for key in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, key, 1 if key == "maxZones" else 0)
    del font["CFF "]
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping, post.glyphOrder = 2.0, [], {}, order
    font.sfntVersion = "\x00\x01\x00\x00"


def _brotli_quality(quality: int):
    """fontTools' WOFF2 writer calls ``brotli.compress(data, mode=...)`` at its default quality
    (11); this stand-in module passes ``quality`` instead."""
    import brotli

    class _Brotli:
        MODE_FONT, MODE_TEXT, MODE_GENERIC = brotli.MODE_FONT, brotli.MODE_TEXT, brotli.MODE_GENERIC
        error = brotli.error
        decompress = staticmethod(brotli.decompress)

        @staticmethod
        def compress(data, mode=brotli.MODE_GENERIC, **kwargs):
            kwargs.setdefault("quality", quality)
            return brotli.compress(data, mode=mode, **kwargs)

    return _Brotli


def cache_folder() -> Path:
    """Where cut fonts are kept between runs: ``$CXLAB_CACHE_DIR/fonts``, else
    ``$XDG_CACHE_HOME/cxlab/fonts``, else ``~/.cache/cxlab/fonts``.

    Returns
    -------
    pathlib.Path
        The folder (it may not exist yet). ``CXLAB_CACHE_DIR=off`` turns the disk cache off.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"CXLAB_CACHE_DIR": "/tmp/cx"}):
    ...     cache_folder().as_posix()
    '/tmp/cx/fonts'
    """
    root = os.environ.get("CXLAB_CACHE_DIR")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(xdg, "cxlab")
    return Path(root) / "fonts"


def woff2_key(characters: str) -> str:
    """The cache key of a subset: the characters, the font file (path, size, modification
    time) and the recipe (:data:`_RECIPE`, fontTools' version), hashed.

    Parameters
    ----------
    characters : str
        As given to :func:`subset_woff2`.

    Returns
    -------
    str
        64 hexadecimal digits; another font file or recipe gives another key.

    Examples
    --------
    >>> woff2_key("满意") == woff2_key("意满"), woff2_key("满意") == woff2_key("满")
    (True, False)
    """
    import fontTools

    stat = font_path().stat()
    identity = "\n".join(
        [
            _RECIPE,
            fontTools.version,
            str(font_path()),
            str(stat.st_size),
            str(stat.st_mtime_ns),
            "".join(sorted(set(characters))),
        ]
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _from_disk(key: str) -> bytes | None:
    if os.environ.get("CXLAB_CACHE_DIR") == "off":
        return None
    path = cache_folder() / f"{key}.woff2"
    try:
        data = path.read_bytes()
        os.utime(path)  # used now: the last to be pruned
    except OSError:
        return None
    return data if data[:4] == b"wOF2" else None


def _to_disk(key: str, data: bytes) -> None:
    """Keep ``data`` under its key, written whole or not at all (a reader never sees half)."""
    if os.environ.get("CXLAB_CACHE_DIR") == "off":
        return
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=".woff2")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, folder / f"{key}.woff2")
        _prune(folder)
    except OSError:  # a read-only or full cache only makes the next run cut the font again
        pass


def _prune(folder: Path) -> None:
    """Keep the :data:`MAX_CACHED` most recently used subsets; remove the others."""
    kept = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".woff2") and not entry.name.startswith(".part-"):
            try:
                kept.append((entry.stat().st_mtime_ns, entry.path))
            except OSError:  # removed meanwhile by another run
                pass
    kept.sort(reverse=True)
    for _, path in kept[MAX_CACHED:]:
        try:
            os.remove(path)
        except OSError:
            pass


@functools.lru_cache(maxsize=64)
def subset_woff2(characters: str) -> bytes:
    """A WOFF2 font with the glyphs of ``characters`` from Noto Sans CJK SC, cached.

    Parameters
    ----------
    characters : str
        The characters to keep (order and repeats do not matter; use a canonical string, e.g.
        from :func:`page_characters`, so that the cache hits). Characters the font lacks are
        left out.

    Returns
    -------
    bytes
        WOFF2 data: the glyphs, ``.notdef``, metrics, and the font's name and licence records.
        Cut once per character set (and font file, see :func:`woff2_key`), then read from
        memory or from :func:`cache_folder`: a cached font is the same bytes as a cut one.

    Examples
    --------
    >>> from fontTools.ttLib import TTFont
    >>> import io
    >>> font = TTFont(io.BytesIO(subset_woff2("满意度")))
    >>> sorted(chr(c) for c in font.getBestCmap())
    ['度', '意', '满']
    """
    key = woff2_key(characters)
    data = _from_disk(key)
    if data is None:
        data = _cut(characters)
        _to_disk(key, data)
    return data


def _cut(characters: str) -> bytes:
    """Cut the subset of ``characters`` (see :func:`subset_woff2`), uncached."""
    from fontTools import subset
    from fontTools.ttLib import TTFont, woff2

    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]  # keeps the copyright and OFL licence records with the font
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["BASE", "VORG", "vhea", "vmtx"]
    # Bounding boxes are kept from the full font (recomputing them draws every glyph).
    font = TTFont(str(font_path()), fontNumber=_face_number(), lazy=True, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters})
    subsetter.subset(font)
    _to_truetype(font)
    font.recalcBBoxes = True  # TrueType glyph boxes come from their points: quick
    font.recalcTimestamp = False  # the same characters give the same bytes, cut or cached
    font.flavor = "woff2"
    out = io.BytesIO()
    with _lock:  # the compression level is swapped in for this call only
        real, woff2.brotli = woff2.brotli, _brotli_quality(_BROTLI_QUALITY)
        try:
            font.save(out)
        finally:
            woff2.brotli = real
    return out.getvalue()


def font_face_css(characters: str) -> str:
    """An ``@font-face`` rule for :data:`FAMILY` with the subset of ``characters`` embedded.

    Parameters
    ----------
    characters : str
        The page's characters (:func:`page_characters`).

    Returns
    -------
    str
        CSS; the source is a ``data:font/woff2;base64,...`` URL, so the page loads nothing.

    Examples
    --------
    >>> font_face_css("满意")[:60]
    '@font-face { font-family: "cxlab Noto Sans CJK"; font-weight'
    """
    canonical = "".join(sorted(set(characters) | set(_ALWAYS)))
    data = base64.b64encode(subset_woff2(canonical)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: 400; font-style: normal; '
        f'font-display: block; src: url("data:font/woff2;base64,{data}") format("woff2"); }}'
    )


if __name__ == "__main__":
    _serve()

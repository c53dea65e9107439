"""Codebook files: YAML parsed safely (size limit, bounded aliases, no duplicate keys).

A codebook is a small hand-written file; one that is large, expands through aliases into
thousands of values, or says the same key twice is refused before anything else reads it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cxlab.codebook import Codebook, CodebookError, clip
from cxlab.safe_yaml import Refused as _Refused
from cxlab.safe_yaml import UniqueKeyLoader

__all__ = [
    "parse_codebook",
    "CODEBOOK_NAMES",
    "MAX_CODEBOOK_BYTES",
    "MAX_CODEBOOK_VALUES",
    "find_codebook",
    "read_codebook",
]

CODEBOOK_NAMES = ("{stem}.codebook.yaml", "{stem}.codebook.yml", "codebook.yaml", "codebook.yml")
#: A codebook file larger than this is refused unread.
MAX_CODEBOOK_BYTES = 1 << 20
#: The most values (mappings, lists and scalars) a codebook may hold once aliases are expanded.
MAX_CODEBOOK_VALUES = 100_000


def _expanded_size(root, limit: int) -> int:
    """How many values ``root`` holds with every alias expanded; stops counting past ``limit``.

    Raises :class:`_Refused` when an alias refers to a node that contains it.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _Refused("an alias (`*name`) refers to a value that contains it")
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                break
        open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _parse(text: str):
    loader = UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, MAX_CODEBOOK_VALUES) > MAX_CODEBOOK_VALUES:
            raise _Refused(
                f"its aliases (`*name`) expand to more than {MAX_CODEBOOK_VALUES:,} values; "
                "a codebook is refused at that size (write the repeated parts out, or use "
                "fewer aliases)"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook; errors name the file and the key.

    Parameters
    ----------
    path : str or Path
        A UTF-8 YAML file of at most :data:`MAX_CODEBOOK_BYTES` bytes.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        The file is missing, too large, not UTF-8, not valid YAML, says a key twice in one
        mapping (naming the key and both lines), expands through aliases beyond
        :data:`MAX_CODEBOOK_VALUES` values or into itself, or is not a valid codebook (see
        :meth:`Codebook.from_dict`). Messages are at most a couple of thousand characters.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "codebook.yaml"
    >>> _ = path.write_text("id: rid\\nitems:\\n  nps: {type: nps}\\n", encoding="utf-8")
    >>> read_codebook(path).select(type="nps")
    ['nps']
    """
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"Codebook {path} does not exist.")
    size = path.stat().st_size
    if size > MAX_CODEBOOK_BYTES:
        raise CodebookError(
            f"Codebook {path} is {size / 2**20:.1f} MB, larger than 1 MB; a codebook describes "
            "columns and is a few KB. Is this the data file?"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError(f"Codebook {path} is not UTF-8 text; save it as UTF-8.") from None
    return parse_codebook(text, source=str(path))


def parse_codebook(text: str, *, source: str = "<codebook>") -> Codebook:
    """Parse and validate a codebook's YAML text (safely: see :func:`read_codebook`).

    Parameters
    ----------
    text : str
        The YAML.
    source : str
        Where it came from, for messages.

    Returns
    -------
    Codebook

    Examples
    --------
    >>> parse_codebook("items:\\n  nps: {type: nps}\\n").id is None
    True
    """
    try:
        spec = _parse(text)
    except _Refused as e:
        raise CodebookError(f"Codebook {source} is refused: {e}.") from None
    except RecursionError:
        raise CodebookError(
            f"Codebook {source} nests values too deeply to be a codebook."
        ) from None
    except yaml.YAMLError as e:
        raise CodebookError(f"Codebook {source} is not valid YAML: {clip(e, limit=500)}") from None
    return Codebook.from_dict(spec, source=source)


def find_codebook(data_path: str | Path) -> Path | None:
    """The codebook beside a data file: ``<stem>.codebook.yaml`` or ``codebook.yaml``.

    Parameters
    ----------
    data_path : str or Path

    Returns
    -------
    Path or None
        The first of :data:`CODEBOOK_NAMES` that exists in the data file's folder.

    Examples
    --------
    >>> find_codebook("/no/such/folder/survey.csv") is None
    True
    """
    data_path = Path(data_path)
    for pattern in CODEBOOK_NAMES:
        candidate = data_path.parent / pattern.format(stem=data_path.stem)
        if candidate.exists():
            return candidate
    return None

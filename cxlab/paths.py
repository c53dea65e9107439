"""Where things live: every project path is built here, never typed into a notebook cell."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parent
RESOURCES = PACKAGE / "resources"
NOTEBOOKS = PROJECT_ROOT / "notebooks"
REPORTS = PROJECT_ROOT / "reports"
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
SAMPLE_DATA = SAMPLE_DIR / "survey.csv"
SAMPLE_CODEBOOK = SAMPLE_DIR / "codebook.yaml"
SAMPLE_TRUTH = SAMPLE_DIR / "ground_truth.json"


def resolve_data(data: str | Path | None) -> Path:
    """The data file a notebook should read: the given path, or the bundled sample.

    Parameters
    ----------
    data : str or Path or None
        The notebook's ``data`` parameter; empty or None means the sample survey.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> resolve_data("") == SAMPLE_DATA
    True
    >>> resolve_data("exports/2025q4.csv").name
    '2025q4.csv'
    """
    return Path(data) if data else SAMPLE_DATA

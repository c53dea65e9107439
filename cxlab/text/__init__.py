"""Voice of the customer: Chinese open comments.

Normalisation (full-width forms, whitespace, emoji, traditional to simplified
for analysis only), segmentation with a CX domain dictionary (jieba-rs through
``rjieba``, plain jieba as reference and fallback), keywords, lexicon-and-rules
sentiment, topic tagging against a taxonomy, personal-data redaction, and
:func:`analyze`, which does it all on a pandas Series, on several processes, or
on dask (from memory or from Parquet/CSV files) with the same results; per-group
tables (:func:`topic_summary`, :func:`sentiment_trend`, :func:`top_complaints`);
topics as drivers of an outcome (:func:`topic_drivers`) and the words a taxonomy
lacks (:func:`emerging_terms`); sentiment models trained on a team's own labels
(:func:`train_sentiment`, :func:`suggest_labels`: :mod:`cxlab.text.learn`).

Every verbatim that reaches a notebook output or a report goes through
:func:`redact` first, and every analysis reads the redacted text
(:func:`cxlab.text.prepare.analysis_text`), so personal data reaches no
keyword, topic or other output. Resources (lexicons, dictionary, taxonomy)
live in ``cxlab/resources/`` and are loaded once per process.

Each function of a Series of comments (``texts``) has a one-comment form in
its module where other modules need it (``redact_text``, ``normalize_text``,
``script_text``); tables of a DataFrame take ``df`` and the ``text`` column.
"""

from cxlab.text.analyze import ANALYSIS_COLUMNS, analyze
from cxlab.text.drivers import TopicDrivers, topic_drivers
from cxlab.text.emerging import emerging_terms
from cxlab.text.keywords import keywords
from cxlab.text.learn import SentimentModel, suggest_labels, train_sentiment
from cxlab.text.normalize import normalize, script
from cxlab.text.redact import PLACEHOLDERS, luhn_valid, redact, resident_id_valid
from cxlab.text.segment import segment, tokenizer
from cxlab.text.sentiment import NEUTRAL_BAND, sentiment
from cxlab.text.summaries import sentiment_trend, top_complaints, topic_summary
from cxlab.text.topics import load_taxonomy, topics

__all__ = [
    "ANALYSIS_COLUMNS",
    "NEUTRAL_BAND",
    "PLACEHOLDERS",
    "SentimentModel",
    "TopicDrivers",
    "analyze",
    "emerging_terms",
    "keywords",
    "load_taxonomy",
    "luhn_valid",
    "normalize",
    "redact",
    "resident_id_valid",
    "script",
    "segment",
    "sentiment",
    "sentiment_trend",
    "tokenizer",
    "top_complaints",
    "topic_drivers",
    "topic_summary",
    "suggest_labels",
    "topics",
    "train_sentiment",
]

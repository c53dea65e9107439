"""cxlab.sample: deterministic, loads cleanly, plants what the ground truth says."""

from __future__ import annotations

import json

import pandas as pd

from cxlab import io, sample
from cxlab.codebook import Codebook
from cxlab.paths import SAMPLE_CODEBOOK, SAMPLE_DATA, SAMPLE_TRUTH
from cxlab.text import resident_id_valid


def test_same_seed_same_survey():
    a, b = sample.generate(n=300, seed=3), sample.generate(n=300, seed=3)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.truth == b.truth
    assert not sample.generate(n=300, seed=4).data.equals(a.data)


def test_shipped_sample_is_what_the_generator_writes(tmp_path):
    paths = sample.write_sample(tmp_path)
    assert paths["data"].read_bytes() == SAMPLE_DATA.read_bytes()
    assert paths["codebook"].read_text(encoding="utf-8") == SAMPLE_CODEBOOK.read_text(
        encoding="utf-8"
    )
    assert json.loads(paths["truth"].read_text(encoding="utf-8")) == json.loads(
        SAMPLE_TRUTH.read_text(encoding="utf-8")
    )


def test_sample_loads_without_exclusions(sample_survey):
    assert sample_survey.exclusions.empty
    assert len(sample_survey.data) == sample_survey.n_read == 5000
    assert isinstance(sample_survey.codebook, Codebook)
    assert set(sample_survey.data["wave"]) == set(sample.WAVES)


def test_planted_personal_data_is_in_the_comments(sample_survey, truth):
    comments = sample_survey.data.set_index("resp_id")["comment"]
    assert len(truth["pii"]) > 20
    for entry in truth["pii"]:
        assert entry["value"] in comments[entry["resp_id"]]
        if entry["type"] == "resident_id":
            assert resident_id_valid(entry["value"])


def test_traditional_script_comments_come_from_hong_kong_taiwan(sample_survey):
    from opencc import OpenCC

    d = sample_survey.data.dropna(subset=["comment"])
    traditional = d["comment"] != d["comment"].map(OpenCC("t2s").convert)
    assert traditional.sum() > 100
    assert d.loc[traditional, "region"].eq("港台").all()
    assert traditional[d["region"] == "港台"].mean() > 0.95


def test_weights_move_sample_toward_targets(sample_survey, truth):
    d = sample_survey.data
    weighted = d.groupby("region")["weight"].sum() / d["weight"].sum()
    for region, target in truth["weighting_targets"]["region"].items():
        assert abs(weighted[region] - target) < 0.005


def test_missing_codes_are_read_as_missing(sample_survey):
    raw = pd.read_csv(SAMPLE_DATA)
    assert (raw["d_resolve"] == 98).sum() > 0
    assert sample_survey.data["d_resolve"].max() <= 5


def test_codebook_round_trips_through_yaml():
    book = io.read_codebook(SAMPLE_CODEBOOK)
    assert book.label("nps") == "推荐意愿"
    assert book.select(role="driver")[0] == "d_resolve"

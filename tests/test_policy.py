"""Policy files: validated, defaults from the schemas, never an empty policy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carepress.policy import PolicyError, load_policy, normalise_doi

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(ROOT / "policy", target)
    return target


def test_demo_policy_loads_with_schema_defaults(policy):
    # editorial.yml states only what differs; the rest comes from the schema.
    assert policy.editorial["due_soon_days"] == 45
    assert policy.editorial["types"]["article"]["review_interval_days"] == 1096
    assert policy.editorial["types"]["alert"]["required_approvals"] == [
        "clinical-lead", "communications-director", "chief-executive"
    ]
    assert policy.editorial["readability"]["patient"] == 8
    assert policy.people["a-placeholder"].display == "Alex Placeholder, MD"
    assert "heart" in policy.service_lines
    assert policy.platforms["platforms"]["x"]["links"] == "clickable"


def test_missing_policy_file_is_an_error(policy_dir: Path):
    (policy_dir / "people.yml").unlink()
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_dir)
    (f,) = caught.value.findings
    assert (f.rule, f.path) == ("policy.missing", "policy/people.yml")


def test_malformed_policy_names_file_line_and_field(policy_dir: Path):
    text = (policy_dir / "editorial.yml").read_text().replace("due_soon_days: 45", "due_soon_days: soon")
    (policy_dir / "editorial.yml").write_text(text)
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_dir)
    (f,) = caught.value.findings
    assert f.rule == "policy.invalid"
    assert f.path == "policy/editorial.yml"
    assert f.line == text.split("\n").index("due_soon_days: soon") + 1
    assert "'due_soon_days' should be a whole number" in f.message


def test_policy_yaml_error(policy_dir: Path):
    (policy_dir / "consents.yml").write_text("consents:\n  c-1: [\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_dir)
    assert caught.value.findings[0].path == "policy/consents.yml"
    assert caught.value.findings[0].line == 3


def test_retraction_list_needs_its_columns(policy_dir: Path):
    (policy_dir / "retractions.csv").write_text("Title,DOI\nx,10.1/x\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_dir)
    assert "OriginalPaperDOI" in caught.value.findings[0].message


def test_retractions_indexed_by_doi_and_pmid(policy):
    item = policy.retractions_by_doi["10.1016/s0140-6736(97)11096-0"]
    assert item.pmid == "9500320"
    assert item.nature == "Retraction"
    assert item.date == "2010-02-06"
    assert policy.retractions_by_pmid["9500320"] is item


@pytest.mark.parametrize(
    "raw",
    ["10.7326/M18-2101", "https://doi.org/10.7326/m18-2101", "doi:10.7326/M18-2101", "http://dx.doi.org/10.7326/M18-2101"],
)
def test_doi_normalisation(raw):
    assert normalise_doi(raw) == "10.7326/m18-2101"

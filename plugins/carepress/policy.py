"""The hospital's editorial policy, loaded from ``policy/`` and validated.

Policy is data (DESIGN.md principle 5): every limit a rule applies comes from
here, with the schema's ``default`` where the file says nothing. A missing or
malformed policy file is a configuration error (exit 2), never an empty
policy: carepress fails closed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .frontmatter import read_yaml
from .model import Finding, Severity

POLICY_FILES = {
    "hospital": ("hospital.yml", "policy/hospital.schema.json"),
    "editorial": ("editorial.yml", "policy/editorial.schema.json"),
    "people": ("people.yml", "policy/people.schema.json"),
    "sources": ("sources.yml", "policy/sources.schema.json"),
    "service_lines": ("service-lines.yml", "policy/service-lines.schema.json"),
    "consents": ("consents.yml", "policy/consents.schema.json"),
    "platforms": ("platforms.yml", "policy/platforms.schema.json"),
}
RETRACTION_COLUMNS = ("OriginalPaperDOI", "OriginalPaperPubMedID", "RetractionNature", "RetractionDate")


class PolicyError(Exception):
    """The policy cannot be used; the findings say which file, line and field."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("; ".join(f"{f.path}:{f.line}: {f.message}" for f in findings))


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    roles: tuple[str, ...]
    credentials: tuple[str, ...] = ()
    honorific_suffix: str = ""
    job_title: str = ""
    service_lines: tuple[str, ...] = ()
    github: str = ""
    url: str = ""
    verified: bool = True

    @property
    def display(self) -> str:
        return f"{self.name}, {self.honorific_suffix}" if self.honorific_suffix else self.name


@dataclass(frozen=True)
class Retraction:
    doi: str
    pmid: str
    nature: str
    date: str
    title: str
    retraction_doi: str


def normalise_doi(value: str) -> str:
    """A DOI as Crossref compares them: no resolver prefix, lower case."""
    text = value.strip()
    lowered = text.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.strip().lower()


@dataclass(frozen=True, eq=False)
class Policy:
    """One loaded policy; hashed by identity so per-policy caches can key on it."""

    root: Path
    hospital: Mapping[str, Any]
    editorial: Mapping[str, Any]
    people: Mapping[str, Person]
    sources: Mapping[str, Any]
    service_lines: Mapping[str, Any]
    consents: Mapping[str, Any]
    platforms: Mapping[str, Any]
    alert_templates: Mapping[str, Any]
    retractions_by_doi: Mapping[str, Retraction] = field(default_factory=dict)
    retractions_by_pmid: Mapping[str, Retraction] = field(default_factory=dict)
    digest: str = ""

    def type_rules(self, content_type: str) -> Mapping[str, Any]:
        return self.editorial.get("types", {}).get(content_type, {})

    @cached_property
    def staff_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.people.values())


def _read_policy_yaml(path: Path, rel: str) -> tuple[Any, Any, Any]:
    if not path.is_file():
        raise PolicyError(
            [
                Finding(
                    "policy.missing",
                    Severity.ERROR,
                    rel,
                    message=f"The policy file {rel} is missing.",
                    hint="Restore it from git, or copy the demo's policy file and edit it; "
                    "carepress never runs with an empty policy.",
                )
            ]
        )
    try:
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise PolicyError(
            [
                Finding(
                    "policy.invalid",
                    Severity.ERROR,
                    rel,
                    message=f"{rel} is not valid UTF-8.",
                    hint="Save the file as UTF-8.",
                )
            ]
        ) from None
    loaded = read_yaml(text, rel)
    if loaded.failed or loaded.findings:
        raise PolicyError([_as_policy(f) for f in loaded.findings])
    data = loaded.data if loaded.data is not None else {}
    return data, loaded.spans, loaded.key_spans


def _as_policy(finding: Finding) -> Finding:
    return Finding(
        "policy.invalid",
        Severity.ERROR,
        finding.path,
        finding.line,
        finding.column,
        finding.end_line,
        finding.end_column,
        finding.message,
        finding.hint,
    )


def _iso_date(value: str) -> str:
    """Retraction Watch writes dates as M/D/YYYY H:MM; carepress shows ISO dates."""
    text = value.strip().split(" ")[0]
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        month, day, year = (int(p) for p in parts)
        return f"{year:04d}-{month:02d}-{day:02d}"
    return text


def _load_retractions(path: Path, rel: str) -> tuple[dict[str, Retraction], dict[str, Retraction]]:
    if not path.is_file():
        raise PolicyError(
            [
                Finding(
                    "policy.missing",
                    Severity.ERROR,
                    rel,
                    message=f"The retraction list {rel} is missing.",
                    hint="Restore it, or download the Retraction Watch data from Crossref (see README).",
                )
            ]
        )
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in RETRACTION_COLUMNS if c not in header]
    if missing:
        raise PolicyError(
            [
                Finding(
                    "policy.invalid",
                    Severity.ERROR,
                    rel,
                    1,
                    1,
                    message=f"{rel} lacks the column(s) {', '.join(missing)}.",
                    hint="Use the Retraction Watch CSV as Crossref publishes it (see README).",
                )
            ]
        )
    by_doi: dict[str, Retraction] = {}
    by_pmid: dict[str, Retraction] = {}
    for row in reader:
        item = Retraction(
            doi=normalise_doi(row.get("OriginalPaperDOI") or ""),
            pmid=(row.get("OriginalPaperPubMedID") or "").strip(),
            nature=(row.get("RetractionNature") or "Retraction").strip(),
            date=_iso_date(row.get("RetractionDate") or ""),
            title=(row.get("Title") or "").strip(),
            retraction_doi=(row.get("RetractionDOI") or "").strip(),
        )
        if item.doi and item.doi != "unavailable":
            by_doi[item.doi] = item
        if item.pmid and item.pmid not in ("0", "unavailable"):
            by_pmid[item.pmid] = item
    return by_doi, by_pmid


def load_policy(policy_dir: Path, display_root: Path | None = None) -> Policy:
    """Load and validate every policy file; raise PolicyError on any problem."""
    # Here, not at the top: a process that only uses a loaded policy (the
    # social posts) never imports the validators.
    from .schemas import apply_defaults, findings_for

    display_root = display_root or policy_dir.parent
    errors: list[Finding] = []
    loaded: dict[str, Any] = {}
    digest = hashlib.blake2b(digest_size=16)

    def rel(path: Path) -> str:
        try:
            return path.relative_to(display_root).as_posix()
        except ValueError:
            return path.as_posix()

    if not policy_dir.is_dir():
        raise PolicyError(
            [
                Finding(
                    "policy.missing",
                    Severity.ERROR,
                    rel(policy_dir),
                    message=f"The policy folder {rel(policy_dir)} does not exist.",
                    hint="Set policy_dir in the carepress/compliance plugin settings in mkdocs.yml.",
                )
            ]
        )
    for key, (name, schema) in POLICY_FILES.items():
        path = policy_dir / name
        try:
            data, spans, key_spans = _read_policy_yaml(path, rel(path))
        except PolicyError as exc:
            errors.extend(exc.findings)
            continue
        digest.update(path.read_bytes())
        problems = findings_for(schema, data, rel(path), spans, key_spans, rule="policy.invalid")
        if problems:
            errors.extend(problems)
            continue
        loaded[key] = apply_defaults(schema, data)
    templates: dict[str, Any] = {}
    template_dir = policy_dir / "alert-templates"
    for path in sorted(template_dir.glob("*.yml")) if template_dir.is_dir() else []:
        try:
            data, spans, key_spans = _read_policy_yaml(path, rel(path))
        except PolicyError as exc:
            errors.extend(exc.findings)
            continue
        digest.update(path.read_bytes())
        problems = findings_for(
            "policy/alert-template.schema.json", data, rel(path), spans, key_spans, rule="policy.invalid"
        )
        errors.extend(problems)
        templates[path.stem] = data
    by_doi: dict[str, Retraction] = {}
    by_pmid: dict[str, Retraction] = {}
    if "sources" in loaded:
        retractions = policy_dir / loaded["sources"]["retractions"]
        try:
            by_doi, by_pmid = _load_retractions(retractions, rel(retractions))
            digest.update(retractions.read_bytes())
        except PolicyError as exc:
            errors.extend(exc.findings)
    if errors:
        raise PolicyError(errors)
    people = {
        pid: Person(
            id=pid,
            name=p["name"],
            roles=tuple(p.get("roles", ())),
            credentials=tuple(p.get("credentials", ())),
            honorific_suffix=p.get("honorific_suffix", ""),
            job_title=p.get("job_title", ""),
            service_lines=tuple(p.get("service_lines", ())),
            github=p.get("github", ""),
            url=p.get("url", ""),
            verified=p.get("verified", True),
        )
        for pid, p in loaded["people"]["people"].items()
    }
    return Policy(
        root=policy_dir,
        hospital=loaded["hospital"],
        editorial=loaded["editorial"],
        people=people,
        sources=loaded["sources"],
        service_lines=loaded["service_lines"]["service_lines"],
        consents=loaded["consents"]["consents"],
        platforms=loaded["platforms"],
        alert_templates=templates,
        retractions_by_doi=by_doi,
        retractions_by_pmid=by_pmid,
        digest=digest.hexdigest(),
    )

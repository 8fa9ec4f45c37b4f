"""Readability: patient and caregiver pages against their Flesch-Kincaid target."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from carepress.frontmatter import read_text
from carepress.model import Severity
from carepress.readability import measure
from helpers import check_text, line_of, rules

BODY = "High blood pressure often has no signs [@cdc-hbp]. Get it checked each year [@nhlbi-hbp]."
HARD = (
    "Hypertension, characterised by persistently elevated arterial pressure, substantially "
    "increases cardiovascular morbidity, cerebrovascular accidents, and chronic kidney disease, "
    "particularly among individuals with concomitant metabolic abnormalities [@cdc-hbp]. "
    "Pharmacological intervention, combined with comprehensive lifestyle modification "
    "encompassing dietary sodium restriction and regular aerobic physical activity, "
    "demonstrably reduces subsequent cardiovascular complications [@nhlbi-hbp]. Check it yearly."
)
FIRST = "Hypertension, characterised by persistently elevated arterial pressure, substantially increases card…"
SECOND = "Pharmacological intervention, combined with comprehensive lifestyle modification encompassing dietar…"


def of(findings):
    return [f for f in findings if f.rule.startswith("readability.")]


def hard(article: str) -> str:
    return article.replace(BODY, HARD)


def grade_of(text: str) -> float:
    doc = read_text(text, Path("x.md"), "x.md").document
    return measure(doc.body).grade


def with_target(policy, audience: str, target):
    readability = {**policy.editorial["readability"], audience: target}
    return dataclasses.replace(policy, editorial={**policy.editorial, "readability": readability})


def test_simple_patient_page_passes(article, policy):
    assert grade_of(article) <= policy.editorial["readability"]["patient"]
    assert of(check_text(article, policy)) == []


def test_complex_patient_page_warns(article, policy):
    text = hard(article)
    grade = grade_of(text)
    assert grade > 8
    findings = of(check_text(text, policy))
    assert rules(findings) == [("readability.grade", line_of(text, "audience:"))]
    f = findings[0]
    assert f.severity is Severity.WARNING
    assert f.message == f"The page reads at grade {grade:.1f}; the target for patient pages is 8 or below."
    assert f.hint == (
        "Shorten sentences and use everyday words. Longest sentences: "
        f'"{FIRST}" (24 words); "{SECOND}" (21 words); "Check it yearly." (3 words)'
    )


def test_caregiver_target_is_nine(article, policy):
    text = hard(article).replace("audience: patient", "audience: caregiver")
    findings = of(check_text(text, policy))
    assert rules(findings) == [("readability.grade", line_of(text, "audience:"))]
    assert "the target for caregiver pages is 9 or below" in findings[0].message


def test_clinician_page_is_not_checked(article, policy):
    assert policy.editorial["readability"]["clinician"] is None
    text = hard(article).replace("audience: patient", "audience: clinician")
    assert of(check_text(text, policy)) == []


def test_spanish_page_is_not_checked(article, policy):
    text = hard(article).replace("audience: patient", "audience: patient\nlang: es")
    assert of(check_text(text, policy)) == []


def test_english_variant_is_checked(article, policy):
    text = hard(article).replace("audience: patient", "audience: patient\nlang: en-US")
    assert [f.rule for f in of(check_text(text, policy))] == ["readability.grade"]


def test_page_at_exactly_the_target_passes(article, policy):
    text = hard(article)
    grade = grade_of(text)
    assert of(check_text(text, with_target(policy, "patient", grade))) == []


def test_page_a_tenth_over_the_target_warns(article, policy):
    text = hard(article)
    grade = grade_of(text)
    target = round(grade - 0.1, 1)
    findings = of(check_text(text, with_target(policy, "patient", target)))
    assert rules(findings) == [("readability.grade", line_of(text, "audience:"))]
    assert findings[0].message == (
        f"The page reads at grade {grade:.1f}; the target for patient pages is {target:g} or below."
    )


def test_references_code_and_headings_are_not_prose(article, policy):
    extra = (
        "\n## Pharmacological Considerations For Antihypertensive Polypharmacy Management\n\n"
        "```\nIntraindividual pharmacokinetic variability notwithstanding, contraindications apply.\n```\n"
    )
    text = article + extra
    assert of(check_text(text, policy)) == []

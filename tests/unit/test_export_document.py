"""The export document, pure part: the JSON's keys and dates, file names, which walk-throughs
stay private, and how the PDF copes with characters its font cannot draw."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from bot import pdf
from bot.domain import export as rules

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def case_record(reference: str = "FAM-0142") -> rules.CaseRecord:
    return rules.CaseRecord(
        id=7,
        reference=reference,
        key_worker="Alex Worker",
        stage="assessment",
        stage_label="Assessment",
        cadence_days=7,
        opened_at=AT,
        closed_at=None,
        closing_reason=None,
        last_visit_on=date(2026, 11, 20),
        next_visit_due=date(2026, 11, 27),
        next_review_on=None,
        history=[
            rules.Event(AT, "case.reassigned", "Sam Supervisor", {"from": "Kim", "to": "Alex"})
        ],
    )


def case_export(reference: str = "FAM-0142") -> rules.CaseExport:
    visit = rules.VisitRecord(
        id=1,
        case_reference=reference,
        visited_on=date(2026, 11, 20),
        author="Alex Worker",
        how_it_went="Café 😀 <b>&",
        risk_change="up",
        risk_words="⬆ Up",
        next_step=None,
        created_at=AT,
        updated_at=AT,
        earlier_versions=[rules.Revision(AT, "Alex Worker", {"how_it_went": "first try"})],
    )
    return rules.CaseExport(
        generated_at=AT,
        timezone="Europe/London",
        team="North Team",
        case=case_record(reference),
        visits=[visit],
        supervision_notes=[],
        actions=[],
        flags=[],
        stuck_walkthroughs=[],
        walkthroughs_private=2,
    )


def test_the_json_has_stable_keys_iso_dates_and_the_text_exactly_as_typed() -> None:
    data = json.loads(rules.export_json(case_export()))

    assert (data["format"], data["version"], data["kind"]) == ("bearings-export", 1, "case")
    assert list(data)[:5] == ["format", "version", "generated_at", "timezone", "team"]
    assert data["generated_at"] == "2026-11-23T09:30:00+00:00"
    assert data["case"]["last_visit_on"] == "2026-11-20"
    assert data["case"]["next_review_on"] is None
    assert data["case"]["history"][0] == {
        "at": "2026-11-23T09:30:00+00:00",
        "what": "case.reassigned",
        "by": "Sam Supervisor",
        "detail": {"from": "Kim", "to": "Alex"},
    }
    visit = data["visits"][0]
    assert visit["how_it_went"] == "Café 😀 <b>&"
    assert visit["earlier_versions"][0]["previous"] == {"how_it_went": "first try"}
    assert data["walkthroughs_private"] == 2


def test_file_names_carry_the_reference_and_the_day_and_nothing_a_file_system_dislikes() -> None:
    assert rules.file_name(case_export(), "pdf") == "bearings-FAM-0142-2026-11-23.pdf"
    assert rules.file_name(case_export("ab/12.x"), "pdf") == "bearings-ab-12-x-2026-11-23.pdf"


def test_only_a_walkthrough_saved_to_the_case_is_shared() -> None:
    assert rules.private_walkthrough([])
    assert rules.private_walkthrough(["flag_week", "agenda"])
    assert not rules.private_walkthrough(["flag_week", "note"])


def test_characters_the_font_cannot_draw_are_marked_and_invisible_ones_dropped() -> None:
    assert pdf.showable("Café مرحبا 😀 <b>&") == ("Café مرحبا 😀 <b>&", False)
    # A flag emoji, and a thumbs-up whose skin-tone modifier the font lacks (dropped, not boxed).
    assert pdf.showable("Flag 🚩 👍\U0001f3fd") == ("Flag □ □", True)
    assert pdf.showable("ok \U000e0067") == ("ok ", False)
    assert pdf.showable("e\u0301") == ("é", False)  # combined, then drawn


def test_a_pdf_with_unshowable_text_is_made_with_the_notice_and_nothing_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Secret 🚩 中文 note"
    with caplog.at_level(logging.DEBUG):
        made = pdf.document(
            f"<h1>Title</h1><p>{secret}</p>",
            title="Bearings",
            footer="page {page} of {nb}",
            created=AT,
            notice="<p>Some characters appear as □.</p>",
        )

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(made)).pages)
    assert "Secret □ □□ note" in text and "Some characters appear as □." in text
    assert "page 1 of 1" in text
    assert "Secret" not in caplog.text and "🚩" not in caplog.text

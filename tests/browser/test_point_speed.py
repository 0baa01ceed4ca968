"""Recording at the speed of the needle (issue 10), in real Chromium, counting what the clinician does.

An interaction is one thing the gloved clinician does on the page: a click, a choice in a select, or
typing into a field (whatever its length). The test performs every one of them through `Clinician`,
which counts them; waiting for the page (the guardrails panel, the timer running out) is not an
interaction. The timer's Start is one interaction: the timer stops by itself at the planned seconds
and writes the needle time (stopping early would be a second one: typing the seconds instead is the
one-interaction alternative).

Three charted findings of Ruth's: gluteus medius (no guardrail), then piriformis and gluteus
maximus, which share a guardrail warning (major nerves or vessels close, GR-NEUROVASCULAR).

- Point 1, gluteus medius from its finding: choose the finding, type the seconds, record: 3.
- Point 2, piriformis: the warning's reason is typed once; a longer needle and 2 twitch responses.
- Point 3, gluteus maximus: choose the finding, start the timer, record: 3. The reason given at
  point 2 is shown and reused without retyping; needle and twitch count come from point 2.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_session_safety import _patient

REASON = "Sciatic nerve mapped by palpation; needle aimed away from it"
MAX_INTERACTIONS = 3


class Clinician:
    """Every action of the user on the page, counted."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.count = 0

    def select(self, locator, value: str) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        locator.select_option(value)

    def type(self, locator, text: str) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        locator.fill(text)

    def click(self, locator) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        locator.click()


def _finding(alice, episode, muscle: str, y: float):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.services.chart import finding_create

    return finding_create(
        actor=alice, episode=episode, muscle_id=muscle, side="right", view="back", x=120.0, y=y,
        status="active", tenderness=6,
    )  # fmt: skip


def test_a_point_from_a_charted_finding_takes_three_interactions(signed_in_page, live_server, alice):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import Clinic
    from dryneedling.treatment.models import Insertion
    from tests.treatment.conftest import start_session

    page, base = signed_in_page, live_server.url
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    patient, episode = _patient(alice, "FAST-1", "Ruth", "Quick", answers={}, optional_items=[])
    Clinic.objects.filter(pk=patient.clinic_id).update(default_point_seconds=5)  # the clinic's planned seconds
    medius = _finding(alice, episode, "gluteus_medius", 236.0)
    piriformis = _finding(alice, episode, "piriformis", 250.0)
    maximus = _finding(alice, episode, "gluteus_maximus", 262.0)
    session = start_session(alice, episode)  # screened, consented, clean technique ticked

    page.goto(f"{base}/sessions/{session.pk}/")
    form = page.locator("#point-form")
    finding = form.get_by_label("Finding", exact=True)
    muscle = form.get_by_label("Muscle")
    side = form.get_by_role("combobox", name="Side", exact=True)
    needle_time = form.get_by_label("Needle time (s)")
    record = form.get_by_role("button", name="Record point")
    guardrails = page.locator("#guardrails")
    points = page.locator("#workspace ol.points > li")
    # Nothing misleading before the first point: no muscle, no side, no needle time assumed.
    expect(muscle).to_have_value("")
    expect(side).to_have_value("")
    expect(needle_time).to_have_value("")
    expect(form.get_by_label("Seconds", exact=True)).to_have_value("5")

    # ---- point 1: choose the finding, type the seconds, record -------------------------------
    clinician = Clinician(page)
    clinician.select(finding, str(medius.pk))
    expect(muscle).to_have_value("gluteus_medius")  # filled from the finding
    expect(side).to_have_value("right")
    expect(guardrails).to_contain_text("No guardrail applies")  # checked at once, without a click
    clinician.type(needle_time, "20")
    clinician.click(record)
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")
    expect(points).to_have_count(1)
    assert clinician.count <= MAX_INTERACTIONS, clinician.count
    first = Insertion.unscoped.get(session=session)
    assert (first.finding_id, first.muscle_id, first.side, first.actual_seconds) == (
        medius.pk,
        "gluteus_medius",
        "right",
        20,
    )
    # The first point's needle is the muscle's typical one (gluteus medius 0.30 x 50 mm in the KB).
    assert (str(first.needle_diameter_mm), first.needle_length_mm, first.technique) == ("0.30", 50, "pistoning")

    # ---- point 2: a warning's reason, given once; a longer needle, 2 twitch responses --------
    clinician = Clinician(page)
    clinician.select(finding, str(piriformis.pk))
    expect(muscle).to_have_value("piriformis")
    expect(guardrails).to_contain_text("GR-NEUROVASCULAR")
    expect(guardrails).not_to_contain_text("Reason given earlier")
    clinician.select(form.get_by_label("Needle length"), "40")
    clinician.type(needle_time, "25")
    clinician.type(form.get_by_label("Local twitch responses"), "2")
    clinician.click(record)  # refused: no reason yet ...
    expect(form.locator(".has-error")).to_contain_text("GR-NEUROVASCULAR")
    expect(guardrails).to_contain_text("GR-NEUROVASCULAR")  # ... and the warning text stays in view
    expect(guardrails).to_contain_text("Major nerves or vessels")
    clinician.type(form.get_by_label("Reason to proceed despite warnings"), "ok")
    clinician.click(record)  # a token reason: refused with the minimum stated
    expect(form.locator(".has-error")).to_contain_text("at least 5 characters; this one has 2")
    expect(guardrails).to_contain_text("GR-NEUROVASCULAR")
    clinician.type(form.get_by_label("Reason to proceed despite warnings"), REASON)
    clinician.click(record)
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")
    expect(points).to_have_count(2)
    expect(points.nth(1)).to_contain_text(f"GR-NEUROVASCULAR — reason: {REASON}")

    # ---- point 3: choose the finding, start the timer, record; the reason is not retyped -----
    expect(form.get_by_label("Needle length")).to_have_value("40")  # the last point's needle
    expect(form.get_by_label("Local twitch responses")).to_have_value("2")  # and its twitch count
    expect(form.get_by_label("Reason to proceed despite warnings")).to_have_value("")
    clinician = Clinician(page)
    clinician.select(finding, str(maximus.pk))
    expect(muscle).to_have_value("gluteus_maximus")
    expect(guardrails).to_contain_text("GR-NEUROVASCULAR")
    expect(guardrails).to_contain_text(f"Reason given earlier: {REASON}")
    timer = page.locator("[data-timer]")
    clinician.click(timer.get_by_role("button", name="Start"))
    expect(timer).to_have_class(re.compile(r"\bdone\b"), timeout=10_000)
    expect(needle_time).to_have_value("5")
    clinician.click(record)
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")
    expect(points).to_have_count(3)
    assert clinician.count <= MAX_INTERACTIONS, clinician.count
    expect(points.nth(2)).to_contain_text(f"GR-NEUROVASCULAR — reason given earlier: {REASON}")
    third = Insertion.unscoped.filter(session=session).order_by("pk").last()
    assert third is not None
    assert (third.finding_id, third.muscle_id, third.actual_seconds, third.planned_seconds) == (
        maximus.pk,
        "gluteus_maximus",
        5,
        5,
    )
    assert (third.needle_length_mm, third.twitch_count, third.override_reason) == (40, 2, REASON)
    warned = [g for g in third.guardrails if g["rule_id"] == "GR-NEUROVASCULAR"]
    assert warned and warned[0]["reason_given_earlier"] is True
    assert not problems, problems


def test_choosing_a_muscle_offers_its_typical_needle_never_a_longer_one_carried_over(  # type: ignore[no-untyped-def]
    signed_in_page, live_server, alice
):
    """The needle follows the muscle (issue 11): the KB's typical needle on the first point; later the
    session's last needle, unless it is longer than the new muscle's typical maximum (a 60 mm gluteal
    needle is not offered for the levator scapulae over the lung apex); a needle set by hand stays."""
    from dryneedling.clinical.knowledge import get_knowledge
    from dryneedling.treatment.models import Insertion
    from tests.treatment.conftest import start_session

    page, base = signed_in_page, live_server.url
    levator = get_knowledge().muscles["levator_scapulae"].needle
    assert levator.length_mm == (25, 40)  # the KB figures this test relies on
    patient, episode = _patient(alice, "FAST-2", "Nell", "Needle", answers={}, optional_items=[])
    session = start_session(alice, episode)
    page.goto(f"{base}/sessions/{session.pk}/")
    form = page.locator("#point-form")
    muscle, length, diameter = (
        form.get_by_label("Muscle"),
        form.get_by_label("Needle length"),
        form.get_by_label("Needle diameter"),
    )
    muscle.select_option("levator_scapulae")
    expect(length).to_have_value("25")
    expect(diameter).to_have_value("0.25")
    muscle.select_option("gluteus_maximus")
    expect(length).to_have_value("50")
    expect(diameter).to_have_value("0.30")
    length.select_option("60")  # by hand: kept whatever muscle is chosen next
    muscle.select_option("piriformis")
    expect(length).to_have_value("60")
    form.get_by_role("combobox", name="Side", exact=True).select_option("right")
    form.get_by_label("Needle time (s)").fill("20")
    form.get_by_label("Reason to proceed despite warnings").fill("Sciatic nerve located; needle aimed away")
    form.get_by_role("button", name="Record point").click()
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")
    assert Insertion.unscoped.get(session=session).needle_length_mm == 60
    form = page.locator("#point-form")  # a fresh form after the point
    form.get_by_label("Muscle").select_option("gluteus_medius")  # typical up to 60 mm: the last needle stays
    expect(form.get_by_label("Needle length")).to_have_value("60")
    form.get_by_label("Muscle").select_option("levator_scapulae")  # 60 > 40: the levator's own needle
    expect(form.get_by_label("Needle length")).to_have_value("25")
    expect(form.get_by_label("Needle diameter")).to_have_value("0.25")

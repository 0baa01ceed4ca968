"""The knowledge browser: muscles, conditions, contraindications, side effects, evidence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from dryneedling.clinical import bodychart
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.clinical.referral import referral_highlights, trigger_point_markers
from dryneedling.web.views.shared import AuthedRequest


def _sources(ids: tuple[str, ...] | list[str]) -> list:  # type: ignore[type-arg]
    knowledge = get_knowledge()
    return [knowledge.sources[i] for i in dict.fromkeys(ids) if i in knowledge.sources]


@login_required
@require_GET
def kb_index(request: AuthedRequest) -> HttpResponse:
    knowledge = get_knowledge()
    muscles = sorted(knowledge.muscles.values(), key=lambda m: (m.body_region, m.name))
    conditions = sorted(knowledge.conditions.values(), key=lambda c: c.name)
    return render(request, "kb/index.html", {"k": knowledge, "muscles": muscles, "conditions": conditions})


@login_required
@require_GET
def kb_muscle(request: AuthedRequest, muscle_id: str) -> HttpResponse:
    knowledge = get_knowledge()
    muscle = knowledge.muscles.get(muscle_id)
    if muscle is None:
        raise Http404("No such muscle.")
    highlight = referral_highlights(muscle_id=muscle.id, side="right")
    charts = []
    for view in bodychart.VIEWS:
        view_regions = {r.id for r in bodychart.regions(view)}
        svg = bodychart.render_svg(
            view=view,
            highlight_regions={rid: cls for rid, cls in highlight.items() if rid in view_regions},
            points=trigger_point_markers(muscle_id=muscle.id, side="right", view=view),
            title=f"{muscle.name}: trigger points and referred pain, {view} view",
        )
        charts.append((view, mark_safe(svg)))  # noqa: S308 - built by the clinical core, every value escaped
    conditions = [c for c in knowledge.conditions.values() if muscle.id in c.muscles]
    context = {
        "muscle": muscle,
        "charts": charts,
        "conditions": conditions,
        "sources": _sources(muscle.sources),
        "needle_sources": _sources(muscle.needle.sources),
        "k": knowledge,
    }
    return render(request, "kb/muscle.html", context)


@login_required
@require_GET
def kb_condition(request: AuthedRequest, condition_id: str) -> HttpResponse:
    knowledge = get_knowledge()
    condition = knowledge.conditions.get(condition_id)
    if condition is None:
        raise Http404("No such condition.")
    muscles = [knowledge.muscles[m] for m in condition.muscles if m in knowledge.muscles]
    evidence = [knowledge.evidence[e] for e in condition.evidence_ids if e in knowledge.evidence]
    ids = list(condition.sources) + list(condition.typical_course.sources) + [s for e in evidence for s in e.sources]
    context = {
        "condition": condition,
        "muscles": muscles,
        "evidence": evidence,
        "sources": _sources(ids),
        "k": knowledge,
    }
    return render(request, "kb/condition.html", context)


@login_required
@require_GET
def kb_contraindications(request: AuthedRequest) -> HttpResponse:
    knowledge = get_knowledge()
    kinds: dict[str, list] = {}  # type: ignore[type-arg]
    for item in knowledge.contraindications.values():
        kinds.setdefault(item.kind, []).append(item)
    ids = [s for item in knowledge.contraindications.values() for s in item.sources]
    return render(request, "kb/contraindications.html", {"kinds": kinds, "sources": _sources(ids), "k": knowledge})


@login_required
@require_GET
def kb_side_effects(request: AuthedRequest) -> HttpResponse:
    knowledge = get_knowledge()
    effects = list(knowledge.side_effects.values())
    ids = [s for e in effects for s in e.sources] + [r.source for e in effects for r in e.rates]
    return render(request, "kb/side_effects.html", {"effects": effects, "sources": _sources(ids), "k": knowledge})


@login_required
@require_GET
def kb_evidence(request: AuthedRequest) -> HttpResponse:
    knowledge = get_knowledge()
    statements = list(knowledge.evidence.values())
    ids = [s for e in statements for s in e.sources]
    return render(request, "kb/evidence.html", {"statements": statements, "sources": _sources(ids), "k": knowledge})

"""Django-free clinical core of dryneedling: knowledge base, body chart, screening, guardrails, referral.

Nothing in this package imports Django or any other part of ``dryneedling``.

Modules: ``knowledge`` (typed knowledge base loaded from ``data/*.yaml``), ``bodychart``
(coordinate system, regions, SVG), ``intake`` and ``screening`` (questionnaire and decision
engine), ``safety`` (per-insertion guardrails), ``referral`` (referred-pain lookup) and
``commands`` (CLI behaviour).
"""

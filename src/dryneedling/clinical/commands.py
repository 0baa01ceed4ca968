"""Command implementations behind ``dryneedling kb check``, ``kb muscle ID`` and ``screen``.

Exit codes: 0 success; 1 the packaged knowledge data is broken; 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .bodychart import load_chart
from .intake import AnswerError, parse_answers, site_label
from .knowledge import Knowledge, KnowledgeError, get_knowledge, load_knowledge
from .rules import DEFAULT_AGE_OF_CONSENT, ScreeningContext
from .safejson import MAX_JSON_FILE_CHARS, MAX_JSON_FILE_DEPTH, JSONInputError, loads_bounded
from .screening import EMERGENCY_LABEL, REFER_LABEL, screen

MIN_COUNTS = {"muscles": 40, "conditions": 12}
SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
AGE_OF_CONSENT_RANGE = (0, 30)


def _age_of_consent(text: str) -> int:
    low, high = AGE_OF_CONSENT_RANGE
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of years, got {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
    return value


def add_screen_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``screen`` options, shared by the project CLI and ``python -m dryneedling.clinical``."""
    parser.add_argument("--answers", required=True, help="JSON file of intake answers")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--age-of-consent",
        type=_age_of_consent,
        default=DEFAULT_AGE_OF_CONSENT,
        help=f"the clinic's age of consent in years (default {DEFAULT_AGE_OF_CONSENT})",
    )
    parser.add_argument("--sex", choices=SEXES, default=None, help="the patient's recorded sex")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _tags(k: Knowledge) -> Counter[str]:
    tags: Counter[str] = Counter()
    for table in (k.muscles, k.conditions, k.contraindications, k.side_effects, k.evidence):
        tags.update(item.evidence for item in table.values())
    tags.update(rule.evidence for rule in k.screening_rules)
    tags.update(g.evidence for g in k.guardrails.values())
    return tags


def kb_check(out: TextIO, err: TextIO | None = None, data_dir: Path | None = None) -> int:
    """Validate the knowledge data and print counts."""
    err = err or sys.stderr
    try:
        k = load_knowledge(data_dir)
        chart = load_chart(data_dir)
        extra = _companion_counts(data_dir, k)
    except KnowledgeError as exc:
        print(f"kb check failed: {_one_line(str(exc))}", file=err)
        return 1
    counts = {"muscles": len(k.muscles), "conditions": len(k.conditions)}
    short = [f"{name} {counts[name]} < {n}" for name, n in MIN_COUNTS.items() if counts[name] < n]
    if short:
        print(f"kb check failed: too few entries ({'; '.join(short)})", file=err)
        return 1
    kinds = Counter(c.kind for c in k.contraindications.values())
    severities = Counter(s.severity for s in k.side_effects.values())
    topics = Counter(e.topic for e in k.evidence.values())
    tags = _tags(k)
    lines = [
        f"Knowledge base {k.version}: OK",
        f"  muscles:            {len(k.muscles)} (lung risk {sum(m.lung_risk for m in k.muscles.values())}, "
        f"kidney risk {sum(m.kidney_risk for m in k.muscles.values())})",
        f"  conditions:         {len(k.conditions)}",
        f"  contraindications:  {len(k.contraindications)} (absolute {kinds['absolute']}, "
        f"relative {kinds['relative']}, site {kinds['site']})",
        f"  side effects:       {len(k.side_effects)} (mild {severities['mild']}, "
        f"significant {severities['significant']}, serious {severities['serious']})",
        f"  evidence:           {len(k.evidence)} (" + ", ".join(f"{t} {n}" for t, n in sorted(topics.items())) + ")",
        f"  screening rules:    {len(k.screening_rules)}",
        f"  guardrails:         {len(k.guardrails)}",
        f"  sources:            {len(k.sources)}",
        f"  body chart regions: {len(chart.by_id)} "
        f"(front {len(chart.views['front'])}, back {len(chart.views['back'])})",
        f"  evidence tags:      V {tags['V']}, M {tags['M']}, NF {tags['NF']}",
        *extra,
    ]
    print("\n".join(lines), file=out)
    return 0


def _companion_counts(data_dir: Path | None, k: Knowledge) -> list[str]:
    """Load the data files that live beside the knowledge base (each validates itself)."""
    from .billing import load_billing
    from .credentials import load_credentials
    from .education import CONSENT_VERSION, load_education
    from .homecare import load_homecare
    from .instruments import load_instrument_data

    billing = load_billing(data_dir, k)
    instruments = load_instrument_data(data_dir, k)
    homecare = load_homecare(data_dir, k)
    education = load_education(data_dir, k)
    credentials = load_credentials(data_dir, k)
    covering = sum(c.covers is not None for c in education.consent)
    scopes = Counter(j.physical_therapists for j in credentials.jurisdictions.values())
    return [
        f"  billing:            {len(billing.codes)} codes, {len(billing.rules)} rules, never billed: "
        + ", ".join(sorted(billing.never_bill)),
        f"  instruments:        {len(instruments.instruments)} (" + ", ".join(instruments.instruments) + ")",
        f"  home-care items:    {len(homecare.items)}",
        f"  education:          {len(education.sections)} sections, consent {CONSENT_VERSION} "
        f"({len(education.consent)} items, {covering} optional items enforced by the safety engine)",
        f"  jurisdictions:      {len(credentials.jurisdictions)} (physical therapists allowed {scopes['allowed']}, "
        f"not permitted {scopes['not_permitted']}, unknown {scopes['unknown']})",
    ]


def _range(values: tuple[float, float] | None, what: str) -> str:
    if values is None:
        return f"{what} not documented"
    low, high = values
    return f"{low:g} mm" if low == high else f"{low:g}-{high:g} mm"


def kb_muscle(muscle_id: str, out: TextIO, err: TextIO | None = None) -> int:
    """Print one muscle with its trigger points, referral, needle data, hazards and sources."""
    err = err or sys.stderr
    k = get_knowledge()
    m = k.muscles.get(muscle_id)
    if m is None:
        hint = ", ".join(sorted(k.muscles)[:5])
        print(f"error: unknown muscle id '{_one_line(muscle_id)}' (try one of: {hint}, ...)", file=err)
        return 2
    needle = m.needle
    size = f"{_range(needle.diameter_mm, 'diameter')} x {_range(needle.length_mm, 'length')}"
    lines = [f"{m.name} ({m.id}) [{m.evidence}]", f"Body region: {m.body_region.replace('_', ' ')}", "Trigger points:"]
    lines += [f"  - {tp.description} ({tp.view} view, x={tp.x:g}, y={tp.y:g})" for tp in m.trigger_points]
    lines += [
        f"Referred pain [{m.referral_evidence}]: {m.referral_text}",
        f"  primary: {', '.join(m.referral_primary)}",
        f"  spill-over: {', '.join(m.referral_spillover) or '-'}",
        f"Needle [{needle.evidence}]: {size}. {needle.technique}",
        "Hazards: " + "; ".join(m.hazards),
        f"Lung/pleura risk: {'yes' if m.lung_risk else 'no'}; kidney risk: {'yes' if m.kidney_risk else 'no'}",
    ]
    if m.safe_depth_mm is not None:
        lines.append(f"Documented safe depth: about {m.safe_depth_mm:g} mm")
    if m.safe_handling:
        lines.append("Safe handling: " + ", ".join(h.replace("_", " ") for h in m.safe_handling))
    if m.notes:
        lines.append(f"Notes: {m.notes}")
    lines.append("Sources:")
    ids = dict.fromkeys(m.sources + needle.sources)
    lines += [f"  [{sid}] {k.sources[sid].citation}" for sid in ids]
    print("\n".join(lines), file=out)
    return 0


def screen_file(
    path: str | Path,
    as_json: bool,
    out: TextIO,
    err: TextIO,
    *,
    age_of_consent: int = DEFAULT_AGE_OF_CONSENT,
    sex: str | None = None,
) -> int:
    """Screen the intake answers in a JSON file and print the decision."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        print(f"error: cannot read answers file '{path}': {reason}", file=err)
        return 2
    try:
        raw = loads_bounded(text, max_chars=MAX_JSON_FILE_CHARS, max_depth=MAX_JSON_FILE_DEPTH)
    except JSONInputError as exc:
        print(_one_line(f"error: '{path}' is not valid JSON: {exc}"), file=err)
        return 2
    try:
        answers = parse_answers(raw, sex=sex)
    except AnswerError as exc:
        print(f"error: {_one_line(str(exc))}", file=err)
        return 2
    decision = screen(answers, context=ScreeningContext(sex=sex, age_of_consent=age_of_consent))
    if as_json:
        print(json.dumps(decision.to_dict(), indent=2, ensure_ascii=False), file=out)
        return 0
    lines = [f"{EMERGENCY_LABEL.upper()}"] if decision.emergency else []
    lines += [
        f"Decision: {decision.label}",
        f"{REFER_LABEL}: {'YES' if decision.refer_to_physician else 'no'}",
    ]
    if decision.blocked_sites:
        lines.append("Do not needle: " + "; ".join(site_label(s) for s in decision.blocked_sites))
    if decision.caution_sites:
        lines.append("Take care at: " + "; ".join(site_label(s) for s in decision.caution_sites))
    lines.append("Reasons:")
    for r in decision.reasons:
        lines.append(f"  [{r.severity}] {r.text} ({r.rule_id}; sources: {', '.join(r.sources)}; evidence {r.evidence})")
    lines.append("Rule ids: " + ", ".join(decision.rule_ids))
    lines.append(f"Knowledge version: {decision.knowledge_version}")
    print("\n".join(lines), file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point (``python -m dryneedling.clinical``) mirroring the project CLI."""
    parser = argparse.ArgumentParser(prog="dryneedling")
    sub = parser.add_subparsers(dest="command", required=True)
    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    kb.add_parser("check", help="validate the knowledge data and print counts")
    muscle = kb.add_parser("muscle", help="print one muscle")
    muscle.add_argument("muscle_id")
    add_screen_arguments(sub.add_parser("screen", help="screen intake answers"))
    guard = sub.add_parser("guardrails", help="check one planned insertion (plan JSON file)")
    guard.add_argument("--plan", required=True)
    guard.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "guardrails":
        from .safety.command import guardrails_file

        return guardrails_file(args.plan, args.json, sys.stdout, sys.stderr)
    if args.command == "kb":
        if args.kb_command == "check":
            return kb_check(sys.stdout, sys.stderr)
        return kb_muscle(args.muscle_id, sys.stdout, sys.stderr)
    return screen_file(
        args.answers, args.json, sys.stdout, sys.stderr, age_of_consent=args.age_of_consent, sex=args.sex
    )

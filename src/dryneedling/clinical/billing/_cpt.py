"""CPT 20560/20561 from the muscles needled: distinct anatomical muscles, never insertions.

Rules (ids in ``data/billing.yaml``): CPT-COUNT-MUSCLES (distinct muscles), CPT-ANATOMICAL-MUSCLE
(knowledge-base entries map to anatomical muscles: the trapezius parts are one muscle, the named
members of a grouped entry count apart), CPT-GROUPED-UNNAMED (a grouped entry without the member
named counts once) and CPT-LATERALITY (left and right count apart; provisional [M]).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..knowledge import Knowledge, get_knowledge
from ._data import SIDES, BillingData, BillingRule, CptResult, anatomical_name, get_billing

Needled = tuple[str, str] | tuple[str, str, str | None]
"""(muscle_id, side) or (muscle_id, side, the anatomical muscle named in a grouped entry or None)."""
Item = tuple[str, str, str | None]


def _sided(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Distinct (key, side); left and right count apart; midline only when the key has no sided record."""
    sides: dict[str, set[str]] = {}
    for key, side in pairs:
        sides.setdefault(key, set()).add(side)
    return {(k, s) for k, found in sides.items() for s in (found - {"midline"} or {"midline"})}


def _checked(item: object, knowledge: Knowledge, data: BillingData) -> Item:
    if not (isinstance(item, tuple) and len(item) in (2, 3)):
        raise ValueError(f"each needled item must be a (muscle_id, side[, anatomical muscle]) tuple, got {item!r}")
    muscle, side, named = item if len(item) == 3 else (*item, None)
    if not (isinstance(muscle, str) and isinstance(side, str) and (named is None or isinstance(named, str))):
        raise ValueError(f"each needled item must be a (muscle_id, side[, anatomical muscle]) tuple, got {item!r}")
    if muscle not in knowledge.muscles:
        raise ValueError(f"unknown muscle id {muscle!r}")
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}, got {side!r}")
    if named and named not in data.members(muscle):
        raise ValueError(f"{named!r} is not a muscle of {knowledge.muscles[muscle].name}")
    return muscle, side, named or None


def _by_anatomy(item: Item, data: BillingData) -> str | None:
    """The anatomical muscle an insertion record counts as; None for an unnamed grouped record."""
    muscle, _, named = item
    members = data.members(muscle)
    return named or (members[0] if len(members) == 1 else None)


def _count(items: list[Item], data: BillingData) -> tuple[set[tuple[str, str]], set[tuple[str, str]], int]:
    """(anatomical muscles counted, unnamed grouped entries counted, unnamed grouped records absorbed):
    an unnamed grouped record counts once, unless a member of its group is counted on that side."""
    anatomical = _sided((key, s) for i in items if (key := _by_anatomy(i, data)) and (s := i[1]))
    grouped = _sided((m, s) for m, s, n in items if _by_anatomy((m, s, n), data) is None)
    on_any_side = {k for k, _ in anatomical}

    def absorbed(muscle: str, side: str) -> bool:
        return any((a, side) in anatomical or (side == "midline" and a in on_any_side) for a in data.members(muscle))

    kept = {(m, s) for m, s in grouped if not absorbed(m, s)}
    return anatomical, kept, len(grouped - kept)


def _explain(
    items: list[Item], counted: set[tuple[str, str]], grouped: set[tuple[str, str]], absorbed: int, data: BillingData
) -> tuple[list[BillingRule], str]:
    """The rules beyond CPT-COUNT-MUSCLES that shaped the count, and the sentence saying how."""
    knowledge, rules, text = get_knowledge(), [], ""
    parts = sorted({m for m, _, n in items if not n and len(data.members(m)) == 1 and data.members(m) != (m,)})
    named = any(n for _, _, n in items)
    if parts or named:
        rules.append(data.rules["CPT-ANATOMICAL-MUSCLE"])
        shared = ", ".join(f"{knowledge.muscles[m].name} = {anatomical_name(data.members(m)[0])}" for m in parts)
        text += f" Counted by anatomical muscle{': ' + shared if shared else ''}."
        text += " Members named in a grouped entry count apart." if named else ""
        text += f" ({rules[-1].id} [{rules[-1].evidence}])"
    if grouped or absorbed:
        rules.append(data.rules["CPT-GROUPED-UNNAMED"])
        text += " A grouped entry without the member named counts as one muscle"
        text += f"; {absorbed} such record(s) added nothing beside a named member" if absorbed else ""
        text += f" ({rules[-1].id} [{rules[-1].evidence}])."
    bilateral = sorted({k for k, s in counted if s == "left" and (k, "right") in counted})
    midline = {k for i in items if i[1] == "midline" and (k := _by_anatomy(i, data))}
    merged = len({k for k in midline if (k, "midline") not in counted})
    if bilateral or merged:
        rules.append(data.rules["CPT-LATERALITY"])
        both = ", ".join(_label(k, grouped, knowledge) for k in bilateral)
        text += f" Needled on both sides, counted twice: {both}." if bilateral else ""
        text += f" {merged} midline record(s) merged into the sided record of the same muscle." if merged else ""
        text += f" ({rules[-1].id} [{rules[-1].evidence}])"
    return rules, text


def _label(key: str, grouped: set[tuple[str, str]], knowledge: Knowledge) -> str:
    if any(k == key for k, _ in grouped):
        return f"{knowledge.muscles[key].name}, member not named"
    return anatomical_name(key)


_MEMO: dict[tuple[Needled, ...], tuple[Knowledge, BillingData, CptResult]] = {}
_MEMO_SIZE = 4096


def derive_cpt(*, needled: Iterable[Needled], knowledge: Knowledge | None = None) -> CptResult:
    """CPT code for one session from every insertion record (see :data:`Needled`); repeats allowed.
    A pure function of its inputs: remembered for the last few thousand (the seeder derives one a
    session, issue 14), and only for the same knowledge base and billing data."""
    knowledge = knowledge or get_knowledge()
    data = get_billing()
    key = tuple(needled)
    try:
        hit = _MEMO.get(key)
    except TypeError:  # an unhashable item (a list): the checks say what is wrong with it
        return _derive_cpt(key, knowledge, data)
    if hit is not None and hit[0] is knowledge and hit[1] is data:
        return hit[2]
    result = _derive_cpt(key, knowledge, data)
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (knowledge, data, result)
    return result


def _derive_cpt(needled: tuple[Needled, ...], knowledge: Knowledge, data: BillingData) -> CptResult:
    items = [_checked(item, knowledge, data) for item in needled]
    anatomical, grouped, absorbed = _count(items, data)
    counted = tuple(sorted(anatomical | grouped))
    n = len(counted)
    if n == 0:
        rule = data.rules["CPT-NONE"]
        return CptResult(
            code=None, muscle_count=0, counted=(), rule_id=rule.id, explanation=rule.message, sources=rule.sources
        )
    code = next(c for c in data.codes if c.min_muscles <= n and (c.max_muscles is None or n <= c.max_muscles))
    count_rule = data.rules["CPT-COUNT-MUSCLES"]
    labels = tuple(f"{_label(k, grouped, knowledge)} ({s})" for k, s in counted)
    more, how = _explain(items, set(counted), grouped, absorbed, data)
    explanation = (
        f"{n} muscle{'s' if n > 1 else ''} counted from {len(items)} insertion record(s): {', '.join(labels)}. "
        f"CPT {code.code}: {code.descriptor}. Counted by distinct muscle, never by insertion [{count_rule.evidence}]."
        + how
    )
    applied = [count_rule, *more]
    return CptResult(
        code=code.code,
        muscle_count=n,
        counted=counted,
        rule_id=f"CPT-{code.code}",
        explanation=explanation,
        sources=tuple(dict.fromkeys(code.sources + tuple(s for r in applied for s in r.sources))),
        labels=labels,
        rules_applied=tuple(r.id for r in applied),
    )

"""Screening rules as data: a small condition language over intake answers.

Condition forms (YAML)::

    {answer: KEY, is: true}            # bool question
    {answer: KEY, in: [a, b]}          # choice question
    {answer: KEY, any_of: [a, b]}      # multichoice: at least one of these chosen
    {answer: KEY, nonempty: true}      # multichoice: anything chosen
    {answer: KEY, lt: 16} / {ge: 16}   # int or number question (unanswered never matches)
    {answer: KEY, gt: 3.0} / {le: 3.0}
    {answer: age, lt: {setting: age_of_consent}}   # compare with a screening-context setting
    {answer: KEY, unanswered: true}    # question left blank
    {all: [...]} / {any: [...]} / {not: {...}}

The context (:class:`ScreeningContext`) holds patient facts and clinic settings that are not
answers: the patient's recorded sex and the clinic's age of consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._reader import Entry
from .intake import QUESTIONS_BY_KEY, SITES, IntakeAnswers

EFFECTS: tuple[str, ...] = ("emergency", "refer", "not_suitable_now", "site_block", "precaution", "note")
_COMPARE = ("lt", "ge", "gt", "le")
_OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "bool": ("is", "unanswered"),
    "choice": ("in", "unanswered"),
    "multichoice": ("any_of", "nonempty", "unanswered"),
    "int": (*_COMPARE, "unanswered"),
    "number": (*_COMPARE, "unanswered"),
    "date": ("unanswered",),
    "text": ("unanswered",),
}
DEFAULT_AGE_OF_CONSENT = 18
SETTINGS: tuple[str, ...] = ("age_of_consent",)


@dataclass(frozen=True)
class ScreeningContext:
    """Facts about the patient and the clinic that are not intake answers.

    ``age_of_consent`` is the clinic's setting (default 18, the usual US age of majority for
    consent to treatment; clinics elsewhere set their own). ``sex`` is the recorded sex.
    """

    sex: str | None = None
    age_of_consent: int = DEFAULT_AGE_OF_CONSENT

    def setting(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class Setting:
    """A reference to a context setting inside a condition (``{setting: age_of_consent}``)."""

    name: str


def _resolve(arg: Any, context: ScreeningContext) -> Any:
    return context.setting(arg.name) if isinstance(arg, Setting) else arg


@dataclass(frozen=True)
class Condition:
    op: str
    key: str | None = None
    arg: Any = None
    children: tuple[Condition, ...] = ()

    def holds(self, answers: IntakeAnswers, context: ScreeningContext | None = None) -> bool:
        context = context or ScreeningContext()
        if self.op == "all":
            return all(c.holds(answers, context) for c in self.children)
        if self.op == "any":
            return any(c.holds(answers, context) for c in self.children)
        if self.op == "not":
            return not self.children[0].holds(answers, context)
        assert self.key is not None
        value = answers.get(self.key)
        if self.op == "unanswered":
            return (value is None) == bool(self.arg)
        if value is None:
            return False
        if self.op == "is":
            return bool(value is self.arg)
        if self.op == "in":
            return bool(value in self.arg)
        if self.op == "any_of":
            return any(v in self.arg for v in value)
        if self.op == "nonempty":
            return bool(value) == bool(self.arg)
        arg = _resolve(self.arg, context)
        if self.op == "lt":
            return bool(value < arg)
        if self.op == "ge":
            return bool(value >= arg)
        if self.op == "gt":
            return bool(value > arg)
        if self.op == "le":
            return bool(value <= arg)
        raise AssertionError(self.op)  # pragma: no cover

    def keys(self) -> set[str]:
        found = {self.key} if self.key else set()
        for child in self.children:
            found |= child.keys()
        return found


def parse_condition(raw: Any, entry: Entry, path: str) -> Condition:
    if not isinstance(raw, dict) or not raw:
        raise entry.error(path, "expected a condition mapping")
    if set(raw) <= {"all", "any"} and len(raw) == 1:
        op = next(iter(raw))
        items = raw[op]
        if not isinstance(items, list) or not items:
            raise entry.error(f"{path}.{op}", "expected a non-empty list of conditions")
        kids = tuple(parse_condition(c, entry, f"{path}.{op}[{i}]") for i, c in enumerate(items))
        return Condition(op=op, children=kids)
    if set(raw) == {"not"}:
        return Condition(op="not", children=(parse_condition(raw["not"], entry, f"{path}.not"),))
    key = raw.get("answer")
    if not isinstance(key, str) or key not in QUESTIONS_BY_KEY:
        raise entry.error(f"{path}.answer", f"unknown question key {key!r}")
    ops = [k for k in raw if k != "answer"]
    if len(ops) != 1:
        raise entry.error(path, "expected exactly one operator besides 'answer'")
    op, arg = ops[0], raw[ops[0]]
    question = QUESTIONS_BY_KEY[key]
    if op not in _OPS_BY_KIND[question.kind]:
        raise entry.error(f"{path}.{op}", f"operator not valid for a {question.kind} question")
    where = f"{path}.{op}"
    if op in ("is", "nonempty", "unanswered") and not isinstance(arg, bool):
        raise entry.error(where, "expected true or false")
    if op in ("in", "any_of"):
        if not isinstance(arg, list) or not arg or any(a not in question.choices for a in arg):
            raise entry.error(where, f"expected a list drawn from {', '.join(question.choices)}")
        arg = tuple(arg)
    if op in _COMPARE:
        arg = _compare_arg(arg, question.kind, entry, where)
    return Condition(op=op, key=key, arg=arg)


def _compare_arg(arg: Any, kind: str, entry: Entry, where: str) -> Any:
    if isinstance(arg, dict):
        name = arg.get("setting")
        if set(arg) != {"setting"} or name not in SETTINGS:
            raise entry.error(where, f"expected a number or {{setting: NAME}} with NAME one of {', '.join(SETTINGS)}")
        return Setting(name)
    numeric = int | float if kind == "number" else int
    if isinstance(arg, bool) or not isinstance(arg, numeric):
        raise entry.error(where, "expected a number" if kind == "number" else "expected an integer")
    return arg


@dataclass(frozen=True)
class ScreeningRule:
    id: str
    when: Condition
    effect: str
    reason: str
    sites: tuple[str, ...]
    sites_from: str | None
    contraindication: str | None
    sources: tuple[str, ...]
    evidence: str
    notes: str = ""

    def holds(self, answers: IntakeAnswers, context: ScreeningContext | None = None) -> bool:
        return self.when.holds(answers, context)

    def matched_sites(self, answers: IntakeAnswers) -> tuple[str, ...]:
        found = list(self.sites)
        if self.sites_from:
            found.extend(answers.get(self.sites_from) or ())
        return tuple(dict.fromkeys(found))


def build_rule(entry: Entry) -> ScreeningRule:
    rule_id = entry.text("id")
    when = parse_condition(entry.raw_value("when"), entry, "when")
    effect = entry.choice("effect", EFFECTS)
    sites = entry.texts("sites", required=False)
    for site in sites:
        if site not in SITES:
            raise entry.error("sites", f"unknown site '{site}'")
    sites_from = entry.opt_text("sites_from")
    if sites_from is not None:
        question = QUESTIONS_BY_KEY.get(sites_from)
        if question is None or question.kind != "multichoice" or not set(question.choices) <= set(SITES):
            raise entry.error("sites_from", f"'{sites_from}' is not a multichoice question of sites")
    if effect == "site_block" and not sites and not sites_from:
        raise entry.error("sites", "a site_block rule needs sites or sites_from")
    rule = ScreeningRule(
        id=rule_id,
        when=when,
        effect=effect,
        reason=entry.text("reason"),
        sites=sites,
        sites_from=sites_from,
        contraindication=entry.opt_text("contraindication"),
        sources=entry.sources(),
        evidence=entry.evidence(),
        notes=entry.opt_text("notes") or "",
    )
    entry.finish()
    return rule

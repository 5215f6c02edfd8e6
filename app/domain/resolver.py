"""Who holds myndighed (or udfører) for a case: the responsibility resolver.

A question names a municipality, an age, conditions, perhaps a paragraph, a kind and
a date. The resolver weighs every ResponsibilityRule of that municipality and kind,
says for each why it applies or not, and picks by the precedence in
`docs/precedence.md`: a documented exception beats the rule it excepts; then a rule
naming the paragraph, then a narrower age band, then a named (and narrower)
condition. Ties between different holders are `ambiguous`, never picked silently.

Round trips per question (the graph is read only through `GraphStore.read` and the
named queries in `cypher/`), each starting from an index lookup on a uid:

1. `responsibility_for_case`: the municipality's rules with holders, conditions,
   paragraphs and exceptions, as flat rows without provenance (on FalkorDB, nested
   pattern comprehensions cost ~10 ms here; flat rows ~1 ms);
2. `responsibility_rule_sources`: provenance of the deciding rules only;
3. `leaders_of_unit_at_date`: path and leaders of the deciding units;
4. `responsibility_providers`: tilbud serving such a case.

(2) and (3) are skipped when no rule decides.

The taxonomy, the paragraphs with their successions and the municipalities are small
and change only with the seed: they are read on first use (four queries) and kept for
the life of the Resolver (`refresh()` drops them).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain import explain
from app.domain.answer import (
    Answer,
    Authority,
    Conflict,
    ExceptionNote,
    InferredStep,
    Leader,
    Nearest,
    ParagraphMatch,
    ParagraphUse,
    PathStep,
    Provider,
    QuestionEcho,
    Ref,
    RuleVerdict,
    SourceRef,
    Status,
    SuccessionStep,
    Verdict,
    Via,
)
from app.domain.queries import load_query
from app.domain.terms import (
    KINDS,
    MAX_AGE,
    Applied,
    BroaderLink,
    LawBook,
    Municipalities,
    Municipality,
    Provenance,
    Reach,
    Route,
    Succession,
    Taxonomy,
    normalise_kind,
)
from app.errors import InvalidInput
from app.store.base import GraphStore

__all__ = ["Answer", "Conflict", "Question", "Resolver"]


@dataclass(frozen=True)
class Question:
    """A caseworker's question, as typed; the resolver reads every term and refuses what it cannot."""

    municipality: str
    age: int
    conditions: tuple[str, ...] = ()
    paragraph: str | None = None
    kind: str = "myndighed"
    on: date | None = None


# --- facts read from the graph -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    """A rule's relationship to a condition, paragraph, holder or other rule."""

    uid: str
    name: str
    provenance: Provenance
    kind: str | None = None
    labels: tuple[str, ...] = ()
    valid: bool = True

    @property
    def ref(self) -> Ref:
        return Ref(self.uid, self.name)


@dataclass(frozen=True)
class _Rule:
    uid: str
    name: str
    kind: str
    age_min: int | None
    age_max: int | None
    all_conditions: bool
    valid_from: date | None
    valid_to: date | None
    valid: bool
    provenance: Provenance
    holders: tuple[_Link, ...]
    conditions: tuple[_Link, ...]
    included: tuple[_Link, ...]
    excluded: tuple[_Link, ...]
    exception_to: tuple[_Link, ...]

    @property
    def covers_all(self) -> bool:
        """`all_conditions`, or no condition named (the schema: conditions are absent with all_conditions)."""
        return self.all_conditions or not self.conditions

    @property
    def width(self) -> int:
        return (MAX_AGE if self.age_max is None else self.age_max) - (self.age_min or 0)

    @property
    def band(self) -> str:
        return explain.age_band(self.age_min, self.age_max)

    @property
    def holder_key(self) -> frozenset[str]:
        return frozenset(h.uid for h in self.holders)

    def holder_refs(self) -> tuple[Ref, ...]:
        return tuple(h.ref for h in self.holders)

    def fits_age(self, age: int) -> bool:
        return (self.age_min is None or age >= self.age_min) and (self.age_max is None or age <= self.age_max)

    def age_distance(self, age: int) -> int:
        if self.age_min is not None and age < self.age_min:
            return self.age_min - age
        if self.age_max is not None and age > self.age_max:
            return age - self.age_max
        return 0

    def valid_between(self) -> tuple[date, date]:
        return (self.valid_from or date.min, self.valid_to or date.max)


_LINK_TYPES = ("HELD_BY", "COVERS_CONDITION", "INCLUDES_PARAGRAPH", "EXCLUDES_PARAGRAPH", "EXCEPTION_TO")


def _rules_from_rows(rows: Iterable[Mapping[str, Any]], cat: _Catalogue) -> list[_Rule]:
    """Rules from the flat rows of `responsibility_for_case`: one row per rule, one per relationship.

    Only holders come with their name and kind; conditions and paragraphs are named from the cached
    catalogues, excepted rules from the rules themselves.
    """
    facts: dict[str, Sequence[Any]] = {}
    links: dict[str, dict[str, list[Sequence[Any]]]] = {}
    for row in rows:
        uid, link, f = str(row["rule"]), row["link"], row["facts"]
        if link is None:
            facts[uid] = f
        else:
            links.setdefault(uid, {}).setdefault(str(link), []).append(f)

    def name_of(link_type: str, target: str) -> str:
        if link_type == "COVERS_CONDITION":
            return cat.taxonomy.name(target)
        if link_type in ("INCLUDES_PARAGRAPH", "EXCLUDES_PARAGRAPH"):
            return cat.law.name(target)
        return str(facts[target][0]) if target in facts else target

    def link_of(link_type: str, f: Sequence[Any]) -> _Link:
        target, inferred = str(f[0]), Provenance(inferred=bool(f[1]))
        if link_type == "HELD_BY":
            return _Link(target, str(f[2] or target), inferred, f[3], (str(f[4]),) if f[4] else (), f[5] is not False)
        return _Link(target, name_of(link_type, target), inferred)

    rules = []
    for uid in sorted(facts):
        name, kind, age_min, age_max, all_conditions, valid_from, valid_to, inferred, valid = facts[uid]
        own = {
            t: tuple(sorted((link_of(t, f) for f in links.get(uid, {}).get(t, ())), key=lambda x: x.uid))
            for t in _LINK_TYPES
        }
        rules.append(
            _Rule(
                uid,
                str(name),
                str(kind),
                age_min,
                age_max,
                bool(all_conditions),
                valid_from,
                valid_to,
                bool(valid),
                Provenance(inferred=bool(inferred)),
                own["HELD_BY"],
                own["COVERS_CONDITION"],
                own["INCLUDES_PARAGRAPH"],
                own["EXCLUDES_PARAGRAPH"],
                own["EXCEPTION_TO"],
            )
        )
    return rules


@dataclass(frozen=True)
class _Case:
    """The question with every term resolved."""

    municipality: Municipality
    age: int
    conditions: tuple[str, ...]
    paragraph: str | None
    kind: str
    on: date
    applied: Applied | None
    equivalents: Mapping[str, Route]


@dataclass(frozen=True)
class _ConditionMatch:
    """How a named condition of a rule covers an asked one."""

    rule_condition: _Link
    reach: Reach


@dataclass
class _Assessment:
    """One rule against one case: what fails, and what makes it specific."""

    rule: _Rule
    failures: list[tuple[str, str]] = field(default_factory=list)
    paragraph_limited: bool = False
    paragraph_matches: list[tuple[_Link, Route]] = field(default_factory=list)
    condition: _ConditionMatch | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.failures)

    @property
    def covers(self) -> bool:
        return not self.failures and not self.paragraph_limited

    @property
    def names_paragraph(self) -> bool:
        return bool(self.paragraph_matches)

    @property
    def key(self) -> tuple[int, int, int, int]:
        """Specificity, larger first: names the paragraph; narrower band; named condition; narrower condition."""
        named = 0 if self.rule.covers_all or self.condition is None else 1
        closeness = -self.condition.reach.distance if self.condition else 0
        return (int(self.names_paragraph), -self.rule.width, named, closeness)


@dataclass
class _Decision:
    """The outcome of weighing one kind's rules for a case."""

    status: Status
    winners: list[_Assessment]
    verdicts: list[RuleVerdict]
    exceptions: list[_Assessment]
    nearest: list[_Assessment]
    assessments: list[_Assessment]

    @property
    def holders(self) -> list[_Link]:
        seen: dict[str, _Link] = {}
        for a in self.winners:
            for h in a.rule.holders:
                seen.setdefault(h.uid, h)
        return list(seen.values())


@dataclass(frozen=True)
class _Catalogue:
    municipalities: Municipalities
    taxonomy: Taxonomy
    law: LawBook


class _Evidence:
    """Sources and inferred steps gathered while building an answer, without duplicates."""

    def __init__(self) -> None:
        self.sources: dict[tuple[str, str, str, str], SourceRef] = {}
        self.inferred: dict[tuple[str, str], InferredStep] = {}

    def add(self, provenance: Provenance, about: str) -> None:
        for document, section, quote in zip(provenance.documents, provenance.sections, provenance.quotes, strict=False):
            key = (document, section, quote, about)
            self.sources.setdefault(key, SourceRef(document, section, quote, about))
        if provenance.inferred:
            self.infer(about, provenance.inferred_reason or "udledt (ingen begrundelse angivet)")

    def infer(self, about: str, reason: str) -> None:
        self.inferred.setdefault((about, reason), InferredStep(about, reason))


# --- the resolver -----------------------------------------------------------------------------------------------


class Resolver:
    """Answers responsibility questions against one graph store; keeps the small catalogues it reads."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._catalogue_cache: _Catalogue | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Forget the cached taxonomy, paragraphs and municipalities (after the graph was reseeded)."""
        with self._lock:
            self._catalogue_cache = None

    def _catalogue(self) -> _Catalogue:
        cached = self._catalogue_cache
        if cached is not None:
            return cached
        with self._lock:
            if self._catalogue_cache is None:
                read = self._store.read
                self._catalogue_cache = _Catalogue(
                    Municipalities(read(load_query("resolver_municipalities"))),
                    Taxonomy(read(load_query("resolver_conditions"))),
                    LawBook(
                        read(load_query("resolver_paragraphs")),
                        read(load_query("paragraph_successors"), {"paragraph": None}),
                    ),
                )
            return self._catalogue_cache

    # reading the question ----------------------------------------------------------------------------------------

    def _case(self, question: Question, cat: _Catalogue) -> _Case:
        if isinstance(question.age, bool) or not isinstance(question.age, int):
            raise InvalidInput("age", f"age must be a whole number of years, not {question.age!r}")
        if question.age < 0 or question.age > MAX_AGE:
            raise InvalidInput("age", f"age must be between 0 and {MAX_AGE}, not {question.age}")
        municipality = cat.municipalities.resolve(question.municipality)
        kind = normalise_kind(question.kind)
        conditions = tuple(dict.fromkeys(cat.taxonomy.resolve(c) for c in question.conditions if c.strip()))
        on = question.on or date.today()
        paragraph = cat.law.resolve(question.paragraph) if question.paragraph and question.paragraph.strip() else None
        applied = cat.law.apply_on(paragraph, on, question.age) if paragraph else None
        equivalents = cat.law.equivalents(paragraph, question.age) if paragraph else {}
        return _Case(municipality, question.age, conditions, paragraph, kind, on, applied, equivalents)

    # weighing rules ------------------------------------------------------------------------------------------------

    def _assess(self, rule: _Rule, case: _Case, cat: _Catalogue) -> _Assessment:
        a = _Assessment(rule)
        if not rule.valid:
            a.failures.append(
                (
                    "not_valid",
                    f"ikke gældende {explain.dk_date(case.on)} "
                    f"(gælder {explain.period(rule.valid_from, rule.valid_to)})",
                )
            )
        if not rule.fits_age(case.age):
            a.failures.append(("age", f"alder {case.age} er uden for reglens aldersgruppe ({rule.band})"))
        if not rule.covers_all:
            a.condition = _best_condition(rule, case.conditions, cat.taxonomy)
            if a.condition is None:
                named = explain.join_dk([c.name for c in rule.conditions], "eller")
                if case.conditions:
                    asked = explain.join_dk([cat.taxonomy.name(c) for c in case.conditions], "eller")
                    a.failures.append(("condition", f"dækker ikke {asked} (gælder for {named})"))
                else:
                    a.failures.append(("condition", f"gælder kun for {named}; ingen målgruppe angivet"))
        if case.paragraph is None:
            a.paragraph_limited = bool(rule.included)
            return a
        excluded = [(x, case.equivalents[x.uid]) for x in rule.excluded if x.uid in case.equivalents]
        if excluded:
            a.failures.append(
                ("paragraph_excluded", f"undtager udtrykkeligt {_names_with_relation(excluded, cat.law)}")
            )
        if rule.included:
            a.paragraph_matches = [(i, case.equivalents[i.uid]) for i in rule.included if i.uid in case.equivalents]
            if not a.paragraph_matches:
                only = explain.join_dk([i.name for i in rule.included])
                a.failures.append(("paragraph_not_included", f"gælder kun for {only}"))
        return a

    def _decide(self, rules: Sequence[_Rule], case: _Case, cat: _Catalogue) -> _Decision:
        assessments = [self._assess(r, case, cat) for r in rules]
        covering = [a for a in assessments if a.covers]
        exceptions = [a for a in assessments if not a.failures and a.paragraph_limited]
        verdicts: dict[str, RuleVerdict] = {}

        def verdict(a: _Assessment, kind: Verdict, reason: str, codes: tuple[str, ...]) -> None:
            matches = tuple(ParagraphMatch(link.uid, link.name, route.relation) for link, route in a.paragraph_matches)
            verdicts[a.rule.uid] = RuleVerdict(
                a.rule.uid,
                a.rule.name,
                a.rule.kind,
                kind,
                reason,
                codes,
                a.rule.holder_refs(),
                a.rule.provenance.inferred,
                matches,
            )

        for a in assessments:
            if a.failures:
                verdict(a, "rejected", "; ".join(text for _, text in a.failures), a.codes)
        for a in exceptions:
            only = explain.join_dk([i.name for i in a.rule.included])
            verdict(a, "rejected", f"gælder kun for {only}; vises som undtagelse", ("paragraph_limited",))

        covering_uids = {a.rule.uid for a in covering}
        excepted: dict[str, _Assessment] = {}
        for a in covering:
            for target in a.rule.exception_to:
                if target.uid in covering_uids and target.uid != a.rule.uid:
                    excepted.setdefault(target.uid, a)
        remaining = [a for a in covering if a.rule.uid not in excepted]
        for a in covering:
            if a.rule.uid in excepted:
                by = excepted[a.rule.uid]
                verdict(a, "outranked", f"dokumenteret undtagelse går forud: »{by.rule.name}«", ("exception",))

        winners: list[_Assessment] = []
        if remaining:
            best = max(a.key for a in remaining)
            winners = [a for a in remaining if a.key == best]
            for a in remaining:
                if a.key != best:
                    code, text = _outranked_by(a, winners[0])
                    verdict(a, "outranked", text, (code,))
            for a in winners:
                verdict(a, "decided", _why_decided(a, case, cat, excepted), ("decided",))

        status: Status
        if not winners:
            status = "not_covered"
        elif len({a.rule.holder_key for a in winners}) == 1 and len(winners[0].rule.holders) == 1:
            status = "resolved"
        else:
            status = "ambiguous"
        nearest: list[_Assessment] = []
        if status == "not_covered":
            by_age = sorted(
                (a for a in assessments if a.codes == ("age",) and not a.paragraph_limited),
                key=lambda a: (a.rule.age_distance(case.age), a.rule.width, a.rule.uid),
            )
            by_condition = [a for a in assessments if a.codes == ("condition",) and not a.paragraph_limited]
            nearest = [*by_age, *by_condition]
        ordered = [verdicts[a.rule.uid] for a in assessments]
        order = {"decided": 0, "outranked": 1, "rejected": 2}
        ordered.sort(key=lambda v: order[v.verdict])
        return _Decision(status, winners, ordered, exceptions, nearest, assessments)

    # answering -----------------------------------------------------------------------------------------------------

    def resolve(self, question: Question) -> Answer:
        """Answer one question: who holds the responsibility, by which rule, on which sources."""
        cat = self._catalogue()
        case = self._case(question, cat)
        rows = self._store.read(
            load_query("responsibility_for_case"),
            {"municipality": case.municipality.uid, "on": case.on.isoformat(), "kind": None},
        )
        rules = _rules_from_rows(rows, cat)
        decision = self._decide([r for r in rules if r.kind == case.kind], case, cat)
        evidence = _Evidence()
        warnings: list[str] = list(case.applied.notes if case.applied else ())

        holders = decision.holders
        self._rule_evidence(decision, case, cat, evidence)
        paragraphs = self._paragraphs(decision, case, cat, evidence)
        authority = self._authorities(decision, holders, case, evidence, warnings)
        providers = self._providers(rules, case, cat)
        authority_uids = frozenset(h.uid for h in holders)
        exceptions = tuple(self._exception(a, case, cat, authority_uids) for a in decision.exceptions)
        nearest = tuple(
            Nearest(
                a.rule.uid,
                a.rule.name,
                a.rule.holder_refs(),
                a.codes[0],
                a.failures[0][1],
                a.rule.age_distance(case.age),
            )
            for a in decision.nearest
        )
        echo = QuestionEcho(
            Ref(case.municipality.uid, case.municipality.name),
            case.age,
            case.conditions,
            tuple(cat.taxonomy.name(c) for c in case.conditions),
            case.paragraph,
            tuple(r.paragraph for r in case.applied.routes) if case.applied else (),
            case.kind,
            case.on,
        )
        inferred_steps = tuple(evidence.inferred.values())
        answer = Answer(
            status=decision.status,
            question=echo,
            authority=authority,
            paragraphs=paragraphs,
            providers=providers,
            exceptions=exceptions,
            nearest=nearest,
            rules=tuple(decision.verdicts),
            sources=tuple(evidence.sources.values()),
            inferred=bool(inferred_steps),
            inferred_steps=inferred_steps,
            explanation="",
            warnings=tuple(dict.fromkeys(warnings)),
        )
        return _with_explanation(answer, decision, case, cat)

    def _authorities(
        self, decision: _Decision, holders: list[_Link], case: _Case, evidence: _Evidence, warnings: list[str]
    ) -> tuple[Authority, ...]:
        if not holders:
            if decision.winners:
                warnings.append("den afgørende regel nævner ingen enhed (HELD_BY mangler)")
            return ()
        rows = self._store.read(
            load_query("leaders_of_unit_at_date"), {"units": [h.uid for h in holders], "on": case.on.isoformat()}
        )
        by_unit: dict[str, list[Mapping[str, Any]]] = {}
        for row in rows:
            by_unit.setdefault(str(row["unit"]), []).append(row)
        result = []
        for holder in holders:
            levels = sorted(by_unit.get(holder.uid, []), key=lambda r: int(r["depth"]))
            if not holder.valid:
                warnings.append(f"{holder.name} findes ikke {explain.dk_date(case.on)} ifølge grafen")
            path = tuple(PathStep(str(r["node"]["uid"]), str(r["node"]["name"]), _node_kind(r["node"])) for r in levels)
            for child, parent in itertools.pairwise(levels):
                about = f"{child['node']['name']} hører under {parent['node']['name']} ({explain.dk_date(case.on)})"
                evidence.add(Provenance.of(parent.get("edge")), about)
            for level in levels:
                node = level["node"]
                if node.get("inferred"):
                    evidence.infer(f"{node['name']} findes", node.get("inferred_reason") or "udledt")
            leaders = _leaders(levels, holder)
            for leader in leaders:
                if leader.inferred:
                    evidence.infer(f"{leader.title} leder {leader.unit}", _leader_reason(levels, leader))
            rules = tuple(a.rule.uid for a in decision.winners if holder.uid in a.rule.holder_key)
            result.append(Authority(holder.name, holder.uid, _link_kind(holder), path, leaders, rules, holder.valid))
        return tuple(result)

    def _paragraphs(
        self, decision: _Decision, case: _Case, cat: _Catalogue, evidence: _Evidence
    ) -> tuple[ParagraphUse, ...]:
        uses: dict[str, ParagraphUse] = {}
        if case.applied:
            for route in case.applied.routes:
                uses.setdefault(route.paragraph, _use(route, "asked", cat.law, evidence))
            for s in case.applied.partial:
                evidence.add(
                    s.provenance,
                    f"{cat.law.name(s.source)} delvis afløst af {cat.law.name(s.target)} "
                    f"fra {explain.dk_date(s.effective_on)}",
                )
        for a in decision.winners:
            for link in a.rule.included:
                for route in cat.law.apply_on(link.uid, case.on, case.age).routes:
                    uses.setdefault(route.paragraph, _use(route, "rule", cat.law, evidence))
        return tuple(uses.values())

    def _rule_evidence(self, decision: _Decision, case: _Case, cat: _Catalogue, evidence: _Evidence) -> None:
        """Sources and inferred steps of the deciding rules, read for those rules only (one round trip)."""
        if not decision.winners:
            return
        rows = self._store.read(
            load_query("responsibility_rule_sources"), {"rules": [a.rule.uid for a in decision.winners]}
        )
        of_rule: dict[str, Provenance] = {}
        of_link: dict[tuple[str, str, str], Provenance] = {}
        for row in rows:
            if row["link"] is None:
                of_rule[str(row["rule"])] = Provenance.of(row)
            else:
                of_link[(str(row["rule"]), str(row["link"]), str(row["target"]))] = Provenance.of(row)

        def link(rule: _Rule, link_type: str, target: _Link) -> Provenance:
            return of_link.get((rule.uid, link_type, target.uid), target.provenance)

        by_uid = {a.rule.uid: a for a in decision.assessments}
        for a in decision.winners:
            rule = a.rule
            evidence.add(of_rule.get(rule.uid, rule.provenance), f"Regel: {rule.name}")
            for h in rule.holders:
                evidence.add(link(rule, "HELD_BY", h), f"{h.name} har ansvaret ifølge »{rule.name}«")
            if a.condition:
                matched = a.condition.rule_condition
                evidence.add(link(rule, "COVERS_CONDITION", matched), f"»{rule.name}« gælder for {matched.name}")
                for broader in a.condition.reach.links:
                    evidence.add(broader.provenance, _broader_about(broader, cat.taxonomy))
            for included, _route in a.paragraph_matches:
                evidence.add(link(rule, "INCLUDES_PARAGRAPH", included), f"»{rule.name}« gælder for {included.name}")
            for target in rule.exception_to:
                if target.uid in by_uid and by_uid[target.uid].covers:
                    about = f"»{rule.name}« er en undtagelse til »{target.name}«"
                    evidence.add(link(rule, "EXCEPTION_TO", target), about)

    def _exception(self, a: _Assessment, case: _Case, cat: _Catalogue, authority: frozenset[str]) -> ExceptionNote:
        on_date: dict[str, Ref] = {}
        for link in a.rule.included:
            for route in cat.law.apply_on(link.uid, case.on, case.age).routes:
                on_date.setdefault(route.paragraph, Ref(route.paragraph, cat.law.name(route.paragraph)))
        inferred = a.rule.provenance.inferred or any(h.provenance.inferred for h in a.rule.holders)
        return ExceptionNote(
            a.rule.uid,
            a.rule.name,
            tuple(i.ref for i in a.rule.included),
            tuple(on_date.values()),
            a.rule.holder_refs(),
            a.rule.holder_key == authority,
            inferred,
        )

    def _providers(self, rules: Sequence[_Rule], case: _Case, cat: _Catalogue) -> tuple[Provider, ...]:
        """Tilbud serving such a case, then (for a myndighed question) the udfører rules' deciding holders."""
        reach: dict[str, None] = {}
        for c in case.conditions:
            reach.update(dict.fromkeys(cat.taxonomy.reach(c)))
        rows = self._store.read(
            load_query("responsibility_providers"),
            {
                "municipality": case.municipality.uid,
                "on": case.on.isoformat(),
                "age": case.age,
                "conditions": list(reach),
            },
        )
        found: dict[str, Provider] = {}
        for row in rows:
            t = row["tilbud"]
            paragraphs = tuple(row.get("paragraphs") or ())
            if case.paragraph and paragraphs and not any(p in case.equivalents for p in paragraphs):
                continue
            group = row["target_group"]
            detail = explain.join_dk([t.get("tilbud_type") or "", f"målgruppe: {group['name']}"], "–")
            inferred = bool(
                t.get("inferred")
                or (row.get("belongs_to") or {}).get("inferred")
                or (row.get("serves") or {}).get("inferred")
            )
            found.setdefault(
                str(t["uid"]),
                Provider(
                    "tilbud",
                    str(t["uid"]),
                    str(t["name"]),
                    Ref(str(row["unit"]["uid"]), str(row["unit"]["name"])),
                    detail,
                    tuple(cat.law.name(p) for p in paragraphs),
                    None,
                    inferred,
                ),
            )
        providers = list(found.values())
        if case.kind == "myndighed":
            udfoerer = self._decide([r for r in rules if r.kind == "udfører"], _as_kind(case, "udfører"), cat)
            for a in udfoerer.winners:
                for h in a.rule.holders:
                    note = a.rule.name if udfoerer.status == "resolved" else f"tvetydig: {a.rule.name}"
                    providers.append(
                        Provider(
                            "udfører",
                            h.uid,
                            h.name,
                            None,
                            note,
                            tuple(cat.law.name(p.uid) for p in a.rule.included),
                            a.rule.uid,
                            a.rule.provenance.inferred or h.provenance.inferred,
                        )
                    )
        return tuple(providers)

    # data checks ---------------------------------------------------------------------------------------------------

    def find_conflicts(self, municipality: str | None = None) -> list[Conflict]:
        """Pairs of rules of equal specificity that name different holders for some of the same cases.

        Two rules of one municipality and kind conflict when their validity periods and age bands overlap,
        their bands are equally wide, some condition is covered by both at the same specificity (or both
        cover all), they name overlapping paragraphs (or both none), their holders differ, and neither is a
        documented exception to the other. Such a pair makes some question `ambiguous`.
        """
        cat = self._catalogue()
        if municipality is None:
            municipalities = sorted(cat.municipalities.by_uid.values(), key=lambda m: m.uid)
        else:
            municipalities = [cat.municipalities.resolve(municipality)]
        conflicts: list[Conflict] = []
        for m in municipalities:
            rows = self._store.read(
                load_query("responsibility_for_case"),
                {"municipality": m.uid, "on": date.today().isoformat(), "kind": None},
            )
            rules = _rules_from_rows(rows, cat)
            for kind in KINDS:
                same_kind = sorted((r for r in rules if r.kind == kind), key=lambda r: r.uid)
                for a, b in itertools.combinations(same_kind, 2):
                    conflict = _conflict(m, a, b, cat)
                    if conflict is not None:
                        conflicts.append(conflict)
        return conflicts


# --- helpers ----------------------------------------------------------------------------------------------------


def _as_kind(case: _Case, kind: str) -> _Case:
    return _Case(
        case.municipality, case.age, case.conditions, case.paragraph, kind, case.on, case.applied, case.equivalents
    )


def _best_condition(rule: _Rule, asked: Sequence[str], taxonomy: Taxonomy) -> _ConditionMatch | None:
    """The rule's named condition closest above one of the asked conditions (None: it covers none of them)."""
    best: _ConditionMatch | None = None
    for c in asked:
        reach = taxonomy.reach(c)
        for link in rule.conditions:
            hit = reach.get(link.uid)
            if hit is not None and (best is None or hit.distance < best.reach.distance):
                best = _ConditionMatch(link, hit)
    return best


def _names_with_relation(items: Sequence[tuple[_Link, Route]], law: LawBook) -> str:
    parts = []
    for link, route in items:
        if route.relation == "same":
            parts.append(link.name)
        else:
            word = "efterfølger til" if route.relation == "successor" else "forgænger til"
            parts.append(f"{link.name} ({word} {law.name(route.start)})")
    return explain.join_dk(parts)


def _outranked_by(a: _Assessment, winner: _Assessment) -> tuple[str, str]:
    """The first precedence criterion on which `winner` beats `a`, as a code and a Danish sentence."""
    w, r = winner.key, a.key
    name = f"»{winner.rule.name}«"
    if w[0] != r[0]:
        return "less_specific_paragraph", f"{name} nævner paragraffen og går forud"
    if w[1] != r[1]:
        return (
            "wider_age_band",
            f"{name} har et snævrere aldersinterval ({winner.rule.band} mod {a.rule.band}) og går forud",
        )
    if w[2] != r[2]:
        return "all_conditions", f"{name} nævner målgruppen og går forud for en regel for alle målgrupper"
    return "broader_condition", f"{name} nævner en snævrere målgruppe og går forud"


def _why_decided(a: _Assessment, case: _Case, cat: _Catalogue, excepted: Mapping[str, _Assessment]) -> str:
    """Why the rule decides: what it covers and what made it the most specific."""
    if a.condition:
        chain = [cat.taxonomy.name(link.narrower) for link in a.condition.reach.links]
        chain.append(a.condition.rule_condition.name)
        target = f"målgruppe {' → '.join(chain)}"
    else:
        target = "alle målgrupper"
    parts = [f"dækker sagen ({a.rule.band}; {target})"]
    if a.paragraph_matches:
        parts.append(f"nævner {_names_with_relation(a.paragraph_matches, cat.law)}")
    excepts = [by_uid for by_uid, by in excepted.items() if by is a]
    if excepts:
        parts.append(
            f"dokumenteret undtagelse til {len(excepts)} {'anden regel' if len(excepts) == 1 else 'andre regler'}"
        )
    return "; ".join(parts)


def _broader_about(link: BroaderLink, taxonomy: Taxonomy) -> str:
    return f"{taxonomy.name(link.narrower)} hører under {taxonomy.name(link.broader)}"


def _succession_step(s: Succession, direction: str, law: LawBook) -> SuccessionStep:
    return SuccessionStep(
        s.source,
        law.name(s.source),
        s.target,
        law.name(s.target),
        s.effective_on,
        s.scope,
        direction,
        s.provenance.inferred,
    )


def _use(route: Route, role: str, law: LawBook, evidence: _Evidence) -> ParagraphUse:
    p = law.by_uid[route.paragraph]
    via = None
    if route.steps:
        steps = tuple(_succession_step(step.succession, step.direction, law) for step in route.steps)
        via = Via(route.start, law.name(route.start), route.relation, steps)
        for step in route.steps:
            s = step.succession
            about = f"{law.name(s.source)} afløst af {law.name(s.target)} fra {explain.dk_date(s.effective_on)}"
            evidence.add(s.provenance, about)
            target = law.by_uid.get(step.reached)
            if target and target.unconfirmed:
                evidence.infer(f"{target.name} er markeret UNCONFIRMED", target.unconfirmed_note or "UNCONFIRMED")
    elif p.unconfirmed:
        evidence.infer(f"{p.name} er markeret UNCONFIRMED", p.unconfirmed_note or "UNCONFIRMED")
    return ParagraphUse(p.uid, p.name, p.heading, p.unconfirmed, via, role)


def _node_kind(node: Mapping[str, Any]) -> str:
    labels = node.get("labels") or ()
    if "Municipality" in labels:
        return "kommune"
    if "Administration" in labels:
        return "forvaltning"
    return str(node.get("kind") or "enhed")


def _link_kind(link: _Link) -> str:
    if "Administration" in link.labels:
        return "forvaltning"
    return link.kind or "enhed"


def _leaders(levels: Sequence[Mapping[str, Any]], holder: _Link) -> tuple[Leader, ...]:
    """Leaders of the unit itself, or else of the nearest level above it that has any (not the municipality)."""
    for level in levels:
        node = level["node"]
        if "Municipality" in (node.get("labels") or ()):
            break
        positions = [p for p in (level.get("leaders") or ()) if p]
        if not positions:
            continue
        inherited = None if node["uid"] == holder.uid else str(node["uid"])
        positions.sort(
            key=lambda p: (p.get("level") is None, p.get("level") or 0, str(p.get("title")), str(p.get("uid")))
        )
        result = []
        for p in positions:
            persons: list[str | None] = [*sorted(str(x) for x in (p.get("persons") or ()) if x)] or [None]
            for person in persons:
                result.append(
                    Leader(
                        str(p["title"]),
                        p.get("level"),
                        str(node["name"]),
                        str(node["uid"]),
                        person,
                        inherited,
                        bool(p.get("inferred")),
                    )
                )
        return tuple(result)
    return ()


def _leader_reason(levels: Sequence[Mapping[str, Any]], leader: Leader) -> str:
    for level in levels:
        if level["node"]["uid"] == leader.unit_uid:
            for p in level.get("leaders") or ():
                if p and p.get("title") == leader.title and p.get("inferred"):
                    return str(p.get("inferred_reason") or "udledt")
    return "udledt"


# --- conflicts --------------------------------------------------------------------------------------------------


def _condition_keys(rule: _Rule, taxonomy: Taxonomy) -> dict[str | None, tuple[int, int]]:
    """For each condition a case may name (None: no condition), the rule's condition specificity, if it covers it."""
    if rule.covers_all:
        keys: dict[str | None, tuple[int, int]] = dict.fromkeys(taxonomy.by_uid, (0, 0))
        keys[None] = (0, 0)
        return keys
    keys = {}
    for c in taxonomy.by_uid:
        match = _best_condition(rule, (c,), taxonomy)
        if match is not None:
            keys[c] = (1, -match.reach.distance)
    return keys


def _conflict(m: Municipality, a: _Rule, b: _Rule, cat: _Catalogue) -> Conflict | None:
    if a.holder_key == b.holder_key:
        return None
    if any(x.uid == b.uid for x in a.exception_to) or any(x.uid == a.uid for x in b.exception_to):
        return None
    a_from, a_to = a.valid_between()
    b_from, b_to = b.valid_between()
    if max(a_from, b_from) > min(a_to, b_to):
        return None
    low = max(a.age_min or 0, b.age_min or 0)
    high = min(MAX_AGE if a.age_max is None else a.age_max, MAX_AGE if b.age_max is None else b.age_max)
    if low > high or a.width != b.width:
        return None
    if bool(a.included) != bool(b.included):
        return None
    paragraphs = "ingen paragraf nævnt"
    if a.included:
        shared = [p.name for p in a.included if any(q.uid in cat.law.equivalents(p.uid, low) for q in b.included)]
        if not shared:
            return None
        paragraphs = explain.join_dk(shared)
    a_keys, b_keys = _condition_keys(a, cat.taxonomy), _condition_keys(b, cat.taxonomy)
    equal = [c for c in a_keys if c in b_keys and a_keys[c] == b_keys[c]]
    if not equal:
        return None
    conditions = "alle" if None in equal else explain.join_dk(sorted(cat.taxonomy.name(c) for c in equal if c))
    valid_from = None if max(a_from, b_from) == date.min else max(a_from, b_from)
    valid_to = None if min(a_to, b_to) == date.max else min(a_to, b_to)
    overlap = {
        "validity": explain.period(valid_from, valid_to),
        "ages": explain.age_band(
            low if low else (0 if (a.age_min == 0 or b.age_min == 0) else None), None if high == MAX_AGE else high
        ),
        "conditions": conditions,
        "paragraphs": paragraphs,
    }
    return Conflict(
        m.uid,
        a.kind,
        (Ref(a.uid, a.name), Ref(b.uid, b.name)),
        (a.holder_refs(), b.holder_refs()),
        overlap,
    )


# --- explanation ------------------------------------------------------------------------------------------------


def _with_explanation(answer: Answer, decision: _Decision, case: _Case, cat: _Catalogue) -> Answer:
    from dataclasses import replace

    return replace(answer, explanation=_explanation(answer, decision, case, cat))


def _explanation(answer: Answer, decision: _Decision, case: _Case, cat: _Catalogue) -> str:
    """A few Danish sentences a caseworker reads: who, by which rule, what else to know."""
    who = explain.citizen(case.age, [cat.taxonomy.name(c) for c in case.conditions])
    when = explain.dk_date(case.on)
    what = "myndigheden" if case.kind == "myndighed" else "udføreransvaret"
    about = ""
    if case.paragraph:
        about = f" efter {cat.law.name(case.paragraph)}"
    sentences: list[str] = []
    units = explain.join_dk([a.unit for a in answer.authority])
    if answer.status == "resolved":
        sentences.append(f"I {case.municipality.name} har {units} {what} for {who}{about} pr. {when}.")
    elif answer.status == "ambiguous":
        if len(decision.winners) == 1:
            sentences.append(
                f"I {case.municipality.name} ligger {what} for {who}{about} pr. {when} hos én af {units}: "
                "reglen fordeler ikke sagerne mellem dem."
            )
        else:
            sentences.append(
                f"Svaret er tvetydigt: i {case.municipality.name} peger flere lige specifikke regler på "
                f"forskellige enheder ({units}) for {who}{about} pr. {when}."
            )
    else:
        sentences.append(f"Ingen regel i {case.municipality.name} dækker {what} for {who}{about} pr. {when}.")
        if answer.nearest:
            near = explain.join_dk(
                list(dict.fromkeys(f"{u.name} ({n.detail})" for n in answer.nearest[:3] for u in n.units))
            )
            sentences.append(f"Nærmest kommer {near}.")
    if case.applied:
        forward: dict[tuple[str, date], list[str]] = {}
        back: dict[tuple[str, date], list[str]] = {}
        for route in case.applied.routes:
            if route.steps:
                group = forward if route.relation == "successor" else back
                key = (route.start, route.steps[-1].succession.effective_on)
                group.setdefault(key, []).append(cat.law.name(route.paragraph))
        for (start, effective), names in forward.items():
            sentences.append(
                f"{cat.law.name(start)} er afløst af {explain.join_dk(names)} fra {explain.dk_date(effective)}."
            )
        for (start, effective), names in back.items():
            sentences.append(
                f"{cat.law.name(start)} gjaldt ikke endnu; før {explain.dk_date(effective)} "
                f"var det {explain.join_dk(names)}."
            )
    if len(decision.winners) == 1:
        sentences.append(f"Det afgørende er reglen »{decision.winners[0].rule.name}«.")
    elif decision.winners:
        tied = explain.join_dk([f"»{a.rule.name}«" for a in decision.winners])
        sentences.append(f"Lige specifikke regler: {tied}.")
    for a in decision.winners:
        for link, route in a.paragraph_matches:
            if route.relation != "same":
                word = "efterfølger" if route.relation == "successor" else "forgænger"
                sentences.append(
                    f"Reglen nævner {link.name}, som er {word} til {cat.law.name(route.start)}, "
                    "og behandles som samme paragraf."
                )
    others = [e for e in answer.exceptions if not e.same_as_authority]
    if others:
        parts = [
            f"{explain.join_dk([p.name for p in (e.paragraphs_on_date or e.paragraphs)])}: "
            f"{explain.join_dk([u.name for u in e.units])}"
            for e in others
        ]
        sentences.append(f"Undtagelser: {'; '.join(parts)}.")
    if answer.inferred:
        sentences.append(
            f"Bemærk: {len(answer.inferred_steps)} led i svaret er udledt og ikke sagt direkte i kilderne."
        )
    return " ".join(sentences)

"""Read and validate a seed folder into a SeedSet, reporting every problem at once.

All field knowledge comes from the schema (via `app.seed.model.layouts`) and all
type knowledge from `app.seed.values.CODECS`; this module only walks the files,
keeps line numbers, and checks what spans entries and files (uids, targets,
cited documents, periods).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.schema.model import NodeSpec, PropertySpec, RelationshipSpec, Schema
from app.seed.model import (
    CITATION_FIELDS,
    INFERRED,
    NOTE,
    SEED_FILE,
    SEED_ORDER,
    SOURCE,
    SOURCE_COLLECTION,
    SOURCES,
    TO,
    UID,
    VALID_FROM,
    VALID_TO,
    Citation,
    EntryLayout,
    NodeRecord,
    Origin,
    Provenance,
    RelRecord,
    SeedSet,
    item_keys,
    item_properties,
    layouts,
)
from app.seed.problems import Problem, SeedInvalid, close_matches, did_you_mean, one_of
from app.seed.reader import YamlSyntaxError, YMap, YNode, YScalar, YSeq, describe, read_yaml
from app.seed.values import CODECS, Value, ValueProblem, parse_text

UID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SOURCE_UID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
"""A Source's uid is its document's file name."""
_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})


def load_seed(seed_dir: Path, schema: Schema) -> SeedSet:
    """Read every `*.yaml` below `seed_dir` (sorted) and validate it all.

    Raises SeedInvalid listing every problem found, in file and line order.
    """
    validator = _Validator(seed_dir, schema)
    if not seed_dir.is_dir():
        raise SeedInvalid([Problem(display_path(seed_dir), 1, "", "is not a folder of seed files")])
    for path in seed_files(seed_dir):
        validator.read_file(path)
    return validator.finish()


def seed_files(seed_dir: Path) -> list[Path]:
    """The seed files of a folder, in the order the loader reads them."""
    return sorted(seed_dir.rglob("*.yaml"), key=lambda p: p.relative_to(seed_dir).as_posix())


def display_path(path: Path) -> str:
    """The path as a problem report shows it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def slug(text: str) -> str:
    """The uid a curator probably meant: lower-case ASCII, hyphens between words."""
    ascii_text = text.lower().translate(_TRANSLITERATION).encode("ascii", "ignore").decode()
    return "-".join(part for part in re.split(r"[^a-z0-9]+", ascii_text) if part)


@dataclass
class _Where:
    """The file being read, and how to report a problem in it."""

    display: str
    seed_file: str


@dataclass
class _ProvenanceDraft:
    citations: tuple[Citation, ...] | None
    """None when neither `source` nor `sources` is given."""
    reason: str | None

    @property
    def given(self) -> bool:
        return self.citations is not None or self.reason is not None


@dataclass
class _Item:
    rel: RelationshipSpec
    to: str
    props: dict[str, Value]
    provenance: _ProvenanceDraft
    line: int
    path: str
    """Where a problem with the target is reported: the item, or its `to` key."""
    lines: dict[str, int] = field(default_factory=dict)
    """Line of each property key."""


@dataclass
class _Entry:
    where: _Where
    label: str
    uid: str | None
    line: int
    uid_line: int
    path: str
    order: int
    props: dict[str, Value] = field(default_factory=dict)
    provenance: _ProvenanceDraft = field(default_factory=lambda: _ProvenanceDraft(None, None))
    items: list[_Item] = field(default_factory=list)
    cited: list[tuple[str, int, str]] = field(default_factory=list)
    """(document uid, line, field) of every citation, checked once all files are read."""


class _Validator:
    def __init__(self, seed_dir: Path, schema: Schema) -> None:
        self.seed_dir = seed_dir
        self.schema = schema
        self.layouts = layouts(schema)
        self.source_label = next(n.label for n in schema.nodes.values() if n.seed_key == SOURCE_COLLECTION)
        self.problems: list[Problem] = []
        self.files: list[str] = []
        self.entries: list[_Entry] = []
        self.unreadable = False
        """A file could not be parsed: its uids are unknown, so missing targets are not reported."""
        self.where = _Where("", "")

    def problem(self, line: int, field_path: str, message: str) -> None:
        self.problems.append(Problem(self.where.display, line, field_path, message))

    # -- one file ------------------------------------------------------------------------------------------

    def read_file(self, path: Path) -> None:
        seed_file = path.relative_to(self.seed_dir).as_posix()
        self.where = _Where(display_path(path), seed_file)
        self.files.append(seed_file)
        try:
            root = read_yaml(path)
        except YamlSyntaxError as error:
            self.problem(error.line, "", f"malformed YAML at column {error.column}: {error.message}")
            self.unreadable = True
            return
        if root is None:
            return
        if not isinstance(root, YMap):
            self.problem(root.line, "", f"expected collections (`units:`, `sources:`, …), got {describe(root)}")
            return
        order = 0
        for key, (key_node, value) in self.pairs(root, "").items():
            node = self.schema.node_by_seed_key(key)
            if node is None:
                collections = [n.seed_key for n in self.schema.nodes.values() if n.seed_key]
                self.problem(key_node.line, key, f"{key!r} is not a collection{did_you_mean(key, collections)}")
                continue
            if not isinstance(value, YSeq):
                self.problem(key_node.line, key, f"expected a list of entries (`- uid: …`), got {describe(value)}")
                continue
            for index, item in enumerate(value.items):
                self.entry(node, item, f"{key}[{index}]", order)
                order += 1

    def pairs(self, node: YMap, field_path: str) -> dict[str, tuple[YScalar, YNode]]:
        """Keys of a mapping → (key node, value); reports duplicate and non-text keys."""
        result: dict[str, tuple[YScalar, YNode]] = {}
        for key, value in node.pairs:
            if not isinstance(key, YScalar) or key.kind not in ("str", "int", "bool", "float"):
                self.problem(key.line, field_path, f"a key must be a name, got {describe(key)}")
                continue
            if key.raw in result:
                first = result[key.raw][0].line
                self.problem(key.line, _join(field_path, key.raw), f"duplicate key (first at line {first})")
                continue
            result[key.raw] = (key, value)
        return result

    def entry(self, node: NodeSpec, yaml_node: YNode, field_path: str, order: int) -> None:
        if not isinstance(yaml_node, YMap):
            line = yaml_node.line
            self.problem(line, field_path, f"expected an entry (`- uid: …` with its fields), got {describe(yaml_node)}")
            return
        layout = self.layouts[node.label]
        keys = self.pairs(yaml_node, field_path)
        misspelt: set[str] = set()
        for name, (key_node, _) in keys.items():
            if name not in layout.keys:
                close = close_matches(name, layout.keys)
                misspelt.update(close)
                hint = did_you_mean(name, close)
                self.problem(key_node.line, _join(field_path, name), f"unknown field for {node.label}{hint}")
        entry = _Entry(self.where, node.label, None, yaml_node.line, yaml_node.line, field_path, order)
        self.entry_uid(entry, keys)
        self.entry_properties(entry, layout, keys, misspelt)
        for rel in layout.relationships:
            if rel.seed_key in keys:
                key_node, value = keys[rel.seed_key]
                self.items(entry, rel, value, key_node.line, _join(field_path, rel.seed_key))
        required = node.seed_key != SOURCE_COLLECTION
        entry.provenance = self.provenance(entry, keys, yaml_node.line, field_path, required=required)
        self.entries.append(entry)

    def entry_uid(self, entry: _Entry, keys: dict[str, tuple[YScalar, YNode]]) -> None:
        field_path = _join(entry.path, UID)
        if UID not in keys:
            self.problem(entry.line, field_path, "missing uid")
            return
        key_node, value = keys[UID]
        entry.uid_line = key_node.line
        try:
            uid = parse_text(value)
        except ValueProblem as problem:
            self.problem(key_node.line, field_path, str(problem))
            return
        pattern = SOURCE_UID_PATTERN if entry.label == self.source_label else UID_PATTERN
        if not pattern.fullmatch(uid):
            rule = (
                "a Source's uid is its document's file name: lower-case letters, digits, '.', '_' and '-'"
                if entry.label == self.source_label
                else "use lower-case ASCII letters, digits and single hyphens (æ→ae, ø→oe, å→aa)"
            )
            suggestion = slug(uid)
            hint = f", e.g. {suggestion!r}" if suggestion and suggestion != uid else ""
            self.problem(key_node.line, field_path, f"bad uid {uid!r}: {rule}{hint}")
            return
        entry.uid = uid

    def entry_properties(
        self, entry: _Entry, layout: EntryLayout, keys: dict[str, tuple[YScalar, YNode]], misspelt: set[str]
    ) -> None:
        """Typed properties; a required one that is missing is not reported again when it was misspelt."""
        for spec in layout.properties:
            if spec.name in keys:
                key_node, value = keys[spec.name]
                parsed = self.value(spec, value, key_node.line, _join(entry.path, spec.name))
                if parsed is not None:
                    entry.props[spec.name] = parsed
            elif spec.required and spec.name not in misspelt:
                self.problem(entry.line, _join(entry.path, spec.name), f"missing required property {spec.name!r}")
        self.ranges(entry.props, layout.properties, keys, entry.path)
        if NOTE in keys:
            key_node, value = keys[NOTE]
            parsed = self.value(layout.node.properties[NOTE], value, key_node.line, _join(entry.path, NOTE))
            if parsed is not None:
                entry.props[NOTE] = parsed

    def value(self, spec: PropertySpec, node: YNode, line: int, field_path: str) -> Value | None:
        """Parse one property by its schema type, then check enum and min/max."""
        try:
            value = CODECS[spec.type].parse(node)
        except ValueProblem as problem:
            self.problem(line, field_path, str(problem))
            return None
        if spec.enum is not None:
            allowed = self.schema.enums[spec.enum].values
            if value not in allowed:
                hint = did_you_mean(str(value), allowed)
                self.problem(line, field_path, f"{value!r} is not allowed; use one of {one_of(allowed)}{hint}")
                return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            if spec.minimum is not None and value < spec.minimum:
                self.problem(line, field_path, f"{value} is below the minimum {spec.minimum}")
                return None
            if spec.maximum is not None and value > spec.maximum:
                self.problem(line, field_path, f"{value} is above the maximum {spec.maximum}")
                return None
        return value

    def ranges(
        self,
        props: dict[str, Value],
        specs: tuple[PropertySpec, ...],
        keys: dict[str, tuple[YScalar, YNode]],
        field_path: str,
    ) -> None:
        """`valid_to` not before `valid_from`, and `x_max` not below `x_min`, wherever a pair exists."""
        names = {s.name for s in specs}
        pairs = [(VALID_FROM, VALID_TO)] + [
            (name, name[: -len("_min")] + "_max") for name in names if name.endswith("_min")
        ]
        for low_name, high_name in pairs:
            low, high = props.get(low_name), props.get(high_name)
            if low is None or high is None or high_name not in names:
                continue
            line, path = keys[high_name][0].line, _join(field_path, high_name)
            if isinstance(low, dt.date) and isinstance(high, dt.date) and high < low:
                self.problem(line, path, f"{high} is before {low_name} {low}")
            elif isinstance(low, int | float) and isinstance(high, int | float) and high < low:
                self.problem(line, path, f"{high} is below {low_name} {low}")

    def items(self, entry: _Entry, rel: RelationshipSpec, value: YNode, line: int, field_path: str) -> None:
        if not isinstance(value, YSeq):
            expected = f"expected a list of uids (`- uid`) or items (`- to: uid`), got {describe(value)}"
            self.problem(line, field_path, expected)
            return
        allowed = item_keys(rel, self.schema)
        for index, item in enumerate(value.items):
            item_field = f"{field_path}[{index}]"
            if isinstance(item, YScalar):
                try:
                    target = parse_text(item)
                except ValueProblem as problem:
                    self.problem(item.line, item_field, str(problem))
                    continue
                entry.items.append(_Item(rel, target, {}, _ProvenanceDraft(None, None), item.line, item_field))
                continue
            if not isinstance(item, YMap):
                self.problem(item.line, item_field, f"expected a uid or `to: uid`, got {describe(item)}")
                continue
            keys = self.pairs(item, item_field)
            for name, (key_node, _) in keys.items():
                if name not in allowed:
                    hint = did_you_mean(name, allowed)
                    self.problem(key_node.line, _join(item_field, name), f"unknown key for {rel.seed_key}{hint}")
            props: dict[str, Value] = {}
            lines = {name: key_node.line for name, (key_node, _) in keys.items()}
            specs = item_properties(rel, self.schema)
            for spec in specs:
                if spec.name in keys:
                    key_node, raw = keys[spec.name]
                    parsed = self.value(spec, raw, key_node.line, _join(item_field, spec.name))
                    if parsed is not None:
                        props[spec.name] = parsed
                elif spec.required:
                    self.problem(item.line, _join(item_field, spec.name), f"missing required property {spec.name!r}")
            self.ranges(props, specs, keys, item_field)
            provenance = self.provenance(entry, keys, item.line, item_field, required=False)
            if TO not in keys:
                self.problem(item.line, _join(item_field, TO), "missing `to` (the uid this points to)")
                continue
            to_key, to_value = keys[TO]
            try:
                target = parse_text(to_value)
            except ValueProblem as problem:
                self.problem(to_key.line, _join(item_field, TO), str(problem))
                continue
            entry.items.append(_Item(rel, target, props, provenance, to_key.line, _join(item_field, TO), lines))

    def provenance(
        self,
        entry: _Entry,
        keys: dict[str, tuple[YScalar, YNode]],
        line: int,
        field_path: str,
        *,
        required: bool,
    ) -> _ProvenanceDraft:
        """`source` / `sources` / `inferred` of an entry or item; citations are remembered for the document check."""
        citations: list[Citation] | None = None
        if SOURCE in keys and SOURCES in keys:
            line = keys[SOURCES][0].line
            self.problem(line, _join(field_path, SOURCES), "give either `source` or `sources`, not both")
        elif SOURCE in keys:
            key_node, value = keys[SOURCE]
            citation = self.citation(entry, value, key_node.line, _join(field_path, SOURCE))
            citations = [citation] if citation else []
        elif SOURCES in keys:
            key_node, value = keys[SOURCES]
            sources_field = _join(field_path, SOURCES)
            citations = []
            if not isinstance(value, YSeq) or not value.items:
                got = describe(value) if not isinstance(value, YSeq) else "an empty list"
                self.problem(key_node.line, sources_field, f"expected a list of `- document: …` citations, got {got}")
            else:
                for index, item in enumerate(value.items):
                    citation = self.citation(entry, item, item.line, f"{sources_field}[{index}]")
                    if citation:
                        citations.append(citation)
        elif required:
            self.problem(line, _join(field_path, SOURCE), "missing provenance: give `source:` {document, section, "
                         "quote} or `sources:` (an inferred fact cites what it is inferred from)")  # fmt: skip
        reason: str | None = None
        if INFERRED in keys:
            key_node, value = keys[INFERRED]
            if isinstance(value, YScalar) and value.kind == "str" and value.raw.strip():
                reason = value.raw
            else:
                self.problem(key_node.line, _join(field_path, INFERRED),
                             f"expected a sentence saying what is inferred and why, got {describe(value)}")  # fmt: skip
        return _ProvenanceDraft(tuple(citations) if citations is not None else None, reason)

    def citation(self, entry: _Entry, node: YNode, line: int, field_path: str) -> Citation | None:
        if not isinstance(node, YMap):
            self.problem(line, field_path, f"expected {{document, section, quote}}, got {describe(node)}")
            return None
        keys = self.pairs(node, field_path)
        for name, (key_node, _) in keys.items():
            if name not in CITATION_FIELDS:
                hint = did_you_mean(name, CITATION_FIELDS)
                self.problem(key_node.line, _join(field_path, name), f"unknown key in a citation{hint}")
        values: list[str] = []
        for name in CITATION_FIELDS:
            if name not in keys:
                self.problem(node.line, _join(field_path, name), f"missing {name!r} in the citation")
                continue
            key_node, value = keys[name]
            try:
                values.append(parse_text(value))
            except ValueProblem as problem:
                self.problem(key_node.line, _join(field_path, name), str(problem))
                continue
            if name == CITATION_FIELDS[0]:
                entry.cited.append((values[-1], key_node.line, _join(field_path, name)))
        if len(values) != len(CITATION_FIELDS):
            return None
        return Citation(*values)

    # -- across files --------------------------------------------------------------------------------------

    def finish(self) -> SeedSet:
        by_uid = self.check_uids()
        self.check_references(by_uid)
        if self.problems:
            raise SeedInvalid(self.problems)
        nodes = tuple(self.node_record(e) for e in self.entries)
        rels = tuple(rel for e in self.entries for rel in self.rel_records(e, by_uid))
        return SeedSet(self.schema, self.seed_dir, tuple(self.files), nodes, rels)

    def report(self, where: _Where, line: int, field_path: str, message: str) -> None:
        self.problems.append(Problem(where.display, line, field_path, message))

    def check_uids(self) -> dict[str, _Entry]:
        groups: dict[str, list[_Entry]] = defaultdict(list)
        for entry in self.entries:
            if entry.uid is not None:
                groups[entry.uid].append(entry)
        for uid, entries in groups.items():
            if len(entries) > 1:
                for entry in entries:
                    others = ", ".join(f"{o.where.display}:{o.uid_line}" for o in entries if o is not entry)
                    self.report(entry.where, entry.uid_line, _join(entry.path, UID),
                                f"duplicate uid {uid!r} (also at {others})")  # fmt: skip
        return {uid: entries[0] for uid, entries in groups.items()}

    def check_references(self, by_uid: dict[str, _Entry]) -> None:
        source_uids = [uid for uid, e in by_uid.items() if e.label == self.source_label]
        seen: dict[tuple[str, str, str, dt.date | None], _Item] = {}
        for entry in self.entries:
            for document, line, field_path in entry.cited:
                cited = by_uid.get(document)
                if cited is None and self.unreadable:
                    continue
                if cited is None:
                    hint = did_you_mean(document, source_uids)
                    message = f"unknown source document {document!r}: not a uid in `{SOURCE_COLLECTION}`{hint}"
                    self.report(entry.where, line, field_path, message)
                elif cited.label != self.source_label:
                    self.report(entry.where, line, field_path,
                                f"{document!r} is a {cited.label}, not an entry of `{SOURCE_COLLECTION}`")  # fmt: skip
            for item in entry.items:
                target = self.check_target(entry, item, by_uid)
                if target is not None:
                    self.check_period(entry, item, target)
                if entry.uid is None:
                    continue
                valid_from = item.props.get(VALID_FROM)
                key = (item.rel.type, entry.uid, item.to, valid_from if isinstance(valid_from, dt.date) else None)
                if key in seen:
                    self.report(entry.where, item.line, item.path,
                                f"duplicate relationship to {item.to!r} (first at line {seen[key].line}); "
                                "give each period its own valid_from")  # fmt: skip
                else:
                    seen[key] = item

    def check_target(self, entry: _Entry, item: _Item, by_uid: dict[str, _Entry]) -> _Entry | None:
        field_path = item.path
        target = by_uid.get(item.to)
        if target is None and self.unreadable:
            return None
        if target is None:
            hint = did_you_mean(item.to, [uid for uid, e in by_uid.items() if e.label in item.rel.to_labels])
            self.report(entry.where, item.line, field_path, f"unknown uid {item.to!r}{hint}")
            return None
        if target.label not in item.rel.to_labels:
            allowed = ", ".join(item.rel.to_labels)
            self.report(entry.where, item.line, field_path,
                        f"{item.to!r} is a {target.label}; `{item.rel.seed_key}` may point to: {allowed}")  # fmt: skip
            return None
        return target

    def check_period(self, entry: _Entry, item: _Item, target: _Entry) -> None:
        """A dated relationship lies within the periods of both its ends (open ends are not checked)."""
        for name in (VALID_FROM, VALID_TO):
            when = item.props.get(name)
            if not isinstance(when, dt.date):
                continue
            for end in (entry, target):
                start, stop = end.props.get(VALID_FROM), end.props.get(VALID_TO)
                if isinstance(start, dt.date) and when < start:
                    problem = f"{when} is before {end.uid!r} exists (its valid_from is {start})"
                elif isinstance(stop, dt.date) and when > stop:
                    problem = f"{when} is after {end.uid!r} ends (its valid_to is {stop})"
                else:
                    continue
                line = item.lines.get(name, item.line)
                self.report(entry.where, line, _join(item.path.removesuffix(f".{TO}"), name), problem)

    # -- records -------------------------------------------------------------------------------------------

    def node_record(self, entry: _Entry) -> NodeRecord:
        provenance = Provenance(entry.provenance.citations or (), entry.provenance.reason)
        props: dict[str, Value] = {UID: str(entry.uid), **entry.props}
        props[SEED_FILE] = entry.where.seed_file
        props[SEED_ORDER] = entry.order
        props.update(provenance.to_props())
        return NodeRecord(entry.label, props, Origin(entry.where.display, entry.line))

    def rel_records(self, entry: _Entry, by_uid: dict[str, _Entry]) -> Iterator[RelRecord]:
        own = entry.provenance.citations or ()
        for item in entry.items:
            draft = item.provenance
            if not draft.given:
                provenance = Provenance(own, entry.provenance.reason)
            else:
                provenance = Provenance(draft.citations if draft.citations is not None else own, draft.reason)
            props: dict[str, Value] = {**item.props, **provenance.to_props()}
            yield RelRecord(item.rel.type, str(entry.uid), item.to, props, entry.label, by_uid[item.to].label)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name

// name: responsibility_for_case
// purpose: Every responsibility rule of one municipality with what the resolver weighs: holders, conditions, included/excluded paragraphs, documented exceptions, and whether the rule is valid on the date.
// param municipality: uid of the municipality — example: aarhus
// param on: the date asked about, ISO text — example: 2019-09-01
// param kind: myndighed or udfører; null for both — example: myndighed
// returns: rule, valid, holders, conditions, included, excluded, exception_to
MATCH (:Municipality {uid: $municipality})<-[:IN_MUNICIPALITY]-(r:ResponsibilityRule)
WHERE $kind IS NULL OR r.kind = $kind
RETURN
  r {.uid, .name, .kind, .age_min, .age_max, .all_conditions, .valid_from, .valid_to, .inferred, .inferred_reason,
     .source_documents, .source_sections, .source_quotes} AS rule,
  (r.valid_from IS NULL OR r.valid_from <= date($on)) AND (r.valid_to IS NULL OR r.valid_to >= date($on)) AS valid,
  [(r)-[e:HELD_BY]->(u) | {uid: u.uid, name: u.name, kind: u.kind, labels: labels(u),
     valid: (u.valid_from IS NULL OR u.valid_from <= date($on)) AND (u.valid_to IS NULL OR u.valid_to >= date($on)),
     inferred: e.inferred, inferred_reason: e.inferred_reason, source_documents: e.source_documents,
     source_sections: e.source_sections, source_quotes: e.source_quotes}] AS holders,
  [(r)-[e:COVERS_CONDITION]->(c:Condition) | {uid: c.uid, name: c.name, inferred: e.inferred,
     inferred_reason: e.inferred_reason, source_documents: e.source_documents, source_sections: e.source_sections,
     source_quotes: e.source_quotes}] AS conditions,
  [(r)-[e:INCLUDES_PARAGRAPH]->(p:Paragraph) | {uid: p.uid, name: p.name, inferred: e.inferred,
     inferred_reason: e.inferred_reason, source_documents: e.source_documents, source_sections: e.source_sections,
     source_quotes: e.source_quotes}] AS included,
  [(r)-[e:EXCLUDES_PARAGRAPH]->(p:Paragraph) | {uid: p.uid, name: p.name, inferred: e.inferred,
     inferred_reason: e.inferred_reason, source_documents: e.source_documents, source_sections: e.source_sections,
     source_quotes: e.source_quotes}] AS excluded,
  [(r)-[e:EXCEPTION_TO]->(o:ResponsibilityRule) | {uid: o.uid, name: o.name, inferred: e.inferred,
     inferred_reason: e.inferred_reason, source_documents: e.source_documents, source_sections: e.source_sections,
     source_quotes: e.source_quotes}] AS exception_to
ORDER BY rule.uid

// name: responsibility_rule_sources
// purpose: The provenance of some responsibility rules and of their relationships (holders, conditions, paragraphs, exceptions): the documents, sections and quotes an answer cites, and why a fact is inferred.
// param rules: uids of responsibility rules (a list) — example: ["aarhus-ansvar-uju-myndighed-sel52-52a-15-17"]
// returns: rule, link, target, source_documents, source_sections, source_quotes, inferred, inferred_reason
UNWIND $rules AS uid
MATCH (r:ResponsibilityRule {uid: uid})
RETURN r.uid AS rule, null AS link, null AS target, r.source_documents AS source_documents,
  r.source_sections AS source_sections, r.source_quotes AS source_quotes, coalesce(r.inferred, false) AS inferred,
  r.inferred_reason AS inferred_reason
UNION ALL
UNWIND $rules AS uid
MATCH (r:ResponsibilityRule {uid: uid})-[e:HELD_BY|COVERS_CONDITION|INCLUDES_PARAGRAPH|EXCLUDES_PARAGRAPH|EXCEPTION_TO]->(x)
RETURN r.uid AS rule, type(e) AS link, x.uid AS target, e.source_documents AS source_documents,
  e.source_sections AS source_sections, e.source_quotes AS source_quotes, coalesce(e.inferred, false) AS inferred,
  e.inferred_reason AS inferred_reason

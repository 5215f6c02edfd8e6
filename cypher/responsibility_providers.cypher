// name: responsibility_providers
// purpose: Tilbud in a municipality that serve a case on a date: the tilbud belongs (then) to a unit in the municipality's hierarchy (then) and serves (then) a target group whose age band holds the age and which has no conditions or one of the given ones (pass the asked conditions with their broader conditions). It starts from the municipality (WITH) so FalkorDB does not scan every target group.
// param municipality: uid of the municipality — example: aarhus
// param on: the date, ISO text — example: 2019-09-01
// param age: the citizen's age — example: 17
// param conditions: condition uids the target group may name (asked ones and broader) — example: ["autisme", "udviklingsforstyrrelse", "handicap"]
// returns: tilbud, unit, target_group, paragraphs, belongs_to, serves
MATCH (m:Municipality {uid: $municipality})
WITH m
MATCH p = (m)<-[:PART_OF*1..12]-(u)
WHERE ALL(r IN relationships(p) WHERE (r.valid_from IS NULL OR r.valid_from <= date($on))
                                  AND (r.valid_to IS NULL OR r.valid_to >= date($on)))
WITH DISTINCT u
MATCH (u)<-[b:BELONGS_TO]-(t:Tilbud)-[s:SERVES]->(g:TargetGroup)
WHERE (b.valid_from IS NULL OR b.valid_from <= date($on)) AND (b.valid_to IS NULL OR b.valid_to >= date($on))
  AND (s.valid_from IS NULL OR s.valid_from <= date($on)) AND (s.valid_to IS NULL OR s.valid_to >= date($on))
  AND (t.valid_from IS NULL OR t.valid_from <= date($on)) AND (t.valid_to IS NULL OR t.valid_to >= date($on))
  AND (g.age_min IS NULL OR g.age_min <= $age) AND (g.age_max IS NULL OR g.age_max >= $age)
WITH DISTINCT t, u, b, s, g, [(g)-[:HAS_CONDITION]->(c:Condition) | c.uid] AS group_conditions
WHERE size(group_conditions) = 0 OR any(c IN group_conditions WHERE c IN $conditions)
RETURN
  t {.uid, .name, .tilbud_type, .inferred, .inferred_reason, .source_documents, .source_sections, .source_quotes}
    AS tilbud,
  {uid: u.uid, name: u.name} AS unit,
  {uid: g.uid, name: g.name, age_min: g.age_min, age_max: g.age_max, conditions: group_conditions} AS target_group,
  [(t)-[:UNDER_PARAGRAPH]->(q:Paragraph) | q.uid] AS paragraphs,
  {inferred: b.inferred, inferred_reason: b.inferred_reason} AS belongs_to,
  {inferred: s.inferred, inferred_reason: s.inferred_reason, source_documents: s.source_documents,
   source_sections: s.source_sections, source_quotes: s.source_quotes} AS serves
ORDER BY tilbud.name, target_group.uid

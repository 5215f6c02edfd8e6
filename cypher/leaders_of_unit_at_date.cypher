// name: leaders_of_unit_at_date
// purpose: For each unit (or administration): its place in the hierarchy on a date, up to the municipality, and the positions that lead each level then, with the persons holding them then.
// param units: uids of units or administrations (a list) — example: ["aarhus-msb-unge-job-og-uddannelse"]
// param on: the date, ISO text — example: 2019-09-01
// returns: unit, depth, node, edge, leaders
UNWIND $units AS unit
OPTIONAL MATCH (asUnit:Unit {uid: unit})
OPTIONAL MATCH (asAdministration:Administration {uid: unit})
WITH unit, coalesce(asUnit, asAdministration) AS start
WHERE start IS NOT NULL
MATCH p = (start)-[:PART_OF*0..12]->(top)
WHERE ALL(r IN relationships(p) WHERE (r.valid_from IS NULL OR r.valid_from <= date($on))
                                  AND (r.valid_to IS NULL OR r.valid_to >= date($on)))
WITH unit, p ORDER BY length(p) DESC
WITH unit, collect(p)[0] AS p
UNWIND range(0, length(p)) AS depth
WITH unit, depth, nodes(p)[depth] AS n, CASE WHEN depth = 0 THEN null ELSE relationships(p)[depth - 1] END AS e
OPTIONAL MATCH (pos:Position)-[l:LEADS]->(n)
WHERE (l.valid_from IS NULL OR l.valid_from <= date($on)) AND (l.valid_to IS NULL OR l.valid_to >= date($on))
  AND (pos.valid_from IS NULL OR pos.valid_from <= date($on)) AND (pos.valid_to IS NULL OR pos.valid_to >= date($on))
OPTIONAL MATCH (person:Person)-[h:HOLDS]->(pos)
WHERE (h.valid_from IS NULL OR h.valid_from <= date($on)) AND (h.valid_to IS NULL OR h.valid_to >= date($on))
WITH unit, depth, n, e, pos, l, collect(person.name) AS persons
WITH unit, depth, n, e,
  collect(CASE WHEN pos IS NULL THEN null ELSE {uid: pos.uid, title: pos.title, level: pos.level, persons: persons,
    inferred: coalesce(l.inferred, false) OR coalesce(pos.inferred, false),
    inferred_reason: coalesce(l.inferred_reason, pos.inferred_reason)} END) AS leaders
RETURN unit, depth,
  {uid: n.uid, name: n.name, kind: n.kind, labels: labels(n), inferred: n.inferred, inferred_reason: n.inferred_reason,
   valid: (n.valid_from IS NULL OR n.valid_from <= date($on)) AND (n.valid_to IS NULL OR n.valid_to >= date($on))}
    AS node,
  CASE WHEN e IS NULL THEN null ELSE {inferred: e.inferred, inferred_reason: e.inferred_reason,
    source_documents: e.source_documents, source_sections: e.source_sections, source_quotes: e.source_quotes} END
    AS edge,
  leaders
ORDER BY unit, depth

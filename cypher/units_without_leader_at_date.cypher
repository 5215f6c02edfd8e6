// name: units_without_leader_at_date
// purpose: Administrations and units of a municipality valid on a date (reached through PART_OF edges
//   valid that day) that no position valid that day leads.
// param municipality: uid or name of the municipality — example: kobenhavn
// param on: the date (ISO) — example: 2025-01-01
// returns: uid, name, label, kind, parent_uid, parent_name
MATCH (m:Municipality)
WHERE m.uid = $municipality OR toLower(m.name) = toLower($municipality)
MATCH p = (n)-[:PART_OF*1..12]->(m)
WHERE ALL(r IN relationships(p) WHERE (r.valid_from IS NULL OR r.valid_from <= date($on))
                                  AND (r.valid_to IS NULL OR r.valid_to >= date($on)))
  AND ALL(x IN nodes(p) WHERE (x.valid_from IS NULL OR x.valid_from <= date($on))
                          AND (x.valid_to IS NULL OR x.valid_to >= date($on)))
WITH DISTINCT n, nodes(p)[1] AS parent
OPTIONAL MATCH (pos:Position)-[l:LEADS]->(n)
WHERE (pos.valid_from IS NULL OR pos.valid_from <= date($on)) AND (pos.valid_to IS NULL OR pos.valid_to >= date($on))
  AND (l.valid_from IS NULL OR l.valid_from <= date($on)) AND (l.valid_to IS NULL OR l.valid_to >= date($on))
WITH n, parent, count(pos) AS leaders
WHERE leaders = 0
RETURN n.uid AS uid, n.name AS name, labels(n)[0] AS label, n.kind AS kind, parent.uid AS parent_uid,
       parent.name AS parent_name
ORDER BY parent_uid, uid

// name: org_tree_at_date
// purpose: The organisation of a municipality (or one administration) on a date: each administration and unit valid
//   then through PART_OF edges valid then, with the positions leading it then; one row per node and parent, top at depth 0.
// param municipality: uid or name of the municipality — example: aarhus
// param administration: uid, name or short name of an administration in it; empty for the whole municipality — example: MSB
// param on: the date (ISO) — example: 2019-08-01
// returns: uid, name, label, kind, short_name, parent_uid, depth, valid_from, valid_to, inferred, leaders
MATCH (m:Municipality)
WHERE m.uid = $municipality OR toLower(m.name) = toLower($municipality)
OPTIONAL MATCH (a:Administration)-[:PART_OF*1..4]->(m)
WHERE $administration <> ''
  AND (a.uid = $administration OR toLower(a.name) = toLower($administration)
       OR toLower(a.short_name) = toLower($administration))
WITH DISTINCT CASE WHEN $administration = '' THEN m ELSE a END AS root
WHERE root IS NOT NULL
MATCH p = (n)-[:PART_OF*0..12]->(root)
WHERE ALL(r IN relationships(p) WHERE (r.valid_from IS NULL OR r.valid_from <= date($on))
                                  AND (r.valid_to IS NULL OR r.valid_to >= date($on)))
  AND ALL(x IN nodes(p) WHERE (x.valid_from IS NULL OR x.valid_from <= date($on))
                          AND (x.valid_to IS NULL OR x.valid_to >= date($on)))
WITH n, CASE WHEN length(p) = 0 THEN NULL ELSE nodes(p)[1] END AS parent, length(p) AS depth,
     CASE WHEN length(p) = 0 THEN NULL ELSE relationships(p)[0].inferred END AS inferred
OPTIONAL MATCH (pos:Position)-[l:LEADS]->(n)
WHERE (pos.valid_from IS NULL OR pos.valid_from <= date($on)) AND (pos.valid_to IS NULL OR pos.valid_to >= date($on))
  AND (l.valid_from IS NULL OR l.valid_from <= date($on)) AND (l.valid_to IS NULL OR l.valid_to >= date($on))
OPTIONAL MATCH (person:Person)-[h:HOLDS]->(pos)
WHERE (h.valid_from IS NULL OR h.valid_from <= date($on)) AND (h.valid_to IS NULL OR h.valid_to >= date($on))
WITH n, parent, depth, inferred, pos, collect(person.name) AS persons
WITH n, parent, depth, inferred,
     collect(CASE WHEN pos IS NULL THEN NULL
                  ELSE {uid: pos.uid, title: pos.title, level: pos.level, persons: persons} END) AS leaders
RETURN n.uid AS uid, n.name AS name, labels(n)[0] AS label, n.kind AS kind, n.short_name AS short_name,
       parent.uid AS parent_uid, depth, n.valid_from AS valid_from, n.valid_to AS valid_to,
       coalesce(inferred, false) AS inferred, leaders
ORDER BY depth, parent_uid, name

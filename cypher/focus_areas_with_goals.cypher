// name: focus_areas_with_goals
// purpose: A municipality's strategic focus areas (indsatsområder) in force on a date, each with its
//   goals, preconditions and what it concerns (target groups, administrations, units).
// param municipality: uid or name of the municipality — example: kobenhavn
// param on: the date (ISO) — example: 2024-06-01
// returns: uid, name, description, valid_from, valid_to, goals, preconditions, concerns
MATCH (f:FocusArea)-[:IN_MUNICIPALITY]->(m:Municipality)
WHERE (m.uid = $municipality OR toLower(m.name) = toLower($municipality))
  AND (f.valid_from IS NULL OR f.valid_from <= date($on)) AND (f.valid_to IS NULL OR f.valid_to >= date($on))
OPTIONAL MATCH (f)-[:HAS_GOAL]->(g:Goal)
WITH f, g ORDER BY g.seed_order, g.uid
WITH f, collect(g.name) AS goals
OPTIONAL MATCH (f)-[:HAS_PRECONDITION]->(pre:Precondition)
WITH f, goals, pre ORDER BY pre.seed_order, pre.uid
WITH f, goals, collect(pre.name) AS preconditions
RETURN f.uid AS uid, f.name AS name, f.description AS description, f.valid_from AS valid_from,
       f.valid_to AS valid_to, goals, preconditions,
       [(f)-[:CONCERNS]->(x) | {uid: x.uid, name: x.name, label: labels(x)[0]}] AS concerns
ORDER BY f.seed_order, uid

// name: unit_timeline
// purpose: Everything dated about a unit or administration: validity, parents and children, leading positions, tilbud,
//   and the reorganisation moves that moved it, into or out of it (dated by the reorganisation); undated facts first.
// param unit: uid of the unit or administration — example: aarhus-msb-ungdomscenteret
// returns: fact, valid_from, valid_to, uid, name, detail, reorganisation_uid, reorganisation_name, inferred
MATCH (u)
WHERE (u:Unit OR u:Administration) AND u.uid = $unit
CALL {
  WITH u
  RETURN 'enhed' AS fact, u.valid_from AS valid_from, u.valid_to AS valid_to, u.uid AS uid, u.name AS name,
         coalesce(u.kind, 'forvaltning') AS detail, NULL AS reorganisation_uid, NULL AS reorganisation_name,
         coalesce(u.inferred, false) AS inferred
  UNION ALL
  WITH u
  MATCH (u)-[r:PART_OF]->(parent)
  RETURN 'overordnet' AS fact, r.valid_from AS valid_from, r.valid_to AS valid_to, parent.uid AS uid,
         parent.name AS name, coalesce(parent.kind, toLower(labels(parent)[0])) AS detail,
         NULL AS reorganisation_uid, NULL AS reorganisation_name, coalesce(r.inferred, false) AS inferred
  UNION ALL
  WITH u
  MATCH (child)-[r:PART_OF]->(u)
  RETURN 'underordnet' AS fact, r.valid_from AS valid_from, r.valid_to AS valid_to, child.uid AS uid,
         child.name AS name, coalesce(child.kind, toLower(labels(child)[0])) AS detail,
         NULL AS reorganisation_uid, NULL AS reorganisation_name, coalesce(r.inferred, false) AS inferred
  UNION ALL
  WITH u
  MATCH (pos:Position)-[l:LEADS]->(u)
  OPTIONAL MATCH (person:Person)-[:HOLDS]->(pos)
  WITH l, pos, collect(person.name) AS persons
  RETURN 'leder' AS fact, l.valid_from AS valid_from, l.valid_to AS valid_to, pos.uid AS uid, pos.title AS name,
         CASE WHEN size(persons) = 0 THEN NULL
              ELSE reduce(s = '', p IN persons | s + CASE WHEN s = '' THEN '' ELSE ', ' END + p) END AS detail,
         NULL AS reorganisation_uid, NULL AS reorganisation_name, coalesce(l.inferred, false) AS inferred
  UNION ALL
  WITH u
  MATCH (t:Tilbud)-[b:BELONGS_TO]->(u)
  RETURN 'tilbud' AS fact, b.valid_from AS valid_from, b.valid_to AS valid_to, t.uid AS uid, t.name AS name,
         t.tilbud_type AS detail, NULL AS reorganisation_uid, NULL AS reorganisation_name,
         coalesce(b.inferred, false) AS inferred
  UNION ALL
  WITH u
  MATCH (mv:Move)-[rel:MOVES|MOVED_FROM|MOVED_TO]->(u)
  MATCH (mv)-[:IN_REORGANISATION]->(reorg:Reorganisation)
  RETURN 'flytning' AS fact, reorg.effective_on AS valid_from, NULL AS valid_to, mv.uid AS uid, mv.name AS name,
         CASE type(rel) WHEN 'MOVES' THEN 'flyttes' WHEN 'MOVED_FROM' THEN 'fra' ELSE 'til' END AS detail,
         reorg.uid AS reorganisation_uid, reorg.name AS reorganisation_name, coalesce(mv.inferred, false) AS inferred
}
RETURN fact, valid_from, valid_to, uid, name, detail, reorganisation_uid, reorganisation_name, inferred
ORDER BY CASE WHEN valid_from IS NULL THEN 0 ELSE 1 END, valid_from, fact, uid, detail

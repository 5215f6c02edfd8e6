// name: reorganisation_moves
// purpose: The moves of a reorganisation in document order: what moves (and which nodes), from where,
//   to where, for which ages, paragraphs and conditions, what stays behind, and the sources.
// param reorganisation: uid or name of the reorganisation — example: aarhus-msb-2019
// returns: uid, name, subject, moves, moved_from, moved_to, age_min, age_max, paragraphs, conditions, exception, note, inferred, inferred_reason, source_documents, source_sections, source_quotes
MATCH (mv:Move)-[:IN_REORGANISATION]->(r:Reorganisation)
WHERE r.uid = $reorganisation OR toLower(r.name) = toLower($reorganisation)
RETURN mv.uid AS uid, mv.name AS name, mv.subject AS subject,
       [(mv)-[:MOVES]->(what) | {uid: what.uid, name: what.name, label: labels(what)[0]}] AS moves,
       [(mv)-[:MOVED_FROM]->(src) | {uid: src.uid, name: src.name, label: labels(src)[0]}] AS moved_from,
       [(mv)-[:MOVED_TO]->(dst) | {uid: dst.uid, name: dst.name, label: labels(dst)[0]}] AS moved_to,
       mv.age_min AS age_min, mv.age_max AS age_max,
       [(mv)-[:CONCERNS_PARAGRAPH]->(p:Paragraph) | p.name] AS paragraphs,
       [(mv)-[:CONCERNS_CONDITION]->(c:Condition) | c.name] AS conditions,
       mv.exception AS exception, mv.note AS note, coalesce(mv.inferred, false) AS inferred,
       mv.inferred_reason AS inferred_reason, mv.source_documents AS source_documents,
       mv.source_sections AS source_sections, mv.source_quotes AS source_quotes
ORDER BY mv.seed_order, uid

// name: paragraph_successors
// purpose: Paragraph successions (SUCCEEDED_BY): which paragraph replaced which, from when, for which part (scope). With a paragraph uid, the successions from or to it; with null, all of them.
// param paragraph: uid of a paragraph, or null for all — example: sel-52
// returns: from_uid, from_name, to_uid, to_name, effective_on, scope, inferred, inferred_reason, source_documents, source_sections, source_quotes
MATCH (a:Paragraph)-[s:SUCCEEDED_BY]->(b:Paragraph)
WHERE $paragraph IS NULL OR a.uid = $paragraph OR b.uid = $paragraph
RETURN a.uid AS from_uid, a.name AS from_name, b.uid AS to_uid, b.name AS to_name, s.effective_on AS effective_on,
  s.scope AS scope, coalesce(s.inferred, false) AS inferred, s.inferred_reason AS inferred_reason,
  s.source_documents AS source_documents, s.source_sections AS source_sections, s.source_quotes AS source_quotes
ORDER BY from_uid, effective_on, to_uid

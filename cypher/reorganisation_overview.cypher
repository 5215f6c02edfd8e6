// name: reorganisation_overview
// purpose: One reorganisation: status, dates (and the day before it takes effect), municipality,
//   administrations concerned, how many moves it has, the curator's note and its sources.
// param reorganisation: uid or name of the reorganisation — example: aarhus-msb-2019
// returns: uid, name, status, proposed_on, decided_on, effective_on, day_before, municipality_uid, municipality_name, administrations, moves, note, source_documents, source_sections, source_quotes
MATCH (r:Reorganisation)
WHERE r.uid = $reorganisation OR toLower(r.name) = toLower($reorganisation)
OPTIONAL MATCH (r)-[:IN_MUNICIPALITY]->(m:Municipality)
RETURN r.uid AS uid, r.name AS name, r.status AS status, r.proposed_on AS proposed_on,
       r.decided_on AS decided_on, r.effective_on AS effective_on,
       CASE WHEN r.effective_on IS NULL THEN NULL ELSE r.effective_on - duration('P1D') END AS day_before,
       m.uid AS municipality_uid, m.name AS municipality_name,
       [(r)-[:OF_ADMINISTRATION]->(a:Administration) | {uid: a.uid, name: a.name, short_name: a.short_name}]
         AS administrations,
       size([(mv:Move)-[:IN_REORGANISATION]->(r) | mv]) AS moves,
       r.note AS note, r.source_documents AS source_documents, r.source_sections AS source_sections,
       r.source_quotes AS source_quotes
ORDER BY uid

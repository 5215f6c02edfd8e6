// name: reorganisation_paragraphs
// purpose: The paragraphs a reorganisation's moves name, and those the responsibility rules of its
//   municipality include or exclude: the paragraphs to check when asking what a reorganisation changed.
// param reorganisation: uid or name of the reorganisation — example: aarhus-msb-2019
// returns: uid, name, law, number, mentioned_by
CALL {
  MATCH (mv:Move)-[:IN_REORGANISATION]->(r:Reorganisation)
  WHERE r.uid = $reorganisation OR toLower(r.name) = toLower($reorganisation)
  MATCH (mv)-[:CONCERNS_PARAGRAPH]->(p:Paragraph)
  RETURN p, 'flytning' AS mentioned_by
  UNION
  MATCH (r:Reorganisation)-[:IN_MUNICIPALITY]->(m:Municipality)
  WHERE r.uid = $reorganisation OR toLower(r.name) = toLower($reorganisation)
  MATCH (rule:ResponsibilityRule)-[:IN_MUNICIPALITY]->(m)
  MATCH (rule)-[:INCLUDES_PARAGRAPH|EXCLUDES_PARAGRAPH]->(p:Paragraph)
  RETURN p, 'regel' AS mentioned_by
}
WITH p, collect(DISTINCT mentioned_by) AS mentions
RETURN p.uid AS uid, p.name AS name, p.law AS law, p.number AS number, mentions AS mentioned_by
ORDER BY law, uid

// name: responsibilities_changed_in_reorganisation
// purpose: Rules ending the day before a reorganisation takes effect, paired with rules of the same kind starting that day
//   whose scope overlaps and whose holders differ (overlap, not precedence: `socialatlas changes` resolves one target group).
// param reorganisation: uid or name of the reorganisation — example: kbh-sof-2025
// returns: kind, age_min, age_max, paragraphs, before_uid, before_name, before_holders, before_conditions, after_uid, after_name, after_holders, after_conditions
MATCH (reorg:Reorganisation)-[:IN_MUNICIPALITY]->(m:Municipality)
WHERE (reorg.uid = $reorganisation OR toLower(reorg.name) = toLower($reorganisation))
  AND reorg.effective_on IS NOT NULL
WITH m, reorg.effective_on AS after_on, reorg.effective_on - duration('P1D') AS before_on
MATCH (b:ResponsibilityRule)-[:IN_MUNICIPALITY]->(m)
WHERE b.valid_to = before_on
MATCH (a:ResponsibilityRule)-[:IN_MUNICIPALITY]->(m)
WHERE a.valid_from = after_on AND a.kind = b.kind
  AND coalesce(a.age_min, 0) <= coalesce(b.age_max, 130) AND coalesce(b.age_min, 0) <= coalesce(a.age_max, 130)
WITH b, a,
     [(b)-[:HELD_BY]->(bh) | bh.uid] AS before_holder_uids, [(a)-[:HELD_BY]->(ah) | ah.uid] AS after_holder_uids,
     [(b)-[:COVERS_CONDITION]->(bcc:Condition) | bcc.uid] AS bc, [(a)-[:COVERS_CONDITION]->(acc:Condition) | acc.uid] AS ac,
     [(b)-[:COVERS_CONDITION]->(:Condition)-[:BROADER*0..6]->(bup:Condition) | bup.uid] AS bc_up,
     [(a)-[:COVERS_CONDITION]->(:Condition)-[:BROADER*0..6]->(aup:Condition) | aup.uid] AS ac_up,
     [(b)-[:INCLUDES_PARAGRAPH]->(bip:Paragraph) | bip.name] AS bp, [(a)-[:INCLUDES_PARAGRAPH]->(aip:Paragraph) | aip.name] AS ap,
     [(b)-[:EXCLUDES_PARAGRAPH]->(bxp:Paragraph) | bxp.name] AS bx, [(a)-[:EXCLUDES_PARAGRAPH]->(axp:Paragraph) | axp.name] AS ax
WHERE (any(x IN before_holder_uids WHERE NOT x IN after_holder_uids)
       OR any(x IN after_holder_uids WHERE NOT x IN before_holder_uids))
  AND (size(bc) = 0 OR size(ac) = 0 OR any(x IN ac WHERE x IN bc_up) OR any(x IN bc WHERE x IN ac_up))
WITH b, a, bc, ac,
     CASE WHEN size(bp) = 0 AND size(ap) = 0 THEN []
          WHEN size(bp) = 0 THEN [x IN ap WHERE NOT x IN bx]
          WHEN size(ap) = 0 THEN [x IN bp WHERE NOT x IN ax]
          ELSE [x IN bp WHERE x IN ap] END AS shared_paragraphs,
     size(bp) + size(ap) > 0 AS limited
WHERE NOT limited OR size(shared_paragraphs) > 0
RETURN b.kind AS kind,
       CASE WHEN coalesce(a.age_min, 0) > coalesce(b.age_min, 0) THEN a.age_min ELSE b.age_min END AS age_min,
       CASE WHEN coalesce(a.age_max, 130) < coalesce(b.age_max, 130) THEN a.age_max ELSE b.age_max END AS age_max,
       shared_paragraphs AS paragraphs,
       b.uid AS before_uid, b.name AS before_name, [(b)-[:HELD_BY]->(bhn) | bhn.name] AS before_holders,
       [(b)-[:COVERS_CONDITION]->(bcn:Condition) | bcn.name] AS before_conditions,
       a.uid AS after_uid, a.name AS after_name, [(a)-[:HELD_BY]->(ahn) | ahn.name] AS after_holders,
       [(a)-[:COVERS_CONDITION]->(acn:Condition) | acn.name] AS after_conditions
ORDER BY kind, before_uid, after_uid

// name: tilbud_by_paragraph_and_target_group
// purpose: Tilbud valid on a date under a paragraph that serve a target group with a condition (itself, narrower or
//   broader; a target group without conditions serves all), with the unit each belongs to that day.
// param paragraph: uid or name of the paragraph; empty for any paragraph — example: SEL §104
// param condition: uid or name of the condition; empty for any target group — example: udviklingsforstyrrelse
// param on: the date (ISO) — example: 2019-08-01
// returns: uid, name, tilbud_type, paragraphs, target_group_uid, target_group, age_min, age_max, conditions, unit_uid, unit_name
OPTIONAL MATCH (asked:Condition)
WHERE $condition <> '' AND (asked.uid = $condition OR toLower(asked.name) = toLower($condition))
OPTIONAL MATCH (asked)-[:BROADER*0..6]->(wider:Condition)
WITH asked, collect(DISTINCT wider.uid) AS wider_uids
OPTIONAL MATCH (narrower:Condition)-[:BROADER*0..6]->(asked)
WITH wider_uids, collect(DISTINCT narrower.uid) AS narrower_uids
WITH collect(wider_uids + narrower_uids) AS nested
WITH reduce(acc = [], xs IN nested | acc + xs) AS related
MATCH (t:Tilbud)-[:UNDER_PARAGRAPH]->(p:Paragraph)
WHERE ($paragraph = '' OR p.uid = $paragraph OR toLower(p.name) = toLower($paragraph))
  AND (t.valid_from IS NULL OR t.valid_from <= date($on)) AND (t.valid_to IS NULL OR t.valid_to >= date($on))
WITH DISTINCT t, related
OPTIONAL MATCH (t)-[s:SERVES]->(g:TargetGroup)
WHERE (s.valid_from IS NULL OR s.valid_from <= date($on)) AND (s.valid_to IS NULL OR s.valid_to >= date($on))
OPTIONAL MATCH (g)-[:HAS_CONDITION]->(gc:Condition)
WITH t, g, related, collect(gc.uid) AS condition_uids, collect(gc.name) AS conditions
WHERE $condition = ''
   OR (g IS NOT NULL AND (size(condition_uids) = 0 OR any(x IN condition_uids WHERE x IN related)))
OPTIONAL MATCH (t)-[b:BELONGS_TO]->(u)
WHERE (b.valid_from IS NULL OR b.valid_from <= date($on)) AND (b.valid_to IS NULL OR b.valid_to >= date($on))
RETURN t.uid AS uid, t.name AS name, t.tilbud_type AS tilbud_type,
       [(t)-[:UNDER_PARAGRAPH]->(tp:Paragraph) | tp.name] AS paragraphs,
       g.uid AS target_group_uid, g.name AS target_group, g.age_min AS age_min, g.age_max AS age_max,
       conditions, u.uid AS unit_uid, u.name AS unit_name
ORDER BY name, target_group_uid

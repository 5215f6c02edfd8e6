// name: responsibility_for_case
// purpose: Every responsibility rule of one municipality with what the resolver weighs, in two kinds of rows: one per rule (link null; facts = name, kind, age_min, age_max, all_conditions, valid_from, valid_to, inferred, valid on the date) and one per relationship of a rule (link = HELD_BY, COVERS_CONDITION, INCLUDES_PARAGRAPH, EXCLUDES_PARAGRAPH or EXCEPTION_TO; facts = target uid, inferred, and for a holder also its name, kind, label and whether it is valid on the date). Flat rows instead of nested lists keep it fast on FalkorDB; the kind filter comes after WITH so that FalkorDB starts from the municipality's index instead of scanning every rule.
// param municipality: uid of the municipality — example: aarhus
// param on: the date asked about, ISO text — example: 2019-09-01
// param kind: myndighed or udfører; null for both — example: myndighed
// returns: rule, link, facts
MATCH (:Municipality {uid: $municipality})<-[:IN_MUNICIPALITY]-(r:ResponsibilityRule)
WITH r
WHERE $kind IS NULL OR r.kind = $kind
RETURN r.uid AS rule, null AS link,
  [r.name, r.kind, r.age_min, r.age_max, coalesce(r.all_conditions, false), r.valid_from, r.valid_to,
   coalesce(r.inferred, false),
   (r.valid_from IS NULL OR r.valid_from <= date($on)) AND (r.valid_to IS NULL OR r.valid_to >= date($on))] AS facts
UNION ALL
MATCH (:Municipality {uid: $municipality})<-[:IN_MUNICIPALITY]-(r:ResponsibilityRule)
      -[e:HELD_BY|COVERS_CONDITION|INCLUDES_PARAGRAPH|EXCLUDES_PARAGRAPH|EXCEPTION_TO]->(x)
WITH r, e, x
WHERE $kind IS NULL OR r.kind = $kind
RETURN r.uid AS rule, type(e) AS link,
  CASE type(e) WHEN 'HELD_BY' THEN
    [x.uid, coalesce(e.inferred, false), x.name, x.kind, labels(x)[0],
     (x.valid_from IS NULL OR x.valid_from <= date($on)) AND (x.valid_to IS NULL OR x.valid_to >= date($on))]
  ELSE [x.uid, coalesce(e.inferred, false)] END AS facts

// name: named_entities
// purpose: Every node with one label, with uid, name, short name, validity and the municipality it
//   belongs to — the list that names typed by a user are looked up in.
// param label: the node label: Municipality, Administration, Unit, Reorganisation, Tilbud, … — example: Administration
// returns: uid, name, short_name, label, valid_from, valid_to, municipality_uid
MATCH (n)
WHERE $label IN labels(n)
RETURN n.uid AS uid, coalesce(n.name, n.title) AS name, n.short_name AS short_name, $label AS label,
       n.valid_from AS valid_from, n.valid_to AS valid_to,
       CASE WHEN n:Municipality THEN n.uid
            ELSE coalesce(head([(n)-[:IN_MUNICIPALITY]->(m1:Municipality) | m1.uid]),
                          head([(n)-[:PART_OF*1..12]->(m2:Municipality) | m2.uid]),
                          head([(n)-[:IN_REORGANISATION]->()-[:IN_MUNICIPALITY]->(m3:Municipality) | m3.uid]),
                          head([(n)-[:BELONGS_TO]->()-[:PART_OF*1..12]->(m4:Municipality) | m4.uid])) END
         AS municipality_uid
ORDER BY uid

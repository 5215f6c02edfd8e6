// name: resolver_paragraphs
// purpose: Every legal paragraph with its validity and UNCONFIRMED marks; the resolver caches this small list.
// returns: uid, name, law, number, heading, valid_from, valid_to, unconfirmed, unconfirmed_note, inferred, inferred_reason
MATCH (p:Paragraph)
RETURN p.uid AS uid, p.name AS name, p.law AS law, p.number AS number, p.heading AS heading,
  p.valid_from AS valid_from, p.valid_to AS valid_to, coalesce(p.unconfirmed, false) AS unconfirmed,
  p.unconfirmed_note AS unconfirmed_note, coalesce(p.inferred, false) AS inferred, p.inferred_reason AS inferred_reason
ORDER BY uid

// name: resolver_conditions
// purpose: The condition taxonomy (names, English, synonyms) with its BROADER links and their provenance; the resolver caches it to read free-text conditions and to let broader rules cover narrower conditions.
// returns: uid, name, english, synonyms, broader
MATCH (c:Condition)
RETURN c.uid AS uid, c.name AS name, c.english AS english, c.synonyms AS synonyms,
  [(c)-[e:BROADER]->(b:Condition) | {uid: b.uid, inferred: e.inferred, inferred_reason: e.inferred_reason,
     source_documents: e.source_documents, source_sections: e.source_sections, source_quotes: e.source_quotes}]
    AS broader
ORDER BY uid

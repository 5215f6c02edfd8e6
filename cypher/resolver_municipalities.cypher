// name: resolver_municipalities
// purpose: The municipalities by uid and name; the resolver caches them to read the municipality asked about.
// returns: uid, name
MATCH (m:Municipality)
RETURN m.uid AS uid, m.name AS name
ORDER BY uid

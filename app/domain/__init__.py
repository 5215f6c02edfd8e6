"""Domain logic: responsibility resolution and temporal views. Knows no HTTP and no driver."""

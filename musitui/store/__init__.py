"""On-disk state: the catalog, the feature cache, the listening history. No business rules."""

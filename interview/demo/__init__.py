"""Demo data: a seeded organization with roles, candidates and scored interviews."""

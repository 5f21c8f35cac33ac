"""Reports: per-competency results, the overall score, provenance."""

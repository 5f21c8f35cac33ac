"""The inference backend: the only place that imports ML libraries or loads weights."""

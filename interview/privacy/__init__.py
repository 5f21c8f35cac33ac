"""Privacy duties: the audit trail, erasure and export of a candidate, retention."""

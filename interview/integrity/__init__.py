"""Integrity: pure checks that raise flags for a human reviewer; a flag never rejects anyone."""

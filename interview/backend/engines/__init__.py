"""Engines, one file each, imported lazily by name from the catalogue."""

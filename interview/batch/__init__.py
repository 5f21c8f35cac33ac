"""Scoring a folder (or JSONL file) of interviews in batch: `interview score PATH`."""

"""Scoring: pure functions from answers (and model outputs) to anchored scores."""

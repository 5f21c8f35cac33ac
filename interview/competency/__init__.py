"""Competency models: the library of competencies and role templates, and role setup."""

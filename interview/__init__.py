"""interview: an open-source, self-hostable AI interviewer. Importing it loads no model."""

__version__ = "0.1.0"

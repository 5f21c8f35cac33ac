"""Resume facts: text from a PDF/DOCX/text upload, work history, risk points and highlights."""

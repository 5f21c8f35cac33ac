"""The candidate's interview: session and consent, answers and follow-ups, recordings
(uploads and live transcription), what the page reports, the enrollment photo."""

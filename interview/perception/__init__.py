"""Perception: what a recorded answer contains (transcript) and how it was spoken (speech features).

Speech features are measured properties of the audio (rate, pauses, fillers, pitch and loudness
ranges); nothing here infers feelings, confidence or nervousness (EU AI Act: no emotion
recognition at work).
"""

"""Question plans: which questions a candidate is asked, in order."""

"""Reading text: cleaning it as it enters (names, e-mails, answers), an answer's sentences,
instructions to the scorer, STAR elements. Pure."""

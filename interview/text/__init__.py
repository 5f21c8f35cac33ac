"""Reading an answer's text: sentences, instructions to the scorer, STAR elements. Pure."""

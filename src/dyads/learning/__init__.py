"""Small learned models that run without torch: features from the parse, linear weights in JSON."""

"""ui_gen: typed workflow interfaces in, forms out. Knows nothing of the latchlike server."""

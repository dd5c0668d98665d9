"""Renderers: a Scene in, files out. They know drawing, not RNNs."""

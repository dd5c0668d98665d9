"""Frameworks (Keras, PyTorch) as plug-ins: each is a folder, loaded on demand by name."""

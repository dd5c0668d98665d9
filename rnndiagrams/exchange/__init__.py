"""Specs to and from other formats: Keras model files in, Keras code out."""

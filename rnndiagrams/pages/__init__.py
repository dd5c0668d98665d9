"""HTML pages built from specs: the gallery file and the live preview of `watch`."""

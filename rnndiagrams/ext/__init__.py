"""Figures inside documentation sites: a Sphinx directive (`rnndiagrams.ext.sphinx`, also
in MyST Markdown and Jupyter Book) and a Python-Markdown fence (`rnndiagrams.ext.markdown`,
for MkDocs). Both render at build time through `embed`, which caches by content hash."""

"""Text and JSON reports of a shaped model (summary, explain); no drawing."""

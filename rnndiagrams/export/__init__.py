"""Export: a spec as the framework code that builds its model."""

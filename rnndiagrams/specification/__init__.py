"""Reading specs: YAML with locations (yamldoc), validation into a Spec (validate)."""

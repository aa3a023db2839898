"""latchlike's own flytekit workflows, registered by `latchlike serve` on start."""

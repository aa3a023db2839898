"""Registered tasks, workflows and launch plans: immutable, versioned specs."""

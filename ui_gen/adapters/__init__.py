"""Adapters from concrete interface formats to `ui_gen.schema`."""

"""rows: see docs/architecture.md."""

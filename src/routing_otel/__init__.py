"""routing-otel."""

"""Dashboards, alert and recording rules for routing-otel, generated from its telemetry names.

`python dashboards/generate.py` rewrites the committed Grafana JSON and Prometheus rules;
`--check` fails when they differ from what the generator produces. See dashboards/README.md.
"""

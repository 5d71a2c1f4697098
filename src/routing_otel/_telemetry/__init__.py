"""The recorder: a finished call's spans, metric points (bounded labels) and log event."""

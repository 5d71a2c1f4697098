"""Bringing observation to unchanged code: ``instrument()``, the instrumentor, ``observe``."""

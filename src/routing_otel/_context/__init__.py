"""The caller's context: ``observe`` scopes, ``label()`` values and the fallback memory."""

"""One call's life: which requests are API calls and what we change in them, then the call.

The gate decides and names its edits; the lifecycle runs from request to finished body;
thin adapters per client drive both.
"""

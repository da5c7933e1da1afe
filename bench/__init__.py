"""`manage.py bench`: the connector measured against the vendors' own limits (see bench/runner.py)."""

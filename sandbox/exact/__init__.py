"""Simulator of the Exact Online REST API (regional hosts, OAuth consent, OData v3, sync, webhooks)."""

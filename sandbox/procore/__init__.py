"""Simulator of Procore's REST API v1.0 (login host and API host)."""

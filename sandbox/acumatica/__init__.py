"""Simulator of Acumatica's contract-based REST API (Default endpoint, contract version 4)."""

"""Procurify simulator."""

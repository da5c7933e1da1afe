"""Sage Intacct XML gateway simulator."""

"""Conformance of the simulators, and of the requests our clients send, to the vendors' published contracts."""

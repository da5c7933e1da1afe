"""Security tests: access control over every URL, credentials that never leak, a worker that stops when told."""

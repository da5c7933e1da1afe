"""Simulators of the vendor APIs ml-connector talks to, for the demo and the tests.

Plain WSGI with in-memory state: no database, and no imports from the rest of the project, so a
simulator behaves like the vendor and not like our own client's idea of it. See sandbox.registry for
the systems and sandbox.testing for the test helpers.
"""

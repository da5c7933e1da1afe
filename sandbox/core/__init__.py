"""Framework shared by all simulators: WSGI app, threaded server, clock, faults, counters, store."""

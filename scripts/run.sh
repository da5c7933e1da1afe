#!/usr/bin/env bash
# Start the demo: migrate, seed, then sandbox + worker + web server together; Ctrl-C stops all three.
set -euo pipefail
PY=.venv/bin/python
export SANDBOX_URL="http://127.0.0.1:${SANDBOX_PORT}"
$PY manage.py migrate --noinput
$PY manage.py seed_demo --sandbox-url "$SANDBOX_URL"
trap 'kill 0' EXIT INT TERM
$PY manage.py runsandbox --host 127.0.0.1 --port "$SANDBOX_PORT" --seed demo &
$PY manage.py qcluster &
echo
echo "  ml-connector is starting on http://${HOST}:${PORT}/admin/"
echo "  Log in as the users printed above (admin / finance / viewer)."
echo "  Simulators: $SANDBOX_URL   Stop everything with Ctrl-C."
echo
$PY manage.py runserver "${HOST}:${PORT}" --noreload

#!/usr/bin/env bash
# Start the demo: simulators, migrate, seed, then worker + web server; Ctrl-C stops everything.
set -euo pipefail
PY=.venv/bin/python
export SANDBOX_URL="http://127.0.0.1:${SANDBOX_PORT}"
trap 'kill 0' EXIT INT TERM
$PY manage.py runsandbox --host 127.0.0.1 --port "$SANDBOX_PORT" --seed demo &
for _ in $(seq 1 50); do
  curl -fs "$SANDBOX_URL/_sandbox/procore/clock" >/dev/null 2>&1 && break
  sleep 0.2
done
$PY manage.py migrate --noinput
$PY manage.py seed_demo --sandbox-url "$SANDBOX_URL"
$PY manage.py qcluster &
echo
echo "  ml-connector: http://${HOST}:${PORT}/admin/"
echo "  Log in as admin / admin-demo (superuser), finance / finance-demo, or viewer / viewer-demo."
echo "  Simulators: $SANDBOX_URL    Stop everything with Ctrl-C."
echo
$PY manage.py runserver "${HOST}:${PORT}" --noreload

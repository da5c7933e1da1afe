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
# The demo runs faster than Procore's documented 600 an hour / 25 per 10 s would allow; the client still paces
# itself from the X-Rate-Limit-* headers, only against a wider window.
curl -fs -X POST "$SANDBOX_URL/_sandbox/procore/config" -H "Content-Type: application/json" \
  -d '{"rate_limit_hourly": 36000, "rate_limit_spike": 300}' >/dev/null
$PY manage.py migrate --noinput
$PY manage.py seed_demo --sandbox-url "$SANDBOX_URL" --first-run
$PY manage.py qcluster &
echo
echo "  ml-connector: http://${HOST}:${PORT}/admin/"
echo "  Log in as admin / admin-demo (superuser), finance / finance-demo, or viewer / viewer-demo."
echo "  Simulators: $SANDBOX_URL    Stop everything with Ctrl-C."
echo
echo "  Demo integrations (tenant Summit Builders), each run once above and then polled every 5 minutes:"
echo "  - Procore -> Acumatica, Procore -> Sage Intacct: subcontractor invoices and invoice direct costs post as AP"
echo "    bills; the bill paid in the ERP comes back to Procore as a payment."
echo "  - Procurify -> Acumatica: purchase orders and approved bills post; Acumatica's vendors and GL accounts appear"
echo "    in Procurify; an order completed in Acumatica is closed in Procurify; the paid bill is recorded in the ledger"
echo "    (Procurify has no call that marks a bill paid). One account code is left unmapped: its documents wait."
echo "  - Exact Online -> Procore: purchase orders become commitments, purchase invoices direct costs; nothing is"
echo "    written to Exact."
echo "  - QuickBooks Online -> Procore: vendors, bills as requisitions or direct costs, paid bills as payments."
echo
$PY manage.py runserver "${HOST}:${PORT}" --noreload &
WEB_PID=$!
# Webhooks are set up once the web server answers: a vendor checks the address when a webhook is created.
WEB_URL="http://${HOST/0.0.0.0/127.0.0.1}:${PORT}"
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "$WEB_URL/admin/login/" && break
  sleep 0.2
done
$PY manage.py demo_webhooks --base-url "$WEB_URL" --sandbox-url "$SANDBOX_URL" || echo "  (webhooks not set up; the demo polls)"
wait "$WEB_PID"

#!/usr/bin/env bash
# Serve Coach OS with its background jobs (Celery worker + beat) on one machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-1}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/celery -A coachos worker --beat --pool=solo --concurrency=1 --loglevel=INFO \
  --schedule "var/celerybeat-schedule" &
pids+=($!)
.venv/bin/uvicorn coachos.asgi:application --host 127.0.0.1 --port "$PORT" --no-access-log --lifespan off &
pids+=($!)

sleep 1
cat <<TXT

  Coach OS is running at $PUBLIC_BASE_URL
  (background jobs: Celery worker with beat, broker under var/celery)

  Demo logins (password for all: coachos-demo)
    owner   owner@northside.example      back office of Northside Strength
    coach   coach@northside.example      back office (no settings)
    staff   frontdesk@northside.example  front desk (no money, no settings)
    client  client@northside.example     client portal
  Platform admin: admin@coachos.example  at $PUBLIC_BASE_URL/admin/
  Emails (verification, invitations) are printed here in the log.

  Press Ctrl+C to stop.
TXT
wait -n "${pids[@]}"

#!/usr/bin/env bash
# Serve Coach OS with its background jobs (Celery worker + beat) on one machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-1}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
# Print only the banner below (and the emails the console backend writes); warnings and errors still
# show. LOG_LEVEL=INFO make run brings back the servers' and jobs' logs.
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
VAR_DIR="${VAR_DIR:-var}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/celery -A coachos --quiet worker --beat --pool=solo --concurrency=1 --loglevel="$LOG_LEVEL" \
  --schedule "$VAR_DIR/celerybeat-schedule" &
pids+=($!)
.venv/bin/uvicorn coachos.asgi:application --host 127.0.0.1 --port "$PORT" --no-access-log --lifespan off \
  --log-level "$(echo "$LOG_LEVEL" | tr '[:upper:]' '[:lower:]')" &
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

#!/usr/bin/env bash
# Serve Coach OS with its background jobs (Celery worker + beat) on one machine.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
# DEBUG is off unless asked for (`make run DEBUG=1`): no visitor ever sees Django's debug page.
export DEBUG="${DEBUG:-0}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
# Print only the banner below (and the emails the console backend writes); warnings and errors still
# show. LOG_LEVEL=INFO make run brings back the servers' and jobs' logs.
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
export LOG_FORMAT="${LOG_FORMAT:-text}"
# This machine only, no money: the local test checkout stays (billing shows it with DEBUG or this).
export PAYMENTS_TEST_MODE="${PAYMENTS_TEST_MODE:-1}"
VAR_DIR="${VAR_DIR:-var}"
# Without DEBUG the server refuses the development SECRET_KEY: a key of this checkout's own, made once
# and kept under var/ (so sign-ins survive a restart). A SECRET_KEY in the environment wins.
case "$(echo "$DEBUG" | tr '[:upper:]' '[:lower:]')" in
  1|true|yes|on) debug_on=1 ;;
  *) debug_on=0 ;;
esac
if [ "$debug_on" = 0 ] && [ -z "${SECRET_KEY:-}" ]; then
  key_file="$VAR_DIR/secret_key"
  if [ ! -s "$key_file" ]; then
    mkdir -p "$VAR_DIR"
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$key_file")
  fi
  SECRET_KEY="$(cat "$key_file")"
  export SECRET_KEY
fi

pids=()
# Ctrl+C (or a TERM) is how this is stopped: the handler only notes it, the EXIT trap stops both
# servers, and the script then exits 0 so that `make run` does not report "Error 130".
stopping=0
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'stopping=1' INT TERM
trap cleanup EXIT

# As root (a container, a fresh VM) Celery warns on every start; the app's own banner says enough.
PYTHONWARNINGS="ignore:You're running the worker with superuser privileges" \
  .venv/bin/celery -A coachos --quiet worker --beat --pool=solo --concurrency=1 --loglevel="$LOG_LEVEL" \
  --schedule "$VAR_DIR/celerybeat-schedule" &
pids+=($!)
.venv/bin/uvicorn coachos.asgi:application --host 127.0.0.1 --port "$PORT" --no-access-log --lifespan off \
  --log-level "$(echo "$LOG_LEVEL" | tr '[:upper:]' '[:lower:]')" &
pids+=($!)

# From here a Ctrl+C may kill the command in the foreground (sleep, cat): that is no error, so errexit
# is off and the end below decides the exit status.
set +e
sleep 1
[ "$stopping" = 0 ] || exit 0
if [ "$debug_on" = 1 ]; then
  debug_line='Debug pages are on (DEBUG=1): keep this server to this machine.'
else
  debug_line='Debug pages are off (make run DEBUG=1 turns them on).'
fi
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
  $debug_line

  Press Ctrl+C to stop.
TXT
# Returns when a server ends or a signal arrives; a server that fails on its own is still an error.
status=0
while [ "$stopping" = 0 ]; do
  wait -n "${pids[@]}" || status=$?
  [ "$stopping" = 1 ] || exit "$status"
done
echo
echo "  Coach OS stopped."
exit 0

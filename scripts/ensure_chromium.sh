#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own download cannot work here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium is missing: install it with 'sudo apt-get install chromium'" >&2
  exit 1
fi
echo "Installing Chromium with apt..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, so `npm test` passes on a
# fresh machine: Debian's Chromium for the browser test (playwright-core drives
# /usr/bin/chromium; it never downloads a browser of its own).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: chromium is missing; install Debian's chromium package (the browser test needs /usr/bin/chromium)" >&2
  exit 0
fi
echo "test-deps: installing Debian's chromium for the browser test" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null

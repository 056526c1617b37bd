#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, so `npm test` passes on a
# fresh machine, each from Debian's packages and only when missing:
# - chromium for the browser test (playwright-core drives /usr/bin/chromium;
#   it never downloads a browser of its own);
# - redis-server for the shared-state tests (they start their own throwaway
#   servers on free loopback ports; the package's system service is kept
#   from starting and disabled, so nothing is left running).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  for package in "${missing[@]}"; do
    case "$package" in
      chromium) echo "test-deps: chromium is missing; install Debian's chromium package (the browser test needs /usr/bin/chromium)" >&2 ;;
      redis-server) echo "test-deps: redis-server is missing; install Debian's redis-server package (the shared-state tests skip without it)" >&2 ;;
    esac
  done
  exit 0
fi
echo "test-deps: installing Debian's ${missing[*]} for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep packages from starting their services while they install (Debian's policy-rc.d convention).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable redis-server >/dev/null 2>&1 || true
fi

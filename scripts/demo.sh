#!/usr/bin/env bash
# The main job on a fresh clone (`npm run demo`): for every example policy
# set, type-check it, run its tests on the compiled module at 100% rule
# coverage, compile it to build/examples/<set>.wasm; then decide the sample
# requests of examples/platform/requests with the compiled module.
set -euo pipefail
cd "$(dirname "$0")/.."
agp() { node bin/agp.js "$@"; }

mkdir -p build/examples
agp fmt --check examples
for set in platform deploys chatops trust; do
  echo "== examples/$set"
  agp check --strict "examples/$set"
  agp test "examples/$set" --coverage-threshold 100
  agp compile "examples/$set" -o "build/examples/$set.wasm"
done

if agp --help | grep "^  eval " >/dev/null; then
  for request in examples/platform/requests/*.json; do
    echo "== agp eval $request"
    agp eval --policy build/examples/platform.wasm --request "$request"
  done
fi
echo "demo: every example checked, tested, compiled and evaluated"

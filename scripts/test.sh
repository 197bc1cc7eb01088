#!/usr/bin/env bash
# The one test command (README and .ci/run both call `pnpm test`): system parts the tests use for
# real (PostgreSQL, Chromium), a build, every vitest project, and one plain summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh
pnpm build
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json || status=$?
node scripts/summary.mjs .vitest-results.json
exit $status

#!/bin/bash
# Issue 16's stability check: `npm test` ten times in a row on a clean clone of this repository at
# COMMIT, one line per run (status, seconds, counts, load) in OUT/results.txt, each run's output and
# vitest JSON beside it. About 90 minutes on the project's 2-core machine; nothing else heavy should
# run meanwhile (timing tests fail when the load passes ~8).
#   scripts/test-loop.sh COMMIT [OUT]      (OUT defaults to /tmp/opsdeck-test-loop)
set -u
commit=$1
out=${2:-/tmp/opsdeck-test-loop}
repo=$(cd "$(dirname "$0")/.." && pwd)
clone=$out/clone
mkdir -p "$out" && rm -rf "$clone" && git clone -q "$repo" "$clone" && cd "$clone" && git checkout -q "$commit" || exit 1
npm ci --no-audit --no-fund > "$out/npm-ci.log" 2>&1 || { echo "npm ci failed" >> "$out/results.txt"; exit 1; }
echo "commit $(git log --oneline -1 | cut -c1-60) start $(date -u +%H:%M:%S)" >> "$out/results.txt"
for i in 1 2 3 4 5 6 7 8 9 10; do
  t0=$(date +%s)
  npm test -- --reporter=default --reporter=json --outputFile.json="$out/run$i.json" > "$out/run$i.log" 2>&1
  rc=$?
  counts=$(node -e 'const r=require(process.argv[1]);console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$out/run$i.json" 2>/dev/null)
  echo "run $i rc=$rc $(($(date +%s) - t0)) s ${counts:-no results} load $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)" >> "$out/results.txt"
done
echo done >> "$out/results.txt"

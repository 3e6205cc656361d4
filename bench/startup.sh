#!/usr/bin/env bash
# Start-up and end of a recording, interleaved across builds (docs/PERFORMANCE.md, "Start-up"): each round runs
#   CHECKOUT/agentsight record -q --no-server -o FRESH.jsonl -- /bin/true
# once per checkout given, under /usr/bin/time, and prints each checkout's median wall time and CPU (user + system of
# the whole tree, launcher included). Run as root. Only checkouts measured in the same run compare: this VM's speed
# varies by up to two times from one half hour to the next.
#   sudo ROUNDS=16 bench/startup.sh . /path/to/other/checkout
set -euo pipefail
rounds="${ROUNDS:-12}"
(($# > 0)) || set -- .
[[ -x /usr/bin/time ]] || { echo "startup.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for checkout in "$@"; do
  # A build that is out of date would be built inside the first timed run.
  "$checkout/agentsight" --help >/dev/null
done
for ((round = 1; round <= rounds; round++)); do
  index=0
  for checkout in "$@"; do
    out="$work/run-$index"
    rm -rf "$out" && mkdir -p "$out"
    if ! /usr/bin/time -f "%e %U %S" -o "$work/time" "$checkout/agentsight" record -q --no-server -o "$out/s.jsonl" -- /bin/true >"$out/log" 2>&1; then
      echo "startup.sh: $checkout failed in round $round:" >&2
      cat "$out/log" >&2
      exit 1
    fi
    cat "$work/time" >>"$work/times-$index"
    index=$((index + 1))
  done
done
index=0
for checkout in "$@"; do
  python3 - "$work/times-$index" "$checkout" "$rounds" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
wall = [r[0] for r in rows]
cpu = [r[1] + r[2] for r in rows]
print(f"{sys.argv[2]}: wall {statistics.median(wall):.3f} s ({min(wall):.2f}-{max(wall):.2f}), CPU {statistics.median(cpu):.3f} s, {sys.argv[3]} rounds")
PY
  index=$((index + 1))
done

#!/usr/bin/env bash
# The shared side-by-side scripts (../shared/bench: side_by_side.sh, the keep-alive HTTPS workload, and
# proc_side_by_side.sh, the process- and file-heavy one) with one change: after each tracer's run, the original's and
# ours, the next run starts only once the kernel has released every BPF program (`bpftool prog show` lists none),
# then PAUSE seconds more (default 0.5). A tracer's programs stay attached for seconds after it exits (ours 3.6-3.8 s
# on this VM, released by a child process in the background: docs/PERFORMANCE.md, "Stop 33"): without the wait, the
# next round's untraced run, or the next tracer's run, pays for them. Everything else, and the output, is the shared
# script's. Run as root, on a machine where no other BPF program is loaded (the wait would not end: 20 s at most).
#   sudo bench/side-by-side-settled.sh keepalive [REPO]        env as side_by_side.sh: N, ROUNDS, ORIG_FILTER, ...
#   sudo bench/side-by-side-settled.sh procfile [REPO]         env as proc_side_by_side.sh: P, F, ROUNDS, ...
# SHARED_BENCH: where the shared scripts are (default: ../shared/bench beside this checkout).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
shared=$(cd "${SHARED_BENCH:-$here/../../shared/bench}" && pwd)
case "${1:-}" in
  keepalive) script=side_by_side.sh ;;
  procfile) script=proc_side_by_side.sh ;;
  *) echo "usage: $0 keepalive|procfile [REPO]" >&2; exit 2 ;;
esac
shift
[ -f "$shared/$script" ] || { echo "no $shared/$script (set SHARED_BENCH)" >&2; exit 1; }
command -v bpftool >/dev/null || { echo "bpftool is needed to see when the programs are released" >&2; exit 1; }

settled=$(mktemp /tmp/settled.XXXXXX.sh)
trap 'rm -f "$settled"' EXIT
python3 - "$shared/$script" "$settled" "$shared" <<'PY'
import sys
source, target, shared = sys.argv[1:4]
text = open(source).read()
settle = ("settle() {\n"
          "  for _ in $(seq 200); do bpftool prog show 2>/dev/null | grep -q ' name ' || break; sleep 0.1; done\n"
          "  sleep \"${PAUSE:-0.5}\"\n"
          "}\n")
def insert_after(anchor, addition):
    global text
    if text.count(anchor) != 1:
        sys.exit(f"{source} has changed: {anchor.strip()!r} is not there once; update bench/side-by-side-settled.sh")
    text = text.replace(anchor, anchor + addition)
# The shared script finds its workloads beside itself; the copy runs from /tmp.
text = text.replace('$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)', shared)
if source.endswith("/side_by_side.sh"):
    insert_after('RES=$OUT/results.tsv; : > "$RES"\n', settle)
    insert_after('kill -INT "$SNIFF"; wait "$SNIFF" || true; SNIFF=""\n', "  settle\n")
    insert_after("""printf '%s\\tours\\t%s\\t%s\\n' "$1" "$(us_of "$OUT/ours.$1.out")" "$(seen_of "$f" | tr ' ' '\\t')" >> "$RES"\n""",
                 "  settle\n")
else:
    insert_after(': > "$OUT/res"\n', settle)
    insert_after('"$PY" "$HERE/procload.py" "$P" "$F" > "$OUT/o.$r"; sleep 1; kill -INT $pp; wait $pp || true\n', "  settle\n")
    insert_after('> "$OUT/a.$r" 2>"$OUT/a.$r.err" || true\n', "  settle\n")
open(target, "w").write(text)
PY
bash "$settled" "$@"

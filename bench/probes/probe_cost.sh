#!/usr/bin/env bash
# What one uprobe hit costs on this machine, by the probed instruction: a loop calls a small function 200,000 times,
# untraced and with a tracefs uprobe (or uretprobe) on one of its instructions; the difference per call is the cost of
# the trap, and of emulating or single-stepping that instruction. No BPF program runs: this is the floor every probe
# pays before its program. Usage (root): bench/probes/probe_cost.sh [ROUNDS]
set -euo pipefail
rounds=${1:-5}
[[ $(id -u) == 0 ]] || { echo "run as root (it writes tracefs uprobe_events)" >&2; exit 1; }
tracefs=/sys/kernel/tracing
[[ -w $tracefs/uprobe_events ]] || { echo "tracefs is not mounted at $tracefs (scripts/setup mounts it)" >&2; exit 1; }
work=$(mktemp -d /tmp/probe-cost.XXXXXX)
trap 'echo > $tracefs/uprobe_events 2>/dev/null || true; rm -rf "$work"' EXIT

# The probed function: each instruction class a TLS probe can land on, in the order they run.
cat > "$work/fn.s" <<'ASM'
.text
.globl probed
probed:
  endbr64                 # +0: CET landing pad (single-stepped)
  push %rbp               # +4: push (emulated)
  mov %rsp,%rbp           # +5: mov (single-stepped)
  cmp $0,%rdi             # +8
  jbe 1f                  # +12: conditional jump (emulated)
1:
  lea 1(%rdi),%eax        # +14
  pop %rbp                # +17
  ret                     # +18: ret (single-stepped)
.section .note.GNU-stack,"",@progbits
ASM
cat > "$work/loop.c" <<'C'
#include <stdio.h>
#include <time.h>
extern int probed(int);
int main(void) {
  struct timespec a, b; int n = 200000; volatile int s = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int i = 0; i < n; i++) s += probed(i);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1000.0);
  return 0;
}
C
cc -O1 -o "$work/loop" "$work/loop.c" "$work/fn.s"
base=$((0x$(nm "$work/loop" | awk '$3 == "probed" { print $1 }')))
# file offset = address in this non-PIE-or-PIE binary's first executable segment: nm gives the offset for PIE.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() { for _ in $(seq "$rounds"); do "$work/loop"; done | median; }

printf '%-34s %s\n' "probe" "us per call (median of $rounds)"
printf '%-34s %s\n' "none" "$(run)"
for spec in "endbr64:0:p" "push:4:p" "mov:5:p" "jbe:12:p" "ret:18:p" "push, with a return probe:4:r" "endbr64, with a return probe:0:r"; do
  IFS=: read -r label offset kind <<<"$spec"
  echo "$kind:probecost/p /$work/loop:$(printf '0x%x' $((base + offset)))" > $tracefs/uprobe_events
  echo 1 > $tracefs/events/probecost/p/enable
  printf '%-34s %s\n' "$label" "$(run)"
  echo 0 > $tracefs/events/probecost/p/enable
  echo > $tracefs/uprobe_events
done

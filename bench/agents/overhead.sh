#!/usr/bin/env bash
# One prompt of each real agent, untraced and under `agentsight record`, interleaved round by round against a local
# endpoint (endpoint.py) that streams DELTAS text deltas, each in its own TLS record. The agent runs as `sh -c CMD`
# both ways; untraced, the script times it; traced, the session's EXIT event of that sh gives its time from exec to
# exit (the host's own start and stop, which issue 17 is about, are reported apart). Prints medians, traced/untraced,
# and, from the last traced run of each agent (kernel.bpf_stats_enabled=1 while it runs), how often each BPF program
# ran and its average run time: the in-kernel half of a probe's cost.
#
# usage (root): bench/agents/overhead.sh [AGENTS...]   AGENTS: claude codex copilot go (default: all four)
# env: ROUNDS=5, DELTAS=200, RECORD_FLAGS (more flags for the traced runs' `record`, e.g. "--disable session-store"), CLAUDE=path, CODEX=path, COPILOT=path (default: the pinned versions in
#      /var/cache/agentsight-agents, scripts/agents install), REPO (default: this checkout), OUT (default: a new /tmp dir)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=${REPO:-$(cd "$here/../.." && pwd)}
rounds=${ROUNDS:-5}; deltas=${DELTAS:-200}
cache=${AGENTSIGHT_AGENTS_CACHE:-/var/cache/agentsight-agents}
claude=${CLAUDE:-$cache/anthropic-ai_claude-code_2.1.332/node_modules/@anthropic-ai/claude-code-linux-x64/claude}
codex=${CODEX:-$cache/openai_codex_0.171.0/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex}
copilot=${COPILOT:-$cache/github_copilot_1.0.102/node_modules/@github/copilot-linux-x64/copilot}
agents=("$@"); ((${#agents[@]})) || agents=(claude codex copilot go)
[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
out=${OUT:-$(mktemp -d /tmp/agents-overhead.XXXXXX)}; mkdir -p "$out"
"$repo/agentsight" --version >/dev/null   # build first, outside the timed runs

# A CA and a server certificate for 127.0.0.1, trusted by every agent through its own variable.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$out/ca.key" -out "$out/ca.crt" -days 2 -subj /CN=bench-ca \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$out/server.key" -out "$out/server.csr" -subj /CN=localhost >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$out/ext.cnf"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -out "$out/server.crt" -days 2 -extfile "$out/ext.cnf" >/dev/null 2>&1
cat "$out/server.crt" "$out/ca.crt" > "$out/chain.crt"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$here/endpoint.py" "$port" "$out/chain.crt" "$out/server.key" "$deltas" > "$out/endpoint.log" 2>&1 & endpoint=$!
trap 'kill $endpoint 2>/dev/null; sysctl -qw kernel.bpf_stats_enabled=0' EXIT
for _ in $(seq 50); do grep -q ready "$out/endpoint.log" && break; sleep 0.1; done
url=https://127.0.0.1:$port

# The Go client: Debian's Go, the standard library only.
if [[ " ${agents[*]} " == *" go "* ]]; then
  mkdir -p "$out/go"
  # HttpsClient only (the file holds more programs since the HTTP/2 one): from its declaration to its closing quotes.
  sed -n '/public const string HttpsClient = """/,/^        """;/p' "$repo/tests/AgentSight.Tests/Support/GoProgram.cs" | sed '1d;$d' | sed 's/^        //' > "$out/go/main.go"
  printf 'module bench\n\ngo 1.19\n' > "$out/go/go.mod"
  (cd "$out/go" && HOME=$out/go GOCACHE=$out/go/cache GOPROXY=off CGO_ENABLED=0 go build -ldflags='-s -w' -o client .)
fi
mkdir -p "$out/codex-home"
cat > "$out/codex-home/config.toml" <<TOML
model = "gpt-5.1-codex"
model_provider = "local"
check_for_update_on_startup = false
[model_providers.local]
name = "local"
base_url = "$url/v1"
env_key = "LOCAL_OPENAI_API_KEY"
wire_api = "responses"
[analytics]
enabled = false
[features]
plugins = false
TOML

# env -i and the command line of one prompt of AGENT.
command_of() {
  local home=$out/home-$1; mkdir -p "$home" "$home/work"
  local common=(env -i "HOME=$home" "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8")
  case $1 in
    claude) echo "${common[*]} ANTHROPIC_BASE_URL=$url ANTHROPIC_API_KEY=sk-ant-bench NODE_EXTRA_CA_CERTS=$out/ca.crt CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 $claude -p hello" ;;
    codex) echo "${common[*]} CODEX_HOME=$out/codex-home LOCAL_OPENAI_API_KEY=sk-bench CODEX_CA_CERTIFICATE=$out/ca.crt $codex exec --skip-git-repo-check hello" ;;
    copilot) echo "${common[*]} XDG_CACHE_HOME=$out/copilot-cache COPILOT_OFFLINE=true COPILOT_PROVIDER_BASE_URL=$url/v1 COPILOT_PROVIDER_API_KEY=sk-bench COPILOT_MODEL=gpt-4.1 COPILOT_AUTO_UPDATE=false NODE_EXTRA_CA_CERTS=$out/ca.crt $copilot -p hello" ;;
    go) echo "${common[*]} $out/go/client $url $out/ca.crt" ;;
  esac
}
now() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "load $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds; $deltas deltas per answer; out $out"
results=$out/results.tsv; : > "$results"
for agent in "${agents[@]}"; do
  cmd=$(command_of "$agent")
  (cd "$out/home-$agent/work" && eval "$cmd" </dev/null >/dev/null 2>&1) || true   # warm-up: caches, unpacking
  (cd "$out/home-$agent/work" && "$repo/agentsight" record --no-server -q -o "$out/warm-$agent.jsonl" -- sh -c "$cmd" </dev/null >/dev/null 2>&1) || true
  for round in $(seq "$rounds"); do
    start=$(now); (cd "$out/home-$agent/work" && eval "$cmd" </dev/null >/dev/null 2>&1) || echo "untraced $agent failed" >&2
    echo -e "$agent\tuntraced\t$(( ($(now) - start) / 1000000 ))" >> "$results"
    [[ $round == "$rounds" ]] && sysctl -qw kernel.bpf_stats_enabled=1
    start=$(now)
    (cd "$out/home-$agent/work" && "$repo/agentsight" record --no-server -q ${RECORD_FLAGS:-} -o "$out/$agent.$round.jsonl" -- sh -c "$cmd" </dev/null >/dev/null 2>"$out/$agent.$round.log") \
      || echo "traced $agent failed (see $out/$agent.$round.log)" >&2
    wall=$(( ($(now) - start) / 1000000 ))
    sysctl -qw kernel.bpf_stats_enabled=0
    # The command's own time, exec to exit, from the session (the first EXIT of a process whose EXEC was sh).
    traced=$(python3 -c '
import json, sys
execs, exits = {}, {}
for line in open(sys.argv[1]):
    e = json.loads(line); d = e.get("data") or {}
    if e.get("source") == "process" and d.get("event") == "EXEC" and d.get("filename", "").endswith("/sh"):
        execs.setdefault(e["pid"], True)
    if e.get("source") == "process" and d.get("event") == "EXIT" and e["pid"] in execs and "duration_ms" in d:
        print(round(d["duration_ms"])); break
' "$out/$agent.$round.jsonl")
    echo -e "$agent\ttraced\t$traced" >> "$results"
    echo -e "$agent\thost\t$(( wall - traced ))" >> "$results"
  done
  u=$(awk -F'\t' -v a="$agent" '$1 == a && $2 == "untraced" { print $3 }' "$results" | median)
  t=$(awk -F'\t' -v a="$agent" '$1 == a && $2 == "traced" { print $3 }' "$results" | median)
  h=$(awk -F'\t' -v a="$agent" '$1 == a && $2 == "host" { print $3 }' "$results" | median)
  llm=$(grep -c '"source":"llm"' "$out/$agent.$rounds.jsonl" || true)
  printf '%-8s untraced %6s ms  traced %6s ms  traced/untraced %s  host start+stop %s ms  (llm events in the last run: %s)\n' "$agent" "$u" "$t" \
    "$(awk -v t="$t" -v u="$u" 'BEGIN { printf "%.3f", t / u }')" "$h" "$llm"
  grep -o 'BPF programs (kernel.bpf_stats_enabled=1): .*' "$out/$agent.$rounds.log" | tr ';' '\n' | sed 's/^ */    /' || true
done

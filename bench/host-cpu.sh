#!/usr/bin/env bash
# The host's CPU per captured event at the margin (docs/PERFORMANCE.md, "Stop 32"), interleaved across builds: each
# round records a keep-alive HTTPS client on loopback at SHORT and at LONG requests,
#   CHECKOUT/agentsight record --no-server -q -o FRESH.jsonl $FLAGS -- python3 CLIENT PORT N
# and takes (CPU at LONG - CPU at SHORT) / (events at LONG - events at SHORT) from each run's pipeline summary (its
# "Host CPU" line and the sources' "produced" column): the start-up, the end and the discovery cancel out, what is left
# is what each more event costs. Run as root. Only checkouts measured in the same run compare: this VM's speed varies
# by up to two times from one half hour to the next.
#   sudo ROUNDS=3 bench/host-cpu.sh . /path/to/other/checkout
#   sudo FLAGS="--disable session-store" bench/host-cpu.sh .
set -euo pipefail
rounds="${ROUNDS:-3}"
short="${SHORT:-5000}"
long="${LONG:-25000}"
flags="${FLAGS:-}"
(($# > 0)) || set -- .
work="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# The workload: one connection kept alive, a request and a 210-byte answer at a time (three TLS calls a request).
cat >"$work/keepalive.py" <<'PY'
import http.client, socket, ssl, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def setup(self):
        super().setup(); self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def do_GET(self):
        body = ("answer " + "x" * 203).encode()
        self.send_response(200); self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)

if sys.argv[1] == "serve":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[2], sys.argv[3])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True); server.serve_forever()
else:
    connection = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[2]), context=ssl._create_unverified_context())
    connection.connect(); connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(int(sys.argv[3])):
        connection.request("GET", f"/request-{i}"); connection.getresponse().read()
PY
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj /CN=localhost >/dev/null 2>&1
python3 "$work/keepalive.py" serve "$work/cert.pem" "$work/key.pem" >"$work/port" &
server=$!
for _ in $(seq 50); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port="$(cat "$work/port")"
[[ -n "$port" ]] || { echo "host-cpu.sh: the workload's server did not start" >&2; exit 1; }

for checkout in "$@"; do
  # A build that is out of date would be built inside the first timed run.
  "$checkout/agentsight" --help >/dev/null
done
for ((round = 1; round <= rounds; round++)); do
  index=0
  for checkout in "$@"; do
    for requests in "$short" "$long"; do
      out="$work/run-$index-$requests"
      rm -rf "$out" && mkdir -p "$out"
      # shellcheck disable=SC2086 # FLAGS is a list of options
      if ! "$checkout/agentsight" record --no-server -q -o "$out/s.jsonl" $flags -- python3 "$work/keepalive.py" client "$port" "$requests" >"$out/log" 2>&1; then
        echo "host-cpu.sh: $checkout failed in round $round:" >&2
        cat "$out/log" >&2
        exit 1
      fi
      cpu="$(grep -o 'Host CPU: [0-9.]*' "$out/log" | grep -o '[0-9.]*$')"
      events="$(awk '/^Pipeline summary/ { on = 1 } on && /^  [a-z]+ +[0-9,]+/ { gsub(",", "", $2); sum += $2 } /^  #/ { on = 0 } END { print sum + 0 }' "$out/log")"
      echo "$requests $cpu $events" >>"$work/results-$index"
    done
    index=$((index + 1))
  done
done
index=0
for checkout in "$@"; do
  python3 - "$work/results-$index" "$checkout" "$short" "$long" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
short = [r for r in rows if r[0] == sys.argv[3]]
long = [r for r in rows if r[0] == sys.argv[4]]
margins = [(float(b[1]) - float(a[1])) / (int(b[2]) - int(a[2])) * 1e6 for a, b in zip(short, long)]
print(f"{sys.argv[2]}: {statistics.median(margins):.2f} us of host CPU per captured event at the margin "
      f"(rounds: {', '.join(f'{m:.2f}' for m in margins)}); host CPU {sys.argv[3]} requests {[a[1] for a in short]} s, "
      f"{sys.argv[4]} requests {[b[1] for b in long]} s; events at {sys.argv[4]}: {long[0][2]}")
PY
  index=$((index + 1))
done

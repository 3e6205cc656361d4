#!/usr/bin/env python3
"""A local LLM endpoint for the agent benchmarks: HTTPS on 127.0.0.1, HTTP/1.1, streaming answers in the Anthropic
Messages, OpenAI Responses and Chat Completions formats, each text delta written as its own TLS record (so the
client reads once per delta, as it does from a real provider).

usage: endpoint.py PORT CERT_CHAIN KEY [DELTAS]   (DELTAS: text deltas per answer, default 200)
"""
import http.server, json, ssl, sys

DELTAS = int(sys.argv[4]) if len(sys.argv) > 4 else 200


def anthropic(model):
    yield "message_start", {"type": "message_start", "message": {"id": "msg_bench", "type": "message", "role": "assistant", "model": model,
                                                                "content": [], "stop_reason": None, "usage": {"input_tokens": 25, "output_tokens": 1}}}
    yield "content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    for i in range(DELTAS):
        yield "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f"word{i} "}}
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    yield "message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": DELTAS}}
    yield "message_stop", {"type": "message_stop"}


def responses(model):
    text = "".join(f"word{i} " for i in range(DELTAS))
    item = {"id": "msg_bench", "type": "message", "status": "completed", "role": "assistant", "content": [{"type": "output_text", "text": text, "annotations": []}]}
    yield "response.created", {"type": "response.created", "response": {"id": "resp_bench", "object": "response", "status": "in_progress", "model": model, "output": []}}
    yield "response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": dict(item, status="in_progress", content=[])}
    yield "response.content_part.added", {"type": "response.content_part.added", "item_id": "msg_bench", "output_index": 0, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}}
    for i in range(DELTAS):
        yield "response.output_text.delta", {"type": "response.output_text.delta", "item_id": "msg_bench", "output_index": 0, "content_index": 0, "delta": f"word{i} "}
    yield "response.output_text.done", {"type": "response.output_text.done", "item_id": "msg_bench", "output_index": 0, "content_index": 0, "text": text}
    yield "response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}
    yield "response.completed", {"type": "response.completed", "response": {"id": "resp_bench", "object": "response", "status": "completed", "model": model, "output": [item],
                                                                            "usage": {"input_tokens": 31, "output_tokens": DELTAS, "total_tokens": 31 + DELTAS}}}


def chat(model):
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": model}
    yield None, dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
    for i in range(DELTAS):
        yield None, dict(base, choices=[{"index": 0, "delta": {"content": f"word{i} "}, "finish_reason": None}])
    yield None, dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])
    yield None, dict(base, choices=[], usage={"prompt_tokens": 21, "completion_tokens": DELTAS, "total_tokens": 21 + DELTAS})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.do_HEAD()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            model = json.loads(body).get("model", "bench-model")
        except ValueError:
            model = "bench-model"
        if self.path.endswith("/chat/completions"):
            events, sse = chat(model), False
        elif self.path.endswith("/responses"):
            events, sse = responses(model), True
        elif "/v1/messages" in self.path and "count_tokens" not in self.path:
            events, sse = anthropic(model), True
        else:
            data = b'{"input_tokens": 42}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        pieces = [(f"event: {name}\ndata: {json.dumps(data)}\n\n" if name else f"data: {json.dumps(data)}\n\n").encode() for name, data in events]
        if not sse:
            pieces.append(b"data: [DONE]\n\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(sum(len(p) for p in pieces)))
        self.end_headers()
        for piece in pieces:
            self.wfile.write(piece)  # one TLS record each
            self.wfile.flush()


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
context.set_alpn_protocols(["http/1.1"])
server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()

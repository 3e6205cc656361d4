#!/usr/bin/env python3
"""The agent `agentsight demo` records: a tiny coding agent, written like real ones.

It asks a model what to do (the demo's local HTTPS endpoint, which streams answers in the Anthropic, OpenAI and
Gemini formats), runs the tool calls the model returns (shell commands, a file write), sends the results back, and loops
until the model gives its final answer. Standard library only: urllib over TLS (OpenSSL's SSL_read_ex/SSL_write_ex,
which AgentSight sees from the kernel), subprocess, files.
"""
import json
import os
import ssl
import subprocess
import sys
import urllib.request

URL = os.environ["AGENTSIGHT_DEMO_URL"]
CONTEXT = ssl.create_default_context(cafile=os.environ["AGENTSIGHT_DEMO_CA"])
WORKSPACE = os.getcwd()

TOOLS = [
    {"name": "run_command", "description": "Run a shell command in the workspace and return its output.",
     "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}},
    {"name": "write_file", "description": "Write a file in the workspace.",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
                      "required": ["path", "content"]}},
]


def say(text):
    print(f"[agent] {text}", file=sys.stderr, flush=True)


def stream(path, body, headers):
    """POSTs a request and yields (event, data) for each Server-Sent Event of the streamed answer."""
    request = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", **headers})
    with urllib.request.urlopen(request, context=CONTEXT, timeout=30) as response:
        event = None
        for raw in response:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
                if data != "[DONE]":
                    yield event, json.loads(data)


def ask_claude(messages):
    """One call to the Messages API; returns the content blocks and the stop reason."""
    body = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "stream": True, "tools": TOOLS, "messages": messages,
            "system": "You are a careful agent. Use the tools, then answer briefly."}
    headers = {"x-api-key": "sk-ant-demo-not-a-real-key", "anthropic-version": "2023-06-01"}
    blocks, partial, stop = [], {}, None
    for event, data in stream("/v1/messages", body, headers):
        if event == "content_block_start":
            blocks.append(dict(data["content_block"]))
            partial[data["index"]] = ""
        elif event == "content_block_delta":
            delta = data["delta"]
            if delta["type"] == "text_delta":
                blocks[data["index"]]["text"] = blocks[data["index"]].get("text", "") + delta["text"]
            elif delta["type"] == "input_json_delta":
                partial[data["index"]] += delta["partial_json"]
        elif event == "content_block_stop" and blocks[data["index"]]["type"] == "tool_use":
            blocks[data["index"]]["input"] = json.loads(partial[data["index"]] or "{}")
        elif event == "message_delta":
            stop = data["delta"].get("stop_reason")
    return blocks, stop


def run_tool(name, arguments):
    if name == "run_command":
        say(f"running: {arguments['command']}")
        done = subprocess.run(arguments["command"], shell=True, capture_output=True, text=True, cwd=WORKSPACE, timeout=30)
        return done.stdout + done.stderr
    if name == "write_file":
        say(f"writing {arguments['path']}")
        with open(os.path.join(WORKSPACE, arguments["path"]), "w", encoding="utf-8") as file:
            file.write(arguments["content"])
        return "written"
    return f"unknown tool {name}"


def main():
    messages = [{"role": "user", "content": "Look at this machine and write a short report in report.md."}]
    for _ in range(6):
        blocks, stop = ask_claude(messages)
        for block in blocks:
            if block["type"] == "text" and block.get("text"):
                say(f"model: {block['text']}")
        messages.append({"role": "assistant", "content": blocks})
        if stop != "tool_use":
            break
        results = [{"type": "tool_result", "tool_use_id": block["id"], "content": run_tool(block["name"], block["input"])}
                   for block in blocks if block["type"] == "tool_use"]
        messages.append({"role": "user", "content": results})

    with open(os.path.join(WORKSPACE, "report.md"), encoding="utf-8") as file:
        report = file.read()
    summary = "".join(data["choices"][0]["delta"].get("content") or ""
                      for _, data in stream("/v1/chat/completions",
                                            {"model": "gpt-4.1-mini", "stream": True,
                                             "messages": [{"role": "user", "content": report}]},
                                            {"authorization": "Bearer sk-demo-not-a-real-key"})
                      if data.get("choices"))
    say(f"second model's summary: {summary}")
    # Gemini with the key in the URL, as Google's REST examples do: AgentSight redacts it there too.
    title = "".join(part.get("text", "")
                    for _, data in stream("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=AIzaSy-demo-not-a-real-key",
                                          {"contents": [{"role": "user", "parts": [{"text": "A title for: " + summary}]}]}, {})
                    for candidate in data.get("candidates", [])
                    for part in candidate.get("content", {}).get("parts", []))
    say(f"third model's title: {title}")
    with open(os.path.join(WORKSPACE, "agent.log"), "w", encoding="utf-8") as file:
        file.write(json.dumps(messages, indent=2) + "\n")
    say("done")


if __name__ == "__main__":
    main()

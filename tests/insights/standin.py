"""A local stand-in for the providers' HTTP APIs on loopback: OpenAI chat completions (tool calls) and
Anthropic Messages (tool use), answering from a script. The official SDKs talk to it."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A scripted reply: {"text": "...", "tools": [(name, arguments), ...]} or a callable of the request body
# (the provider's own JSON) returning one; {"status": 500} makes the server fail.
Step = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


class StandIn:
    def __init__(self) -> None:
        self.script: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._calls = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stand_in.requests.append(body)
                stand_in.paths.append(self.path)
                step: Step = stand_in.script.pop(0) if stand_in.script else {"text": "Done."}
                if callable(step):
                    step = step(body)
                if step.get("status"):
                    self._send(step["status"], {"error": {"type": "api_error", "message": "down"}})
                    return
                if self.path.endswith("/messages"):
                    self._send(200, stand_in.anthropic(step))
                elif self.path.endswith("/chat/completions"):
                    self._send(200, stand_in.openai(step))
                else:
                    self._send(404, {"error": {"message": "no such path"}})

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _id(self) -> int:
        self._calls += 1
        return self._calls

    def anthropic(self, step: dict[str, Any]) -> dict[str, Any]:
        content: list[dict[str, Any]] = [{"type": "text", "text": step["text"]}] if step.get("text") else []
        for name, arguments in step.get("tools", []):
            content.append({"type": "tool_use", "id": f"toolu_{self._id()}", "name": name, "input": arguments})
        return {"id": f"msg_{self._id()}", "type": "message", "role": "assistant", "model": "stand-in",
                "content": content, "stop_reason": "tool_use" if step.get("tools") else "end_turn",
                "stop_sequence": None, "usage": {"input_tokens": 11, "output_tokens": 7}}

    def openai(self, step: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": step.get("text") or None}
        if step.get("tools"):
            message["tool_calls"] = [{"id": f"call_{self._id()}", "type": "function",
                                      "function": {"name": name, "arguments": json.dumps(arguments)}}
                                     for name, arguments in step["tools"]]
        return {"id": f"chatcmpl-{self._id()}", "object": "chat.completion", "created": 0, "model": "stand-in",
                "choices": [{"index": 0, "message": message,
                             "finish_reason": "tool_calls" if step.get("tools") else "stop"}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}


def tool_results(body: dict[str, Any]) -> list[Any]:
    """The tool results the SDK sent back in a request, decoded, whichever provider's shape."""
    found = []
    for message in body.get("messages", []):
        if message.get("role") == "tool":
            found.append(json.loads(message["content"]))
        elif isinstance(message.get("content"), list):
            for block in message["content"]:
                if block.get("type") == "tool_result":
                    found.append(json.loads(block["content"]))
    return found

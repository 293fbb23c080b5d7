"""A stub OpenAI-compatible chat server on 127.0.0.1 that real clients (ChatOpenAI) talk to over HTTP."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Any  # str (content), or dict {"status", "body", "headers", "delay", "finish_reason", "content"}


def completion(content: str, finish_reason: str = "stop", model: str = "stub-model") -> dict:
    """A chat.completion body with usage counted as whitespace tokens."""
    return {
        "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": max(1, len(content.split())),
                  "total_tokens": 100 + max(1, len(content.split()))},
    }


def chunk(delta: dict, finish_reason: str | None, model: str) -> dict:
    """One chat.completion.chunk of a streamed reply."""
    return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}


class StubOpenAI:
    """Serves /v1/chat/completions from a queue of replies, then from a responder function."""

    def __init__(self, responder: Callable[[dict], Reply] | None = None):
        self.responder = responder
        self.queue: list[Reply] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> StubOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, request: dict) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.queue:
                return self.queue.pop(0)
        if self.responder is None:
            return {"status": 500, "body": {"error": {"message": "no reply queued"}}}
        return self.responder(request)

    def _handler_class(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the client died mid-request (a killed run): nothing reached the model
                request = json.loads(body or b"{}")
                with stub._lock:
                    stub.headers.append(dict(self.headers))
                reply = stub._next_reply(request)
                if isinstance(reply, str):
                    reply = {"content": reply}
                time.sleep(reply.get("delay", 0))
                status = reply.get("status", 200)
                if status == 200 and request.get("stream") and "body" not in reply:
                    self.stream(reply, request)
                    return
                body = reply.get("body") or completion(reply.get("content", ""), reply.get("finish_reason", "stop"),
                                                       request.get("model", "stub-model"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.get("headers", {}).items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    self.wfile.write(data)

            def stream(self, reply: dict, request: dict) -> None:
                """Answer as server-sent events, a few characters per chunk, then usage and [DONE]."""
                content, model = reply.get("content", ""), request.get("model", "stub-model")
                done = completion(content, reply.get("finish_reason", "stop"), model)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [content[i:i + 16] for i in range(0, len(content), 16)] or [""]
                events = [chunk({"role": "assistant", "content": piece}, None, model) for piece in pieces]
                events.append(chunk({}, done["choices"][0]["finish_reason"], model))
                events.append({**chunk({}, None, model), "choices": [], "usage": done["usage"]})
                pause_after, resume = reply.get("pause_after_chunks"), reply.get("resume")
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for number, event in enumerate(events):
                        if number == pause_after and resume is not None:
                            resume.wait(reply.get("pause_seconds", 20))  # hold the stream open mid-reply
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")

        return Handler


def system_text(request: dict) -> str:
    """The system message of a chat request."""
    return next((m["content"] for m in request["messages"] if m["role"] == "system"), "")


def user_text(request: dict) -> str:
    """The last user message of a chat request."""
    return [m["content"] for m in request["messages"] if m["role"] == "user"][-1]


def first_user_text(request: dict) -> str:
    """The original user message of a chat request (re-asks append more messages after it)."""
    return next(m["content"] for m in request["messages"] if m["role"] == "user")

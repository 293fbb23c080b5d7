"""Child process: llama.cpp's OpenAI-compatible server (from the xllamacpp wheel) on a loopback port.

    python -m llm.llama_server --model FILE.gguf [--port 0] [--ctx 4096] [--threads 1] [--gpu-layers 0]

Prints one JSON line, {"url": ...} or {"error": ...}, once the model is loaded and the server answers. It
exits on SIGTERM or SIGINT, and when its parent dies: its stdin is a pipe from the parent, and end-of-file
on it (the parent closed it, or died) stops the server. A child process, not a thread, because deleting an
in-process server while a request is running deadlocks the interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading


def watch_parent(stop: threading.Event) -> None:
    """Set `stop` when stdin reaches end of file (os.read: a buffered read would abort interpreter exit)."""
    def watch() -> None:
        while os.read(0, 4096):
            pass
        stop.set()

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def start_server(args: argparse.Namespace) -> object:
    """Load the model and start serving; raises when llama.cpp refuses the file or the port."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.port = args.port
    params.hostnames = ["127.0.0.1"]
    params.n_ctx = args.ctx
    params.n_parallel = 1
    params.n_gpu_layers = args.gpu_layers
    params.use_jinja = True
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.verbosity = 0
    return xllamacpp.Server(params)


def main(argv: list[str] | None = None) -> int:
    """Serve until stopped; the first stdout line says where (or why not)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--gpu-layers", type=int, default=0)
    args = parser.parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    watch_parent(stop)
    try:
        server = start_server(args)
    except Exception as exc:  # llama.cpp gives one generic message; its reason went to stderr
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 2
    print(json.dumps({"url": f"{server.listening_address}/v1"}), flush=True)  # type: ignore[attr-defined]
    while not stop.wait(1.0):
        pass
    # Stopping can block while a request is still being answered: give it 3 s, then let SIGALRM end us.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(3)
    del server
    return 0


if __name__ == "__main__":
    sys.exit(main())

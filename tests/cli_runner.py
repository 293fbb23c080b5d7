"""The CLI run inside the test process, the way simonw/llm's tests run theirs through click's CliRunner.

Same parser, composition root, commands and exit code as `python -m pipeline`, without a new interpreter's
start (about 2 CPU-seconds each: importing Chroma and loading the embedding model). What the command writes
is caught as a child's pipes would catch it: Python's streams and the file descriptors C libraries write to,
warnings shown and log records printed as a fresh interpreter does. The process state a command may change
(environment, umask, streams, handlers) is restored afterwards. Tests whose subject is a process (Ctrl-C, a kill
mid-write, what a new process finds on disk, a child's memory, a terminal, the installed command) start one.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from factcheck.cli import add_bench_command
from factcheck.wiring import Engine
from pipeline import cli
from pipeline.config import EmbeddingSettings, Settings

# What a new interpreter ignores by default (no -W options); every other warning is shown once per place.
FRESH_INTERPRETER_IGNORES = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


@contextlib.contextmanager
def environment(environ: dict[str, str]) -> Iterator[None]:
    """Exactly this environment and this process's umask, both restored after."""
    saved_environ, saved_umask = dict(os.environ), os.umask(0o022)
    os.umask(saved_umask)
    os.environ.clear()
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        os.umask(saved_umask)


def _text_stream(fd: int) -> io.TextIOWrapper:
    """A UTF-8 text stream on a copy of fd, written through: each write reaches the file at once, in order with
    what C libraries write to the same fd."""
    return io.TextIOWrapper(os.fdopen(os.dup(fd), "wb"), encoding="utf-8", write_through=True)


@contextlib.contextmanager
def pipes(stdin: str | None) -> Iterator[tuple[BinaryIO, BinaryIO]]:
    """stdin from a string; stdout and stderr, Python's and C libraries', into two temporary files."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        streams = sys.stdin, sys.stdout, sys.stderr
        for stream in streams[1:]:
            stream.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
        sys.stdout, sys.stderr = _text_stream(1), _text_stream(2)
        try:
            yield out, err
        finally:
            for stream in (sys.stdout, sys.stderr):
                stream.close()
            sys.stdin, sys.stdout, sys.stderr = streams
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)


@contextlib.contextmanager
def fresh_interpreter_reporting() -> Iterator[None]:
    """Warnings and log records reach stderr as in a new interpreter (pytest otherwise collects them)."""
    handlers, level = logging.root.handlers[:], logging.root.level
    logging.root.handlers.clear()  # no handler: logging's last resort prints WARNING and above to stderr
    logging.root.setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.resetwarnings()
        for category in FRESH_INTERPRETER_IGNORES:
            warnings.simplefilter("ignore", category)
        warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: sys.stderr.write(
            warnings.formatwarning(message, category, filename, lineno, line))
        try:
            yield
        finally:
            logging.root.handlers[:] = handlers
            logging.root.setLevel(level)


def invoke(args: list[str], environ: dict[str, str], stdin: str | None = None,
           embedder: Any = None) -> subprocess.CompletedProcess:
    """Run one command in this process; the result reads like subprocess.run's (returncode, stdout, stderr).

    With embedder, the default embedding model is that already loaded one (the same model; its load is what
    a new process pays); other embedding settings build their own, as the command would.
    """
    def make_engine(settings: Settings) -> Engine:
        shared = embedder is not None and settings.embedding == EmbeddingSettings()
        return Engine(settings, overrides={"embedder": embedder} if shared else {})

    with environment(environ), pipes(stdin) as (out, err), fresh_interpreter_reporting():
        try:
            code = cli.main([str(a) for a in args], make_engine, add_bench_command)
        except SystemExit as exit_:  # argparse: a usage error (2) or --help (0)
            code = exit_.code if isinstance(exit_.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = (_as_text(pipe) for pipe in (out, err))
    return subprocess.CompletedProcess(args, code, stdout, stderr)


def _as_text(pipe: BinaryIO) -> str:
    """What was written, read as subprocess.run(text=True) reads a pipe (UTF-8 here, universal newlines)."""
    pipe.seek(0)
    return pipe.read().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def cli_environ(data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without FACTCHECK_ and OPENAI_ settings, plus the data dir and extra."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("FACTCHECK_", "OPENAI_"))}
    if data_dir is not None:
        environ["FACTCHECK_DATA_DIR"] = str(data_dir)
    return {**environ, **extra}

"""Admin commands of the command line: backup DIR and restore DIR (see pipeline/backup.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from pipeline.backup import BackupReport, backup, restore
from pipeline.cli_progress import StageProgress
from pipeline.engine import Engine

EXIT_OK = 0


def _run(stage: str, action: Callable[..., BackupReport], engine: Engine, folder: str) -> BackupReport:
    """Run a backup or restore with a progress line."""
    progress = StageProgress()
    try:
        return action(engine.settings, Path(folder), lambda done, total, name: progress.show(stage, done, total,
                                                                                             name))
    finally:
        progress.close()


def cmd_backup(args: argparse.Namespace, engine: Engine) -> int:
    """Write a consistent snapshot of the data dir to a new or empty folder."""
    report = _run("backup", backup, engine, args.dir)
    print(report.summary("Backed up", f"to {args.dir}"))
    for note in report.notes:
        print(f"note: {note}.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, engine: Engine) -> int:
    """Bring a backup back into an empty or new data dir (stop the app first)."""
    report = _run("restore", restore, engine, args.dir)
    print(report.summary("Restored", f"into {engine.settings.data_dir}"))
    return EXIT_OK


def add_admin_commands(sub: argparse._SubParsersAction) -> None:
    """`backup DIR` and `restore DIR`."""
    p = sub.add_parser("backup", help="write a consistent snapshot of the data dir (reviews, runs, caches, store)")
    p.add_argument("dir", help="a new or empty folder outside the data dir")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into an empty or new data dir (stop the app first)")
    p.add_argument("dir", help="a folder written by `backup`")
    p.set_defaults(func=cmd_restore)

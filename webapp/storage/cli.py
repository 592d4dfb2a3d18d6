"""``flask storage backup FOLDER`` / ``flask storage restore FOLDER``: copy every stored object (photos,
thumbnails, exports) between the configured storage and a folder, whichever kind it is.

Incremental both ways: an object already there with the same size is skipped (photos are named by
their content and never change; an export is written once). See deploy/README.md."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import storage
from .local import LocalStorage

cli = AppGroup("storage", help="文件存储：备份与恢复")


def copy(source, target, prefix: str = "") -> tuple[int, int, int]:
    """(copied, skipped, bytes copied) from ``source`` to ``target``."""
    present = dict(target.keys(prefix))
    copied = skipped = size = 0
    for key, length in source.keys(prefix):
        if present.get(key) == length:
            skipped += 1
            continue
        stored = source.open(key)
        if stored.path is not None:
            stored.body.close()
            target.put_file(key, stored.path, stored.content_type or "application/octet-stream")
        else:
            target.put(key, stored.read(), stored.content_type or "application/octet-stream")
        copied, size = copied + 1, size + length
    return copied, skipped, size


def _report(action: str, started: float, counts: tuple[int, int, int]) -> None:
    copied, skipped, size = counts
    click.echo(f"{action}：复制 {copied} 个对象（{size / 1e6:.1f} MB），跳过已有 {skipped} 个，"
               f"用时 {time.monotonic() - started:.1f} 秒")


@cli.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--prefix", default="", help="只复制此前缀下的对象，如 photos/")
def backup(folder: Path, prefix: str):
    """把存储中的全部文件复制到 FOLDER。"""
    started = time.monotonic()
    current_app.logger.info("storage backup from %s to %s", storage().describe(), folder)
    _report("备份", started, copy(storage(), LocalStorage(folder), prefix))


@cli.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--prefix", default="", help="只恢复此前缀下的对象，如 photos/")
def restore(folder: Path, prefix: str):
    """把 FOLDER 中备份的文件复制回存储。"""
    started = time.monotonic()
    current_app.logger.info("storage restore from %s to %s", folder, storage().describe())
    _report("恢复", started, copy(LocalStorage(folder), storage(), prefix))

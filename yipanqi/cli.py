"""The ``yipanqi`` command: the scriptable face of the product.

Each command group lives in its own module and registers itself on the root app.

Every failure of every command ends in **one line** on standard error and a non-zero exit
status, never a traceback. The root group (``_Root``) is the one place where an exception
becomes that line (``answer``); commands raise and do not print their errors:

- an error of the product's own (a class defined in one of its packages: ``etl.errors``,
  ``geodata.errors``, ``access.errors``, ``planning.errors``, ``yipanqi.options.CommandError``,
  ``yipanqi.settings.SettingsError`` ...) already says what was wrong, where (the file, row,
  column or setting) and what to do: its message, exit status 2;
- a mistyped command line: click's message and the command's ``--help``, exit status 2;
- a full disk, a file that cannot be opened or written, a store that cannot be reached or read,
  and any other failure: what happened, where, and what to do, exit status 1;
- an interrupt (Ctrl-C): exit status 130.

``yipanqi --debug COMMAND`` (or ``YIPANQI_DEBUG=1``) prints the traceback before that line.
Library messages may quote values read from an input, so they are never shown as they are: only
their kind and the place in the code (``etl.redact``); product messages never quote a value.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperGroup

from yipanqi import (
    alerts_cli,
    assessment_cli,
    audit_cli,
    etl_cli,
    evaluate_cli,
    export_cli,
    feeds_cli,
    generate_cli,
    geodata_cli,
    scenario_cli,
    serve_cli,
    store_cli,
    story_cli,
    users_cli,
)
from yipanqi.options import DATA_DIR_META, STORE_META, err
from yipanqi.settings import install_targets

if TYPE_CHECKING:
    from typer._click.core import Context  # typer vendors click: the context of its commands

_ = export_cli  # adds `export flows|coverage|map|layer` to etl_cli.export_app on import

PRODUCT_PACKAGES = ("access", "dashboard", "etl", "geodata", "planning", "synthetic", "yipanqi")
"""An exception class defined in one of these packages is one of the product's errors: its
message is written for the user (what, where, what to do) and holds no value read from an input."""

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_DISK_FULL_TEXT = ("no space left on device", "database or disk is full", "disk quota exceeded")


class _Root(TyperGroup):
    """The root group: parses the command line and runs the command, and turns whatever they
    raise into one line and an exit status (see the module docstring)."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        with _answered(ctx):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: Context) -> Any:  # noqa: ANN401 - click's signature
        with _answered(ctx):
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Root,
    help="一盘棋 Yipanqi: floating-population flows and service coverage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root_options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar="YIPANQI_DEBUG",
            help="On an error, print the traceback before the one-line answer.",
        ),
    ] = False,
) -> None:
    """一盘棋 Yipanqi: floating-population flows and service coverage."""
    install_targets(os.environ)


geodata_cli.register(app)
etl_cli.register(app)
generate_cli.register(app)
scenario_cli.register(app)
evaluate_cli.register(app)
story_cli.register(app)
users_cli.register(app)
audit_cli.register(app)
alerts_cli.register(app)
assessment_cli.register(app)
serve_cli.register(app)
store_cli.register(app)
feeds_cli.register(app)


def main() -> None:
    """The ``yipanqi`` command (``python -m yipanqi``)."""
    sys.unraisablehook = _unraisable
    app()


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An error Python can only report, such as a file failing to close when collected after the
    command's own error (a full disk): shown with ``--debug`` only, so the answer stays one line."""
    if os.environ.get("YIPANQI_DEBUG", "").strip().lower() in ("1", "true", "yes") or (
        "--debug" in sys.argv
    ):
        sys.__unraisablehook__(unraisable)


@contextmanager
def _answered(ctx: Context) -> Iterator[None]:
    """Run the body; an exception becomes one line on stderr and ``typer.Exit(status)``."""
    try:
        yield
    except (typer.Exit, typer.Abort, SystemExit):
        raise  # an exit status chosen, an abort the root reports ("Aborted.")
    except BrokenPipeError:
        raise  # output piped into a command that stopped reading (| head): typer exits quietly
    except typer.TyperException as exc:  # click's usage errors (typer vendors click)
        if type(exc).__name__ == "NoArgsIsHelpError":
            raise  # a group without its command: typer prints the help
        say(usage_line(exc))
        raise typer.Exit(getattr(exc, "exit_code", 2)) from None
    except BaseException as exc:  # noqa: BLE001 - every failure gets its one line
        status, line = answer(exc, ctx.meta)
        if _debug(ctx):
            traceback.print_exception(exc, file=sys.stderr)
        say(line)
        raise typer.Exit(status) from None


def say(line: str) -> None:
    """Print ``error: line`` to stderr as one line (never wrapped, no markup read from it)."""
    err.print(Text.assemble(("error:", "red"), " ", one_line(line)), soft_wrap=True)


def one_line(text: str) -> str:
    """``text`` on one line: its lines joined, control characters (from a file name) shown as ?."""
    parts = [part.strip() for part in text.splitlines() if part.strip()]
    joined = ""
    for part in parts:
        joined += part if not joined else (" " if joined.endswith(":") else "; ") + part
    return "".join(c if c.isprintable() else "?" for c in joined) or "failed"


def usage_line(exc: typer.TyperException) -> str:
    """A mistyped command line: click's message and where to read the usage."""
    command = getattr(getattr(exc, "ctx", None), "command_path", "") or "yipanqi"
    return f"{exc.format_message()} (see: {command} --help)"


def answer(exc: BaseException, meta: Mapping[str, Any]) -> tuple[int, str]:
    """The exit status and the line (after ``error:``) that answer ``exc``; ``meta``: the
    click context's meta, holding the ``--store`` and ``--data-dir`` the command was given."""
    if _disk_full(exc):
        where = _filename(exc)
        said = f"{exc}: " if is_product_error(exc) else ""
        return 1, (
            f"{said}the disk is full{f' (writing {where})' if where else ''}: free space on the "
            f"disk of {_places(meta)}, then run the command again"
        )
    if is_product_error(exc):
        return 2, str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return 130, "interrupted: the command stopped where it was (an ingest keeps nothing of it)"
    if isinstance(exc, MemoryError):
        return 1, "out of memory: close other programs, or give the command smaller inputs"
    if isinstance(exc, OSError) and exc.errno is not None:
        return 1, _os_line(exc)
    if _store_failure(exc):
        return 1, (
            f"the store {_store(meta)} failed: {_library_reason(exc)}: check the store URL "
            "(--store or YIPANQI_STORE_URL), that its database server is running and reachable, "
            "and that the file is a Yipanqi store (restore its last backup if it is damaged)"
        )
    from etl.redact import failure_message

    return 1, (
        f"unexpected {failure_message(exc)}: run the command again with --debug "
        "(yipanqi --debug ...) to see the traceback, and report it"
    )


def is_product_error(exc: BaseException) -> bool:
    """Whether ``exc`` is of a class defined in the product's packages (``PRODUCT_PACKAGES``)."""
    return any(
        cls.__module__.split(".")[0] in PRODUCT_PACKAGES
        for cls in type(exc).__mro__
        if issubclass(cls, Exception)
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, what it was raised from or during, and a driver's error inside SQLAlchemy's."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        orig = getattr(item, "orig", None)
        todo += [item.__cause__, item.__context__, orig if isinstance(orig, BaseException) else None]


def _disk_full(exc: BaseException) -> bool:
    for item in _chain(exc):
        if isinstance(item, OSError) and item.errno in _DISK_FULL:
            return True
        text = str(item).lower()
        if any(phrase in text for phrase in _DISK_FULL_TEXT) or "[errno 28]" in text:
            return True
    return False


def _filename(exc: BaseException) -> str:
    for item in _chain(exc):
        if isinstance(item, OSError) and item.filename:
            return os.fsdecode(item.filename)
    return ""


def _os_line(exc: OSError) -> str:
    """A file that cannot be opened, read or written: which, why and what to do."""
    name = os.fsdecode(exc.filename) if exc.filename else ""
    what = {
        errno.ENOENT: "no such file or directory: check the path",
        errno.EACCES: "permission denied: check the file's and its folder's permissions "
        "(or run as the service user)",
        errno.EPERM: "operation not permitted: check the file's and its folder's permissions",
        errno.EROFS: "the file system is read-only: write somewhere else",
        errno.EISDIR: "a directory, not a file: give a file",
        errno.ENOTDIR: "a part of the path is not a directory: check the path",
        errno.EEXIST: "a file is in the way of a folder the command makes: check the path",
        errno.EMFILE: "too many open files: raise the limit (ulimit -n) or close other programs",
    }.get(exc.errno or 0)
    if what is None:
        what = f"{exc.strerror or type(exc).__name__}: check the file and the disk"
    if name:
        return f"{name}: {what}"
    from etl.redact import raised_at

    return f"{what} (at {raised_at(exc)})"


def _store_failure(exc: BaseException) -> bool:
    import sqlite3

    try:
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - a dependency
        return isinstance(exc, sqlite3.Error)
    return isinstance(exc, SQLAlchemyError | sqlite3.Error)


def _library_reason(exc: BaseException) -> str:
    from etl.redact import library_reason

    return library_reason(exc)


def _store(meta: Mapping[str, Any]) -> str:
    url = meta.get(STORE_META)
    if not url:
        try:
            from yipanqi.settings import load_settings

            url = load_settings().store_url
        except Exception:  # noqa: BLE001 - the settings' own error is another answer
            return "(--store or YIPANQI_STORE_URL)"
    from etl.store.schema import mask

    return mask(str(url))


def _places(meta: Mapping[str, Any]) -> str:
    """The data directory and the store of the command (given, or from the settings)."""
    data_dir = meta.get(DATA_DIR_META)
    if not data_dir:
        try:
            from yipanqi.settings import load_settings

            data_dir = load_settings().data_dir
        except Exception:  # noqa: BLE001
            data_dir = "YIPANQI_DATA_DIR"
    return f"the data directory {data_dir} and the store {_store(meta)}"


def _debug(ctx: Context) -> bool:
    if ctx.params.get("debug"):
        return True
    return os.environ.get("YIPANQI_DEBUG", "").strip().lower() in ("1", "true", "yes")

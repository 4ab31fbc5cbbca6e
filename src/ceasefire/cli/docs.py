"""`ceasefire docs`: the CLI and settings references in docs/, generated from the code and checked."""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import typer
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from typer.main import get_command

from ceasefire.cli.context import console, fail
from ceasefire.settings import Settings

app = typer.Typer(help="Generate and check the reference documentation.", no_args_is_help=True)

PROGRAM = "ceasefire"
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
GENERATED = "Generated from the code by `ceasefire docs generate`; do not edit by hand."
_TYPE_NAMES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Path: "path",
    SecretStr: "secret string",
}


@dataclass(frozen=True)
class CommandDoc:
    """One command of the tree: its full path, the click command and the context to describe it in."""

    path: str
    command: Any
    context: typer.Context


def walk_commands(root_app: typer.Typer | None = None) -> Iterator[CommandDoc]:
    """Every visible command of the CLI, parents before children, in the order of `--help`."""
    if root_app is None:
        from ceasefire.cli.main import app as main_app

        root_app = main_app
    root = get_command(root_app)
    yield from _walk(root, typer.Context(root, info_name=PROGRAM))


def _walk(command: Any, context: typer.Context) -> Iterator[CommandDoc]:
    yield CommandDoc(context.command_path, command, context)
    if not hasattr(command, "list_commands"):
        return
    for name in command.list_commands(context):
        child = command.get_command(context, name)
        if child is not None and not child.hidden:
            yield from _walk(child, typer.Context(child, info_name=name, parent=context))


def _prose(text: str) -> str:
    """Help text as Markdown prose (`<word` would otherwise read as an HTML tag)."""
    return _HTML_START.sub(r"\\<", text.strip())


def _params(doc: CommandDoc, kind: str) -> list[tuple[str, str]]:
    """(name, help) of the command's visible parameters of one kind (argument or option)."""
    records = []
    for param in doc.command.get_params(doc.context):
        record = param.get_help_record(doc.context) if param.param_type_name == kind else None
        if record is not None:
            records.append(record)
    return records


def _render_command(doc: CommandDoc) -> list[str]:
    usage = " ".join([doc.path, *doc.command.collect_usage_pieces(doc.context)])
    lines = [f"## `{doc.path}`", "", _prose(doc.command.help or ""), "", "```", usage, "```", ""]
    for title, kind in (("Arguments", "argument"), ("Options", "option")):
        records = _params(doc, kind)
        if records:
            lines += [f"{title}:", ""]
            lines += [f"- `{name}`: {_prose(text)}" if text else f"- `{name}`" for name, text in records]
            lines.append("")
    if hasattr(doc.command, "list_commands"):
        children = [doc.command.get_command(doc.context, n) for n in doc.command.list_commands(doc.context)]
        visible = [c for c in children if c is not None and not c.hidden]
        if visible:
            lines += ["Commands:", ""]
            lines += [f"- `{c.name}`: {_prose(c.get_short_help_str(limit=200))}" for c in visible]
            lines.append("")
    return lines


def render_cli_reference(root_app: typer.Typer | None = None) -> str:
    """docs/cli.md: usage, arguments, options and subcommands of every command."""
    lines = ["# Command-line reference", "", GENERATED, ""]
    for doc in walk_commands(root_app):
        lines += _render_command(doc)
    return "\n".join(lines).rstrip() + "\n"


def _type_name(annotation: Any) -> str:
    """A reader's name for a field type: `integer`, `path, optional`, `one of: a, b`."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return f"{' or '.join(_type_name(a) for a in rest)}, optional"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of: " + ", ".join(str(member.value) for member in annotation)
    return _TYPE_NAMES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(field: FieldInfo) -> str:
    """The default as a reader would type it; computed defaults are described, not evaluated."""
    if field.default_factory is not None:
        summary = (field.default_factory.__doc__ or "computed at start-up").strip().splitlines()[0]
        return summary.rstrip(".")
    value = field.get_default()
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    return f"`{value}`"


def _bounds(field: FieldInfo) -> str:
    """Numeric bounds declared on the field, e.g. ` (1 to 65535)`."""
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    if low is None and high is None:
        return ""
    if high is None:
        return f", at least {low}"
    if low is None:
        return f", at most {high}"
    return f", {low} to {high}"


def env_var(name: str) -> str:
    """The environment variable that sets a settings field."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return f"{prefix}{name}".upper()


def render_settings_reference() -> str:
    """docs/settings.md: every setting with its variable, type, default and description."""
    lines = [
        "# Settings reference",
        "",
        GENERATED,
        "",
        "Settings are read once, when the server or a command starts, from environment variables",
        "and from a `.env` file in the working directory (the environment wins). Booleans accept",
        "`true`/`false`/`1`/`0`.",
        "",
        "| Variable | Type | Default | Description |",
        "| --- | --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        kind = _type_name(field.annotation) + _bounds(field)
        description = _prose(field.description or "").replace("|", "\\|")
        lines.append(f"| `{env_var(name)}` | {kind} | {_default(field)} | {description} |")
    return "\n".join(lines) + "\n"


def references() -> dict[str, str]:
    """File name in docs/ -> its generated content."""
    return {"cli.md": render_cli_reference(), "settings.md": render_settings_reference()}


def stale_references(docs_dir: Path) -> list[str]:
    """Names of the generated files in docs_dir that are missing or differ from the code."""
    stale = []
    for name, content in references().items():
        path = docs_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(name)
    return stale


@app.command()
def generate(
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 when a generated file is missing or stale."
    ),
    docs_dir: Path = typer.Option(
        Path("docs"), help="The documentation folder of the repository (run from its root)."
    ),
) -> None:
    """Write docs/cli.md and docs/settings.md from the code, or check that they are current."""
    if not docs_dir.is_dir():
        raise fail(f"{docs_dir} is not a directory: run from the repository root or pass --docs-dir")
    if check:
        stale = stale_references(docs_dir)
        if stale:
            names = ", ".join(str(docs_dir / name) for name in stale)
            raise fail(f"out of date: {names}; run `ceasefire docs generate`")
        console.print("[green]reference docs are current[/]")
        return
    for name, content in references().items():
        (docs_dir / name).write_text(content, encoding="utf-8")
        console.print(f"wrote {docs_dir / name}")

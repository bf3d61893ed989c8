"""Every word the bot says: Jinja2 templates, button labels, command descriptions, flows.

Templates render HTML for Telegram's HTML parse mode with autoescaping on, so
whatever a person typed is shown back exactly as typed. ``StrictUndefined``
turns a missing variable into an error in the tests rather than a blank.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"


@cache
def _html() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates do not change while the bot runs: skip a stat() per render.
        auto_reload=False,
    )


@cache
def _plain() -> Environment:
    return Environment(autoescape=False, undefined=StrictUndefined)


# libyaml's loader when PyYAML has it (the wheels do): the flows are read at every start,
# and the pure-Python loader took about a fifth of the start-up (bench/startup.py).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LOADER)


@cache
def _data(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = _load_yaml(HERE / name)
    return loaded


def render(template: str, /, **values: Any) -> str:
    """Render ``templates/<name>.html.j2`` to Telegram HTML."""
    text = _html().get_template(f"{template}.html.j2").render(**values)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def render_text(source: str, /, **values: Any) -> str:
    """Render a template written inline in a flow definition (same rules as files)."""
    return _inline(source).render(**values).strip()


@cache
def _inline(source: str) -> Any:
    return _html().from_string(source)


def flow_sources() -> list[dict[str, Any]]:
    """Every flow definition in ``flows/*.yaml``, as plain data, by file name."""
    return [_load_yaml(path) for path in sorted((HERE / "flows").glob("*.yaml"))]


def template_exists(name: str) -> bool:
    """Whether ``templates/<name>.html.j2`` exists."""
    return (TEMPLATES / f"{name}.html.j2").is_file()


def label(key: str, **values: Any) -> str:
    """A button label from ``labels.yaml`` (plain text; Telegram does not parse labels)."""
    return _label(key).render(**values)


@cache
def _label(key: str) -> Any:
    return _plain().from_string(_data("labels.yaml")[key])


def command_menu(role: str) -> list[tuple[str, str]]:
    """The (command, description) pairs shown in Telegram's menu for a role, or "default"."""
    return [(entry["command"], entry["description"]) for entry in _data("commands.yaml")[role]]


def known_commands() -> set[str]:
    """Every command in any menu (for recognising ours in a group)."""
    return {entry["command"] for menu in _data("commands.yaml").values() for entry in menu}

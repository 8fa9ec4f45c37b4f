"""Find the project (the folder with ``mkdocs.yml``) and read carepress's settings.

``carepress`` runs without MkDocs, so it reads ``mkdocs.yml`` itself: the
docs folder, the site URL and language, and the carepress plugins' options.
Tags that MkDocs configs use (``!!python/name:``, ``!ENV``, ``!relative``)
are read as plain values; nothing in the config is executed.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


class ProjectError(Exception):
    """The project cannot be found or its mkdocs.yml cannot be read (exit 2)."""


class _ConfigLoader(yaml.SafeLoader):
    """SafeLoader that reads any tag as the plain value under it."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_ConfigLoader.add_multi_constructor("!", _any_tag)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


@dataclass(frozen=True)
class Project:
    root: Path
    config_file: Path
    docs_dir: Path
    policy_dir: Path
    social_dir: Path
    site_url: str
    lang: str
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rel(self, path: Path) -> str:
        """A path as authors see it: relative to the project root."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def find_config(start: Path) -> Path:
    here = start.resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    raise ProjectError(
        f"No mkdocs.yml found in {start} or any folder above it. "
        "Run carepress inside a carepress site, or pass --config."
    )


def _plugins(raw: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    items = raw.items() if isinstance(raw, dict) else (raw or [])
    for item in items:
        if isinstance(item, tuple):
            name, options = item
        elif isinstance(item, str):
            name, options = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, options = next(iter(item.items()))
        else:
            continue
        out[str(name)] = options if isinstance(options, dict) else {}
    return out


def load_project(start: Path | None = None, config_file: Path | None = None) -> Project:
    config = config_file.resolve() if config_file else find_config(start or Path.cwd())
    try:
        raw = yaml.load(config.read_text(encoding="utf-8-sig"), Loader=_ConfigLoader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ProjectError(f"{config}: cannot be read as YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ProjectError(f"{config}: is not a mapping of settings.")
    root = config.parent
    plugins = _plugins(raw.get("plugins"))
    options: dict[str, Any] = {}
    for name in ("carepress/compliance", "carepress/schema", "carepress/social"):
        options.update(plugins.get(name, {}))
    theme = raw.get("theme") if isinstance(raw.get("theme"), dict) else {}
    lang = str(theme.get("language") or "en")
    return Project(
        root=root,
        config_file=config,
        docs_dir=(root / str(raw.get("docs_dir", "docs"))).resolve(),
        policy_dir=(root / str(options.get("policy_dir", "policy"))).resolve(),
        social_dir=(root / str(options.get("social_dir", "social"))).resolve(),
        site_url=str(raw.get("site_url") or ""),
        lang=lang,
        plugins=plugins,
    )


def build_date_from_env() -> str | None:
    """The build date from SOURCE_DATE_EPOCH, as an ISO date (UTC), if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    except (ValueError, OverflowError, OSError):
        raise ProjectError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp in seconds."
        ) from None


def build_day(value: str | None, name: str) -> dt.date:
    """The build date: ``value`` (YYYY-MM-DD, given as ``name``), else
    SOURCE_DATE_EPOCH, else the clock."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ProjectError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD.") from None
    from_env = build_date_from_env()
    return dt.date.fromisoformat(from_env) if from_env else dt.date.today()


def build_instant(today: dt.date) -> dt.datetime:
    """The build's moment: SOURCE_DATE_EPOCH when set (reproducible builds),
    else now, or noon UTC when the build date is not today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    now = dt.datetime.now(dt.timezone.utc)
    if now.date() == today:
        return now
    return dt.datetime.combine(today, dt.time(12), tzinfo=dt.timezone.utc)

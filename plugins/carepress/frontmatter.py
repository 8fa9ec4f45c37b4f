"""Read a page: its YAML front matter (with line numbers) and its Markdown body.

MkDocs swallows front-matter YAML errors and renders the raw text as the
page, so carepress reads front matter itself, strictly:

* safe tags only (``!!python/object`` and every custom tag is an error);
* a bound on aliases, nodes and depth (a "billion laughs" file fails fast);
* real dates (``2026-02-30`` is an error), kept as ISO text so JSON Schema
  checks the same thing the author wrote;
* duplicate keys are an error, not last-one-wins;
* UTF-8 with or without a BOM, LF or CRLF line ends.

PyYAML composes the node tree (its C composer where installed: about eight
times faster than the pure-Python one) and every node carries its line and
column; the walk below turns nodes into Python values and records where each
value came from, so that every later finding can name path:line:column.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import Document, Finding, Severity, Span

try:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader: type = yaml.CSafeLoader
    _C_LOADER = True
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader
    _C_LOADER = False
_new_tuple = tuple.__new__
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")

_PLAIN_TAGS: dict[str, str] = {}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader with a memo of plain-scalar tags.

    Even the C composer calls back into Python to tag every scalar, trying
    each implicit resolver's pattern in turn. With no path resolvers (the
    safe loader has none), a plain scalar's tag depends only on its text, and
    front matter repeats the same short texts on every page (field values,
    dates, ids), so the answer is kept once per process."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR  # quoted: always text
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64 and len(_PLAIN_TAGS) < 50_000:
                    _PLAIN_TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_ALIASES = 64
MAX_NODES = 50_000
MAX_DEPTH = 40

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_STR = "tag:yaml.org,2002:str"
_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


class _Stop(Exception):
    """Raised inside the walk when the front matter cannot be read further."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


@dataclass
class _Walk:
    rel_path: str
    line_offset: int
    loader: Any
    nodes: int = 0
    aliases: int = 0
    seen: set[int] = field(default_factory=set)
    spans: dict[tuple[Any, ...], Span] = field(default_factory=dict)
    key_spans: dict[tuple[Any, ...], Span] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # Where each line starts, when the text holds a character YAML 1.1 counts
    # as a line break and editors do not (U+0085, U+2028, U+2029): then
    # positions come from the character index, not YAML's line count.
    line_starts: list[int] | None = None
    aliases_possible: bool = True  # False when the text has no '*' (no alias to count)

    def span(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        if self.line_starts is not None:
            return Span(*self._place(start.index), *self._place(end.index))
        offset = self.line_offset + 1
        # tuple.__new__ directly: the named tuple's own __new__ is a Python
        # call, and a page has hundreds of positions.
        return _new_tuple(Span, (start.line + offset, start.column + 1, end.line + offset, end.column + 1))

    def plain_text(self, node: yaml.Node, depth: int) -> bool:
        """A text scalar one level below ``depth`` that _walk would accept as
        it is (counted here): within the limits, and no alias in the file."""
        if type(node) is yaml.ScalarNode and node.tag == _STR and not self.aliases_possible \
                and depth < MAX_DEPTH and self.nodes < MAX_NODES:
            self.nodes += 1
            return True
        return False

    def _place(self, index: int) -> tuple[int, int]:
        assert self.line_starts is not None
        row = bisect.bisect_right(self.line_starts, index) - 1
        return row + 1 + self.line_offset, index - self.line_starts[row] + 1

    def error(self, rule: str, node: yaml.Node | None, message: str, hint: str) -> Finding:
        span = self.span(node) if node is not None else Span(1 + self.line_offset, 1, 0, 0)
        return Finding.at(rule, self.rel_path, span, message, hint)


def field_name(path: tuple[Any, ...]) -> str:
    """``("citations", 2, "DOI")`` -> ``citations[2].DOI`` (what authors see)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "front matter"


def _walk(node: yaml.Node, path: tuple[Any, ...], state: _Walk, depth: int) -> Any:
    state.nodes += 1
    if state.nodes > MAX_NODES:
        raise _Stop(
            state.error(
                "frontmatter.limits",
                node,
                f"Front matter has more than {MAX_NODES} values.",
                "Keep front matter to the page's metadata; move long content into the body.",
            )
        )
    if depth > MAX_DEPTH:
        raise _Stop(
            state.error(
                "frontmatter.limits",
                node,
                f"Front matter nests deeper than {MAX_DEPTH} levels at '{field_name(path)}'.",
                "Flatten the value; no carepress field nests this deep.",
            )
        )
    if id(node) in state.seen:
        state.aliases += 1
        if state.aliases > MAX_ALIASES:
            raise _Stop(
                state.error(
                    "frontmatter.limits",
                    node,
                    f"Front matter uses more than {MAX_ALIASES} YAML aliases.",
                    "Write the values out instead of repeating anchors (*alias).",
                )
            )
    state.seen.add(id(node))
    state.spans[path] = state.span(node)
    if node.tag not in _SAFE_TAGS:
        raise _Stop(
            state.error(
                "frontmatter.yaml",
                node,
                f"'{field_name(path)}' uses the YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}', which carepress does not accept.",
                "Remove the tag: front matter holds plain text, numbers, dates, lists and mappings.",
            )
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Stop(
                    state.error(
                        "frontmatter.yaml",
                        key_node,
                        f"A key in '{field_name(path)}' is a list or mapping, not a name.",
                        "Write keys as plain names such as 'title:'.",
                    )
                )
            key = str(key_node.value)
            key_path = path + (key,)
            if key in result:
                first = state.key_spans[key_path]
                state.findings.append(
                    state.error(
                        "frontmatter.duplicate-key",
                        key_node,
                        f"'{field_name(key_path)}' is given twice (first on line {first.line}).",
                        "Keep one of the two; YAML would silently use the last one.",
                    )
                )
                continue
            state.key_spans[key_path] = state.span(key_node)
            if state.plain_text(value_node, depth):
                # Most values: text, placed and counted as _walk would, without the call.
                state.spans[key_path] = state.span(value_node)
                result[key] = value_node.value
            else:
                result[key] = _walk(value_node, key_path, state, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        for i, item in enumerate(node.value):
            if state.plain_text(item, depth):
                state.spans[path + (i,)] = state.span(item)
                items.append(item.value)
            else:
                items.append(_walk(item, path + (i,), state, depth + 1))
        return items
    if node.tag == _STR:
        return node.value  # most values: no need for the constructor's machinery
    key = (node.tag, node.value)
    known = _SCALARS.get(key, _SCALARS)
    if known is not _SCALARS:
        return known
    value = _construct(node, path, state)
    if len(_SCALARS) < 50_000:
        _SCALARS[key] = value
    return value


# Plain scalars that are not text (dates, numbers, booleans, null), by tag and
# text: front matter repeats the same dates and numbers on every page, and
# each value is immutable (a date is kept as its ISO text).
_SCALARS: dict[tuple[str, str], Any] = {}


def forget() -> None:
    """Let go of the scalars kept so far (a process that reads no more pages)."""
    _SCALARS.clear()


def _construct(node: yaml.Node, path: tuple[Any, ...], state: _Walk) -> Any:
    try:
        value = state.loader.construct_object(node)
    except (ValueError, yaml.YAMLError) as exc:
        if node.tag.endswith(":timestamp"):
            # Not a real date (2026-02-30): keep the text, and let the schema's
            # date format say so on the field that expects a date.
            return str(node.value)
        raise _Stop(
            state.error(
                "frontmatter.yaml",
                node,
                f"'{field_name(path)}' cannot be read: {exc}.",
                "Quote the value if it is meant as text.",
            )
        ) from None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Parsed:
    """The result of reading one file: a Document when it could be read."""

    document: Document | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class LoadedYaml:
    """YAML read with the position of every value and key."""

    data: Any
    spans: dict[tuple[Any, ...], Span]
    key_spans: dict[tuple[Any, ...], Span]
    findings: tuple[Finding, ...]
    failed: bool


_FLOW_OPEN = re.compile(r"[\[{]")


_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:[-?:][ \t]+)+", re.M)


_OPENS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
          yaml.FlowSequenceStartToken)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _too_deep_at(text: str) -> int:
    """Where collections first nest deeper than MAX_DEPTH (-1 if nowhere).

    PyYAML's C composer recurses once per level and would overflow the C
    stack before any Python-level limit could stop it, so depth is measured
    before composing. A cheap count first: flow nesting needs a '[' or '{'
    per level, compact block nesting ('- - - x', '? ? x') an indicator per
    level at the start of a line. Only text that could be that deep is read
    token by token with libyaml's scanner, which keeps no recursion (so any
    depth is safe) and knows quoted strings, block scalars and comments,
    where brackets are only text."""
    block = any(
        sum(m.group(0).count(c) for c in "-?:") > MAX_DEPTH for m in _BLOCK_PREFIX.finditer(text)
    )
    if not block and len(_FLOW_OPEN.findall(text)) <= MAX_DEPTH:
        return -1
    depth = 0
    scanner = _BaseLoader(text)
    try:
        while (token := scanner.get_token()) is not None:
            if isinstance(token, _OPENS):
                depth += 1
                # The root mapping is a level of tokens but not of values.
                if depth > MAX_DEPTH + 1:
                    return token.start_mark.index
            elif isinstance(token, _CLOSES):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if mark is not None and "nesting depth" in (exc.problem or ""):
            # libyaml (PyYAML 6.0.4 on) stops at its own bound, far deeper than
            # ours, and reads ahead of the tokens it returns: too deep here too.
            start = 0
            for _ in range(mark.line):
                start = text.index("\n", start) + 1
            return start + mark.column
        return -1  # composing stops at the same place, no deeper than counted here
    except yaml.YAMLError:
        return -1
    finally:
        scanner.dispose()
    return -1


def read_yaml(text: str, rel_path: str, line_offset: int = 0) -> LoadedYaml:
    """Read YAML strictly; ``line_offset`` is the file line before ``text`` starts."""
    deep = _too_deep_at(text)
    if deep >= 0:
        line = text.count("\n", 0, deep) + 1 + line_offset
        finding = Finding(
            "frontmatter.limits", Severity.ERROR, rel_path, line, deep - text.rfind("\n", 0, deep),
            message=f"The YAML nests lists or mappings deeper than {MAX_DEPTH} levels.",
            hint="Flatten the value; no carepress field nests this deep.",
        )
        return LoadedYaml(None, {}, {}, (finding,), True)
    loader = _Loader(text)
    state = _Walk(rel_path, line_offset, loader, aliases_possible="*" in text)
    if _YAML_ONLY_BREAKS.search(text):
        state.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    try:
        try:
            node = loader.get_single_node()
        except yaml.reader.ReaderError as exc:
            # A character YAML does not allow in a file; libyaml counts its
            # position in UTF-8 bytes, PyYAML's own reader in characters.
            before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore") if _C_LOADER else text[: exc.position]
            line = before.count("\n") + 1 + line_offset
            character = exc.character if isinstance(exc.character, int) else ord(exc.character)
            raise _Stop(
                Finding(
                    "frontmatter.yaml", Severity.ERROR, rel_path, line, len(before) - before.rfind("\n"),
                    message=f"The front matter contains the control character U+{character:04X}, which YAML does not allow.",
                    hint="Delete it or retype the text around it; it usually comes from copying from another program.",
                )
            ) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line + 1 + line_offset) if mark else 1
            column = (mark.column + 1) if mark else 1
            if mark is not None and state.line_starts is not None:
                line, column = state._place(mark.index)
            problem = exc.problem or exc.context or "invalid YAML"
            raise _Stop(
                Finding(
                    "frontmatter.yaml",
                    Severity.ERROR,
                    rel_path,
                    line,
                    column,
                    message=f"This is not valid YAML: {problem}.",
                    hint=_yaml_hint(problem),
                )
            ) from None
        except yaml.YAMLError as exc:
            raise _Stop(
                Finding(
                    "frontmatter.yaml",
                    Severity.ERROR,
                    rel_path,
                    1 + line_offset,
                    1,
                    message=f"This is not valid YAML: {exc}.",
                    hint="Check the indentation and quoting.",
                )
            ) from None
        data = {} if node is None else _walk(node, (), state, 0)
    except _Stop as stop:
        return LoadedYaml(None, state.spans, state.key_spans, (*state.findings, stop.finding), True)
    finally:
        loader.dispose()
    return LoadedYaml(data, state.spans, state.key_spans, tuple(state.findings), False)


def _decode(data: bytes, rel_path: str) -> tuple[str | None, Finding | None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Finding(
            "frontmatter.encoding",
            Severity.ERROR,
            rel_path,
            line,
            column,
            message=f"The file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}).",
            hint="Save the file as UTF-8; most editors offer this under 'Save with encoding'.",
        )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return None, Finding(
            "frontmatter.encoding",
            Severity.ERROR,
            rel_path,
            line,
            column,
            message="The file contains a NUL character, so it is not a text page.",
            hint="Remove the NUL byte; it usually comes from pasting binary data.",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def read_text(text: str, path: Path, rel_path: str) -> Parsed:
    """Read a page that is already decoded text (LF line ends)."""
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        return Parsed(None, (Finding(
            "frontmatter.encoding", Severity.ERROR, rel_path, line, exc.start - text.rfind("\n", 0, exc.start),
            message="The text holds a lone surrogate character, which is not valid Unicode.",
            hint="Retype the character; it usually comes from a broken copy and paste.",
        ),))
    digest = hashlib.blake2b(encoded, digest_size=16).hexdigest()
    if not _OPEN.match(text):
        doc = Document(path, rel_path, text, {}, text, 1, has_front_matter=False, digest=digest)
        return Parsed(doc, ())
    opened = _OPEN.match(text)
    assert opened is not None
    close = _CLOSE.search(text, opened.end())
    if close is None:
        return Parsed(
            None,
            (
                Finding(
                    "frontmatter.yaml",
                    Severity.ERROR,
                    rel_path,
                    1,
                    1,
                    1,
                    4,
                    "The front matter opened with '---' on line 1 is never closed.",
                    "Add a line containing only '---' after the last front-matter field.",
                ),
            ),
        )
    yaml_text = text[opened.end() : close.start()]
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        return Parsed(
            None,
            (
                Finding(
                    "frontmatter.limits",
                    Severity.ERROR,
                    rel_path,
                    1,
                    1,
                    message=f"The front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB.",
                    hint="Front matter holds the page's metadata; move long text into the body.",
                ),
            ),
        )
    end_of_close = text.find("\n", close.end())
    body = "" if end_of_close < 0 else text[end_of_close + 1 :]
    body_line = text.count("\n", 0, end_of_close) + 2 if end_of_close >= 0 else text.count("\n") + 2
    loaded = read_yaml(yaml_text, rel_path, line_offset=1)
    if loaded.failed:
        return Parsed(None, loaded.findings)
    meta = loaded.data
    if not isinstance(meta, dict):
        return Parsed(
            None,
            (
                Finding(
                    "frontmatter.schema",
                    Severity.ERROR,
                    rel_path,
                    2,
                    1,
                    message="The front matter is not a set of 'key: value' fields.",
                    hint="Write front matter as 'key: value' lines, starting with 'type:'.",
                ),
            ),
        )
    doc = Document(
        path,
        rel_path,
        text,
        meta,
        body,
        body_line,
        spans=loaded.spans,
        key_spans=loaded.key_spans,
        digest=digest,
    )
    return Parsed(doc, loaded.findings)


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "A value contains ': '; put the whole value in quotes."
    if "found character '\\t'" in problem:
        return "Indent with spaces, not tabs."
    if "could not find expected ':'" in problem:
        return "Each field needs 'key: value'; check the line above for a missing colon or quote."
    return "Check the indentation and quoting on that line."


def read_file(path: Path, rel_path: str, max_bytes: int = 16 * 1024 * 1024) -> Parsed:
    """Read and parse one page from disk."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Parsed(
                None,
                (
                    Finding(
                        "frontmatter.limits",
                        Severity.ERROR,
                        rel_path,
                        message=f"The page is {size // (1024 * 1024)} MiB, over the {max_bytes // (1024 * 1024)} MiB limit.",
                        hint="Split the page; no health-education page should be this large.",
                    ),
                ),
            )
        data = path.read_bytes()
    except OSError as exc:
        return Parsed(
            None,
            (
                Finding(
                    "frontmatter.encoding",
                    Severity.ERROR,
                    rel_path,
                    message=f"The page cannot be read: {exc.strerror}.",
                    hint="Check the file exists and is readable.",
                ),
            ),
        )
    text, problem = _decode(data, rel_path)
    if problem is not None:
        return Parsed(None, (problem,))
    assert text is not None
    return read_text(text, path, rel_path)

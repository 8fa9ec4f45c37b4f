"""JSON Schemas from ``schema/``: compiled once per process, errors as findings.

The schemas are the single source of truth for the shape of front matter and
policy files, and for policy defaults. This module turns a jsonschema error
into a finding that names the file, the line of the offending key or value,
the field, what was expected and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import types
from collections.abc import Iterable, Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .frontmatter import field_name
from .model import Finding, Span
from .usercache import marshalled

# The project's schema/ folder, reached through the package's link to it (so
# an installed carepress, which carries a copy, finds it the same way).
SCHEMA_DIR = Path(__file__).parent / "schema"
CONTENT_TYPES = ("article", "myth", "story", "alert", "page")

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected YYYY-MM-DD")
    dt.date.fromisoformat(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a time zone offset is required")
    return True


def _uri(path: Path) -> str:
    return path.resolve().as_uri()


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.rglob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((_uri(path), Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def load_schema(rel: str) -> dict[str, Any]:
    """A schema by its path under ``schema/``, such as ``policy/people.schema.json``."""
    path = SCHEMA_DIR / rel
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["$id"] = _uri(path)
    return schema


_END = re.compile(r"(?<!\\)\$")


@cache
def _ecma(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JSON Schema means it: '$' is the end of the text.
    Python's '$' also matches before a final newline, so 'a-b\\n' would pass
    '^[a-z-]+$' (fastjsonschema makes the same change)."""
    return re.compile(_END.sub(r"\\Z", pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]) -> Iterable[ValidationError]:
    if isinstance(instance, str) and not _ecma(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Strict = validators.extend(Draft202012Validator, {"pattern": _pattern})


@cache
def validator(rel: str) -> Draft202012Validator:
    """A compiled validator, built once per process (not once per page)."""
    return _Strict(load_schema(rel), registry=_registry(), format_checker=_FORMATS)


def _is_date_text(value: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _is_date_time_text(value: str) -> bool:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def _bundle(rel: str) -> dict[str, Any]:
    """One self-contained schema: references to sibling files become local ``$defs``."""
    schema = json.loads((SCHEMA_DIR / rel).read_text(encoding="utf-8"))
    defs: dict[str, Any] = {}
    loaded: set[str] = set()

    def local(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                    target, _, pointer = value.partition("#")
                    if target not in loaded:
                        # The sibling's definitions (and what they use) become local.
                        loaded.add(target)
                        sibling = json.loads(((SCHEMA_DIR / rel).parent / target).read_text(encoding="utf-8"))
                        for name, definition in sibling.get("$defs", {}).items():
                            defs[name] = local(definition)
                    out[key] = "#" + pointer
                elif key == "const":
                    # Equivalent, and avoids a fastjsonschema code-generation
                    # bug with const when detailed exceptions are off.
                    out["enum"] = [value]
                else:
                    out[key] = local(value)
            return out
        if isinstance(node, list):
            return [local(item) for item in node]
        return node

    bundled = local(schema)
    bundled.setdefault("$defs", {}).update(defs)
    # fastjsonschema knows draft-07 by name; these schemas use no keyword
    # whose meaning differs between draft-07 and 2020-12.
    bundled["$schema"] = "http://json-schema.org/draft-07/schema#"
    return bundled


_FORMAT_LOCALS = re.compile(r'("(?:[^"\\\n]|\\.)*")\.format\(\*\*locals\(\)\)')
# Part of the cache key: change it whenever generate() below changes the code it makes.
_GENERATED_REVISION = "2"
_FAST_FORMATS = {"date": _is_date_text, "date-time": _is_date_time_text}


@cache
def fast_validator(rel: str) -> Any:
    """A validator compiled to Python code (fastjsonschema), built once per
    process: the check on every valid page. jsonschema explains the pages
    that fail it, with the field and line of each problem.

    Generating and compiling the code takes about 20 ms a schema, a fifth of
    a second for all of them at every start; the compiled code is kept in the
    user's cache, named by a digest of the schema, fastjsonschema's version
    and Python's bytecode version, and loads in well under a millisecond."""
    import hashlib
    import importlib.util

    import fastjsonschema

    bundle = _bundle(rel)
    key = hashlib.blake2b(
        "\0".join((_GENERATED_REVISION, json.dumps(bundle, sort_keys=True), fastjsonschema.VERSION,
                   importlib.util.MAGIC_NUMBER.hex(), str(sorted(_FAST_FORMATS)))).encode(),
        digest_size=12,
    ).hexdigest()

    def generate() -> Any:
        # Without detailed exceptions the generated code is a tenth the size
        # (each raise would embed its schema node); jsonschema gives the details.
        source = fastjsonschema.compile_to_code(bundle, formats=_FAST_FORMATS, detailed_exceptions=False)
        # The generated code names each list item for its error messages with
        # "...[{i}]".format(**locals()), a dictionary of every local built per
        # item of every list on every page; an f-string names the same item.
        source = _FORMAT_LOCALS.sub(r"f\1", source)
        return compile(source, f"<carepress schema {rel}>", "exec")

    code = marshalled(f"validator-{key}.marshal", generate, valid=lambda value: isinstance(value, types.CodeType))
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - code generated from our own schema (see above)
    return partial(namespace["validate"], custom_formats=_FAST_FORMATS)


def is_valid(rel: str, data: Any) -> bool:
    import fastjsonschema

    try:
        fast_validator(rel)(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def frontmatter_schema(content_type: str) -> str:
    return f"frontmatter/{content_type}.schema.json"


_UNEXPECTED = re.compile(r"'([^']+)'")


def _allowed_keys(error: ValidationError) -> list[str]:
    schema = error.schema
    keys: list[str] = list(schema.get("properties", {}))
    return keys


def _description(schema: Mapping[str, Any]) -> str:
    text = schema.get("description", "")
    return text if isinstance(text, str) else ""


def findings_for(
    rel_schema: str,
    data: Any,
    rel_path: str,
    spans: Mapping[tuple[Any, ...], Span],
    key_spans: Mapping[tuple[Any, ...], Span],
    rule: str = "frontmatter.schema",
) -> list[Finding]:
    """Validate ``data`` and return one finding per problem, placed on its line."""
    if is_valid(rel_schema, data):
        return []
    check = validator(rel_schema)
    out: list[Finding] = []
    for error in sorted(check.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        out.extend(_explain(error, rel_path, spans, key_spans, rule))
    if not out:
        # The two validators disagree: fail closed with what the fast one said.
        import fastjsonschema

        try:
            fast_validator(rel_schema)(data)
        except fastjsonschema.JsonSchemaException as exc:
            out.append(_finding(rule, rel_path, Span(1, 1, 0, 0), f"The front matter is not valid: {exc.message}.",
                                "Check the named field against its description in the schema."))
    return out


def _span(spans: Mapping[tuple[Any, ...], Span], path: tuple[Any, ...]) -> Span:
    while path and path not in spans:
        path = path[:-1]
    return spans.get(path, Span(1, 1, 0, 0))


def _finding(rule: str, rel_path: str, span: Span, message: str, hint: str) -> Finding:
    return Finding.at(rule, rel_path, span, message, hint)


def _explain(
    error: ValidationError,
    rel_path: str,
    spans: Mapping[tuple[Any, ...], Span],
    key_spans: Mapping[tuple[Any, ...], Span],
    rule: str,
) -> Iterable[Finding]:
    path = tuple(error.absolute_path)
    where = field_name(path)
    if error.validator in ("unevaluatedProperties", "additionalProperties") and isinstance(
        error.instance, dict
    ):
        allowed = _allowed_keys(error)
        names = [n for n in error.instance if n not in allowed]
        for name in names:
            by_case = {key.lower(): key for key in allowed}
            close = [by_case[name.lower()]] if name.lower() in by_case else (
                difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            )
            hint = f"Did you mean '{close[0]}'?" if close else (
                "Remove it; the allowed fields are: " + ", ".join(sorted(allowed)) + "."
                if allowed
                else "Remove it."
            )
            span = key_spans.get(path + (name,)) or _span(spans, path + (name,))
            yield _finding(rule, rel_path, span, f"Unknown field '{field_name(path + (name,))}'.", hint)
        return
    if error.validator == "required":
        missing = _UNEXPECTED.findall(error.message)[:1]
        name = missing[0] if missing else "?"
        prop = error.schema.get("properties", {}).get(name, {})
        hint = _description(prop) or "Add the field."
        span = _span(spans, path)
        if not path:
            span = Span(span.line, 1, span.line, 1)
        target = field_name(path + (name,))
        yield _finding(
            rule, rel_path, span, f"Missing required field '{target}'.", f"Add '{name}:' here. {hint}"
        )
        return
    span = _span(spans, path)
    described = _description(error.schema)
    if error.validator == "enum":
        options = [str(o) for o in error.validator_value]
        close = difflib.get_close_matches(str(error.instance), options, n=1)
        hint = f"Did you mean '{close[0]}'?" if close else "Use one of: " + ", ".join(options) + "."
        message = f"'{where}' is {error.instance!r}, which is not one of: {', '.join(options)}."
    elif error.validator == "format":
        reason = f" ({error.cause})" if error.cause else ""
        noun = {"date": "real date", "date-time": "date-time with a time zone"}.get(
            str(error.validator_value), str(error.validator_value)
        )
        message = f"'{where}' is {error.instance!r}, which is not a {noun}{reason}."
        hint = (
            "Write a date as YYYY-MM-DD, for example 2026-03-01."
            if error.validator_value == "date"
            else "Write a date-time with its offset, for example 2027-02-03T09:00:00-05:00."
        )
    elif error.validator in ("oneOf", "anyOf"):
        message = f"'{where}' is not in a form carepress accepts."
        hint = described or "Check the field's format."
    elif error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        message = f"'{where}' should be {_article(expected)}, not {_kind(error.instance)}."
        hint = described or "Change the value's type."
        if expected == "string" and isinstance(error.instance, bool):
            hint = "YAML reads yes/no/true/false as true or false; put the value in quotes."
    else:
        message = f"'{where}': {error.message}."
        hint = described or "Check the value against the field's description."
    if described and hint != described and error.validator not in ("type",):
        hint = f"{hint} ({described})"
    yield _finding(rule, rel_path, span, message, hint)


def _article(name: str) -> str:
    words = {"string": "text", "integer": "a whole number", "array": "a list", "object": "a mapping of fields",
             "number": "a number", "boolean": "true or false", "null": "empty"}
    return " or ".join(words.get(part, part) for part in name.split(" or "))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "empty"
    return "text"


def _fill_defaults(validator_class: type) -> type:
    """A validator that writes schema ``default``s into the instance as it validates.

    jsonschema deliberately leaves instances alone; this is the extension its
    FAQ gives for filling defaults, so policy files state only what differs.
    """
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(check: Any, properties: Any, instance: Any, schema: Any) -> Iterable[Any]:
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub and name not in instance:
                    instance[name] = json.loads(json.dumps(sub["default"]))
        yield from validate_properties(check, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


_Filling = _fill_defaults(_Strict)


@cache
def _filling_validator(rel: str) -> Any:
    return _Filling(load_schema(rel), registry=_registry(), format_checker=_FORMATS)


def apply_defaults(rel_schema: str, data: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults in place (validate first: this ignores errors)."""
    for _ in _filling_validator(rel_schema).iter_errors(data):
        pass
    return data

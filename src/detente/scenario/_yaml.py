"""YAML text to plain data, with the line of every key and item, fast and within limits.

The text is read as a stream of parser events, from libyaml (PyYAML's C parser) when it is
installed, else from ruamel.yaml's pure-Python parser; this module builds the data from those
events itself, so that:

- plain scalars follow YAML 1.2, as ruamel.yaml reads them (its resolver and constructor decide
  the type): an actor called ``NO`` stays the text ``"NO"``, ``2004-11-02`` is a date;
- only plain data is ever built: mappings, lists, text, numbers, booleans, null and dates.
  YAML's own scalar tags (``!!str``, ``!!int``, ...) are honoured; any other tag
  (``!!python/object``, ``!!omap``, ``!custom``) is refused, never constructed;
- the work any text can ask for is bounded: nesting depth, values in all and values added by
  aliases (a "billion laughs" file), one document per file, integers of at most 4,300 digits;
- every refusal names the line: duplicate keys, keys that are not text or numbers, tags.

Reading a 1,000-actor scenario (400 kB) takes about 0.2 s with libyaml, against 6 s for
ruamel.yaml's round-trip loader, which this replaces (``benchmarks/load_yaml.py``).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from detente.errors import Problem, ScenarioError

__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "MAX_NODES", "parse"]

#: Deepest nesting of mappings and lists accepted (a scenario needs about 8).
MAX_DEPTH = 32
#: Most nodes that aliases (``*name``) may add to a document, counted after expansion.
MAX_ALIAS_NODES = 100_000
#: Most values (scalars, lists and mappings, aliases expanded) in one document: a 1,000-actor
#: scenario has about 50,000; a 10 MB file could otherwise hold 5 million (25 s to read).
MAX_NODES = 1_000_000
#: Longest integer accepted, in digits (Python's own limit for reading one from text).
MAX_INT_DIGITS = 4300

Path_ = tuple[Any, ...]

_CORE = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = _CORE + "str", _CORE + "map", _CORE + "seq", _CORE + "merge"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_PLAIN_INT = re.compile(r"[-+]?[0-9]+")
_PLAIN_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_FLOW = re.compile(r"[\[\]{}]")
_KEY_TYPES = (str, int, float)

_RESOLVERS: dict[tuple[int, int], VersionedResolver] = {}


def parse(text: str, file: str, *, use_libyaml: bool = True) -> tuple[Any, dict[Path_, int]]:
    """The one YAML document in ``text`` as plain data, and the 1-based line of every key and
    list item by its path (``("actors", 3, "capability")``).

    ``use_libyaml=False`` reads with ruamel.yaml's pure-Python parser (as when libyaml is not
    installed).

    Raises
    ------
    ScenarioError
        A syntax error, a refused tag, a duplicate key, a limit passed: naming ``file`` and
        the line.
    """
    libyaml = _libyaml() if use_libyaml else None
    if libyaml is None:
        _check_flow_depth(text, file)  # ruamel's scanner is quadratic in flow depth
    errors: tuple[type[Exception], ...] = (MarkedYAMLError, YAMLError)
    builder = _Builder(file, _Lines(text))
    try:
        if libyaml is None:
            builder.run(YAML(typ="safe", pure=True).parse(text))
        else:
            errors += (libyaml[1],)
            builder.run(_libyaml_events(libyaml[0], text))
    except errors as err:
        raise _syntax_error(err, file, text) from None
    return builder.result, builder.lines


@functools.cache
def _libyaml() -> tuple[Any, type[Exception]] | None:
    """PyYAML's libyaml parser and error class (imported on first use: 20 ms), or None."""
    try:
        from yaml import YAMLError as PyYAMLError  # type: ignore[import-untyped]
        from yaml._yaml import CParser  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return None
    return CParser, PyYAMLError


@functools.cache
def _constructor() -> Any:
    """ruamel.yaml's round-trip constructor, whose scalar functions decide non-plain values."""
    return YAML(typ="rt").constructor


def _libyaml_events(parser_class: Any, text: str) -> Iterator[Any]:
    parser = parser_class(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


class _Lines:
    """The 1-based line of a parser mark, as YAML 1.2 counts lines.

    libyaml also counts U+2028, U+2029 and U+0085 as line breaks (YAML 1.1 did), so its
    ``mark.line`` is past the real line after one. When the text holds one of them the line
    is found from the mark's character ``index`` instead: a bisection of the offsets of the
    line breaks (LF, CRLF, lone CR), listed once.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.breaks: list[int] | None = None
        if any(ch in text for ch in _YAML_1_1_BREAKS):
            self.breaks = self.offsets()

    def offsets(self) -> list[int]:
        return [match.start() for match in _LINE_BREAK.finditer(self.text)]

    def of(self, mark: Any) -> int:
        if self.breaks is None:
            return int(mark.line) + 1
        return self.at(mark.index)

    def at(self, index: int) -> int:
        """The line of the character at ``index``."""
        if self.breaks is None:
            self.breaks = self.offsets()
        return bisect.bisect_left(self.breaks, index) + 1


_YAML_1_1_BREAKS = "\u2028\u2029\x85"
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _syntax_error(err: Exception, file: str, text: str) -> ScenarioError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    parts = (getattr(err, "context", None), getattr(err, "problem", None))
    what = " ".join(str(x) for x in parts if x) or str(err).split("\n")[0] or "invalid YAML"
    lines = _Lines(text)
    line = lines.of(mark) if mark is not None else None
    position = getattr(err, "position", None)  # a reader error (a character YAML refuses)
    if line is None and isinstance(position, int) and 0 <= position <= len(text):
        line = lines.at(position)
    if "maximum nesting depth" in what:  # libyaml's own bound (1,000 levels) met first
        return _too_deep(file, line)
    return ScenarioError([Problem("", f"YAML syntax error: {what}", file=file, line=line)])


def _check_flow_depth(text: str, file: str) -> None:
    """Refuse brackets nested deeper than :data:`MAX_DEPTH` (brackets in quoted text count too,
    which can only refuse a file far past any real scenario)."""
    depth = 0
    for match in _FLOW.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(file, _Lines(text).at(match.start()))
        else:
            depth = max(0, depth - 1)


def _too_deep(file: str, line: int | None) -> ScenarioError:
    return ScenarioError(
        [
            Problem(
                "",
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep; a scenario "
                "needs fewer than 10",
                file=file,
                line=line,
            )
        ]
    )


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


class _Node:
    """A collection being built: its value, where it is, and what it costs."""

    __slots__ = (
        "anchor",
        "depth",
        "height",
        "key",
        "key_line",
        "kind",
        "merges",
        "path",
        "size",
        "value",
    )

    def __init__(self, kind: str, value: Any, path: Path_, depth: int, anchor: str | None) -> None:
        self.kind = kind
        self.value = value
        self.path = path
        self.depth = depth
        self.anchor = anchor
        self.size = 1
        self.height = 1
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.merges: list[tuple[Any, int]] = []


_NO_KEY = object()


class _Builder:
    """Plain data from parser events (a stack of open collections; no recursion)."""

    def __init__(self, file: str, lines: _Lines) -> None:
        self.file = file
        # None when libyaml's own line is right (the text has no U+2028, U+2029 or U+0085)
        self.line_at = None if lines.breaks is None else lines.at
        self.lines: dict[Path_, int] = {}
        self.result: Any = None
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, size, height
        self.alias_nodes = 0
        self.nodes = 0
        self.documents = 0
        self.resolver = _resolver((1, 2))
        self.cache: dict[str, str] = {}  # plain scalar -> its tag (keys repeat in every actor)
        self.stack: list[_Node] = []

    def fail(self, line: int | None, message: str) -> ScenarioError:
        return ScenarioError([Problem("", message, file=self.file, line=line)])

    def run(self, events: Iterable[Any]) -> None:
        line_at = self.line_at
        for event in events:
            name = type(event).__name__
            mark = event.start_mark
            line = mark.line + 1 if line_at is None else line_at(mark.index)
            if name == "ScalarEvent":
                value = self.scalar(event, line)
                self.add(value, line, event.anchor, 1, 0, is_merge_key=value is _MERGE_KEY)
            elif name in ("MappingStartEvent", "SequenceStartEvent"):
                self.start(event, line, "map" if name == "MappingStartEvent" else "seq")
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                node = self.stack.pop()
                if node.kind == "map":
                    self.apply_merges(node)
                self.add(node.value, None, node.anchor, node.size, node.height, node=node)
            elif name == "AliasEvent":
                self.alias(event, line)
            elif name == "DocumentStartEvent":
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(
                        line,
                        "a second YAML document starts here (after '---'); a file holds one "
                        "scenario: remove the '---' line and what follows, or split the file",
                    )
                version = getattr(event, "version", None)
                self.resolver = _resolver(tuple(version) if version else (1, 2))
                self.cache.clear()

    # --- values ---------------------------------------------------------------------------------

    def scalar(self, event: Any, line: int) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            if event.style or not event.implicit[0]:
                return value  # quoted, literal or folded text, or the non-specific tag "!"
            tag = self.resolve(value)
            if tag == _STR:
                return value
            if tag == _MERGE:
                return _MERGE_KEY
            if tag not in _SCALAR_TAGS:  # '=' (YAML 1.1's value key) is just text here
                return value
        elif tag not in _SCALAR_TAGS:
            raise self.refused_tag(tag, line)
        return self.construct(tag, value, line)

    def resolve(self, value: str) -> str:
        tag = self.cache.get(value)
        if tag is None:
            # ruamel.yaml's resolver gives a Tag object, which hashes unlike its text
            tag = str(self.resolver.resolve(ScalarNode, value, (True, False)))
            if len(value) <= 64:
                self.cache[value] = tag
        return tag

    def construct(self, tag: str, value: str, line: int) -> Any:
        if tag == _STR:
            return value
        if tag == _CORE + "int" and _PLAIN_INT.fullmatch(value):
            if len(value.lstrip("+-")) > MAX_INT_DIGITS:
                raise self.fail(
                    line,
                    f"a number of {len(value.lstrip('+-')):,} digits; integers are limited to "
                    f"{MAX_INT_DIGITS:,} digits",
                )
            return int(value)
        if tag == _CORE + "float" and _PLAIN_FLOAT.fullmatch(value):
            return float(value)
        try:
            constructor = _constructor()
            built = constructor.yaml_constructors[tag](constructor, ScalarNode(tag, value))
        except Exception:  # ValueError mostly; whatever ruamel raises, the value is wrong
            raise self.fail(line, f"{value[:40]!r} is not a valid {_tag_name(tag)}") from None
        if isinstance(built, bool):
            return bool(built)
        if isinstance(built, int):
            return int(built)
        if isinstance(built, float):
            return float(built)
        return built

    def too_many(self, line: int | None) -> ScenarioError:
        return self.fail(
            line,
            f"the file holds more than {MAX_NODES:,} values; a scenario of 1,000 actors holds "
            "about 50,000",
        )

    def refused_tag(self, tag: str, line: int) -> ScenarioError:
        return self.fail(
            line,
            f"the tag {_tag_name(tag)} is not allowed; a scenario holds plain mappings, lists, "
            "text, numbers, true/false, null and dates (remove the tag)",
        )

    # --- collections ----------------------------------------------------------------------------

    def start(self, event: Any, line: int, kind: str) -> None:
        tag = event.tag
        if tag not in (None, "!", _MAP if kind == "map" else _SEQ):
            raise self.refused_tag(tag, line)
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.kind == "map" and parent.key is _NO_KEY:
            raise self.fail(
                line,
                f"a {'mapping' if kind == 'map' else 'list'} used as a key; keys must be text "
                "or numbers",
            )
        depth = len(self.stack) + 1
        if depth > MAX_DEPTH:
            raise _too_deep(self.file, line)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.too_many(line)
        path = self.child_path(parent, line)
        self.stack.append(_Node(kind, {} if kind == "map" else [], path, depth, event.anchor))

    def child_path(self, parent: _Node | None, line: int) -> Path_:
        """The path of the value about to be added, recording its line."""
        if parent is None:
            return ()
        if parent.kind == "seq":
            path = (*parent.path, len(parent.value))
            self.lines[path] = line
            return path
        return (*parent.path, parent.key)

    def alias(self, event: Any, line: int) -> None:
        if event.anchor not in self.anchors:
            raise self.fail(line, f"the alias *{event.anchor} names no anchor (&{event.anchor})")
        value, size, height = self.anchors[event.anchor]
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise self.fail(
                line,
                f"aliases (*name) expand to more than {MAX_ALIAS_NODES:,} values; write the "
                "values out, or use fewer aliases of aliases",
            )
        if len(self.stack) + height > MAX_DEPTH:
            raise _too_deep(self.file, line)
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.kind == "map" and parent.key is _NO_KEY:
            if not isinstance(value, _KEY_TYPES):
                raise self.fail(line, f"the alias *{event.anchor} used as a key is not text")
        elif parent is not None:
            self.child_path(parent, line)
        self.add(value, line, None, size, height, recorded=True)

    def add(
        self,
        value: Any,
        line: int | None,
        anchor: str | None,
        size: int,
        height: int,
        *,
        node: _Node | None = None,
        is_merge_key: bool = False,
        recorded: bool = False,
    ) -> None:
        """Put a finished value into the open collection (or make it the document)."""
        if anchor is not None:
            self.anchors[anchor] = (value, size, height)
        if node is None:  # a collection's values were counted as they came
            self.nodes += size
            if self.nodes > MAX_NODES:
                raise self.too_many(line)
        if not self.stack:
            self.result = value
            return
        parent = self.stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if value is _MERGE_KEY and not (parent.kind == "map" and parent.key is _NO_KEY):
            value = "<<"  # a merge key only merges in a key's place
        if parent.kind == "seq":
            if node is None and not recorded:
                self.child_path(parent, line or 0)
            parent.value.append(value)
        elif parent.key is _NO_KEY:
            self.set_key(parent, value, line or 0, is_merge_key)
        else:
            if parent.key is _MERGE_KEY:
                parent.merges.append((value, parent.key_line))
            else:
                parent.value[parent.key] = value
            parent.key = _NO_KEY

    def set_key(self, parent: _Node, key: Any, line: int, is_merge_key: bool) -> None:
        if not is_merge_key:
            if key is None:
                raise self.fail(line, "an empty key (or ~, null); keys must be text or numbers")
            if not isinstance(key, _KEY_TYPES):
                raise self.fail(line, f"the key {key!s} is not text or a number; put it in quotes")
            if key in parent.value:
                first = self.lines.get((*parent.path, key))
                where = f" (first on line {first})" if first is not None else ""
                raise self.fail(
                    line,
                    f"YAML syntax error: duplicate key {key!r}{where}; each key may appear once "
                    "in a mapping",
                )
            self.lines[(*parent.path, key)] = line
        parent.key = key
        parent.key_line = line

    def apply_merges(self, node: _Node) -> None:
        """``<<: *base`` (or a list of them): the fields of base that the mapping lacks."""
        for merged, line in node.merges:
            sources = merged if isinstance(merged, list) else [merged]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(line, "a merge key (<<) takes a mapping or a list of mappings")
                for key, value in source.items():
                    node.value.setdefault(key, value)
                    self.lines.setdefault((*node.path, key), line)


class _MergeKey:
    def __repr__(self) -> str:
        return "<<"


_MERGE_KEY: Any = _MergeKey()


def _resolver(version: tuple[int, ...]) -> VersionedResolver:
    key = (version[0], version[1]) if len(version) >= 2 else (1, 2)
    if key not in _RESOLVERS:
        _RESOLVERS[key] = VersionedResolver(version=key if key in ((1, 1), (1, 2)) else (1, 2))
    return _RESOLVERS[key]

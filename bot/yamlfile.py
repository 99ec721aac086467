"""Reading the YAML files policy owners edit (``knowledge/*.yaml``) without YAML's surprises.

PyYAML follows YAML 1.1, where ``no``, ``on``, ``yes`` and ``off`` are booleans: a glossary term
or a phrase «no» would silently become ``False``. And a key written twice keeps only its last
value. :func:`load` reads only ``true``/``false`` as booleans (as YAML 1.2 does) and merges a
repeated key into the first one, saying so in ``problems`` with its line.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["load"]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


# libyaml's parser when PyYAML was built with it: signals.yaml parses in a tenth of the time.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2 booleans and repeated keys merged and reported."""

    problems: list[str]


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, _BOOL_12, list("tTfF"))


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        value = loader.construct_object(value_node, deep=True)
        if key in out:
            line = key_node.start_mark.line + 1
            loader.problems.append(f"línea {line}: «{key}» aparece dos veces; se usan las dos")
            value = _merge(out[key], value)
        out[key] = value
    return out


def _merge(first: Any, second: Any) -> Any:
    """Both values of a repeated key: mappings merged, lists joined, texts joined, equal values kept."""
    if first == second:
        return first
    if isinstance(first, dict) and isinstance(second, dict):
        merged = dict(first)
        for key, value in second.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    if isinstance(first, list) and isinstance(second, list):
        return first + second
    if isinstance(first, str) and isinstance(second, str):
        return f"{first} {second}"
    return second


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(text: str) -> tuple[Any, list[str]]:
    """The data in ``text`` and the repeated keys found (``yaml.YAMLError`` if malformed)."""
    loader = _Loader(text)
    loader.problems = []
    try:
        return loader.get_single_data(), loader.problems
    finally:
        loader.dispose()

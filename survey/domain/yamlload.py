"""A YAML loader that keeps yes/no/on/off as strings and refuses duplicate keys.

YAML 1.1 reads unquoted yes / no as booleans; a checklist writer who types `pass: no` means the
string "no", and a repeated key is almost always a copy-paste slip that PyYAML would hide.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml

from .messages import DUPLICATE_KEY, Msg


class DuplicateKeyError(yaml.MarkedYAMLError):
    """A mapping names the same key twice."""


class ChecklistLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-style booleans and duplicate-key detection."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges keys; the merged ones may be overridden
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                break  # SafeLoader reports "found unhashable key" with its line
            if key in seen:
                raise DuplicateKeyError(
                    problem=Msg(DUPLICATE_KEY, key=key), problem_mark=key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


ChecklistLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ChecklistLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
ChecklistLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, ChecklistLoader.construct_mapping
)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the checklist rules."""
    return yaml.load(text, Loader=ChecklistLoader)  # noqa: S506 - a SafeLoader subclass

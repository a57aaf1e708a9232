"""YAML from outside (imported rubrics, training catalogs, label files), loaded within bounds:
a size limit, and a limit on how many nodes the document stands for once its aliases are
expanded — a 1.4 KB "billion laughs" catalog once cost 93 s of CPU and 3.6 GB downstream."""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 2_000_000
MAX_NODES = 200_000


class YamlTooLarge(ValueError):
    pass


def expanded_size(root: yaml.Node | None, limit: int = MAX_NODES) -> int:
    """Nodes the document stands for with every alias expanded (stops counting past ``limit``)."""
    if root is None:
        return 0
    memo: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = limit + 1  # a node that contains itself expands forever
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > limit:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > limit:
                    break
        memo[key] = total
        return total

    return size(root)


def safe_load(text: str, *, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES) -> Any:
    """``yaml.safe_load`` for text from outside; raises :class:`YamlTooLarge` (a ValueError)
    when the text or its expansion is over the bounds, ``yaml.YAMLError`` when it does not
    parse."""
    if len(text.encode("utf-8", "ignore")) > max_bytes:
        raise YamlTooLarge(f"the YAML is over {max_bytes // 1000} KB")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if expanded_size(root, max_nodes) > max_nodes:
        raise YamlTooLarge(
            f"the YAML expands to over {max_nodes:,} nodes through its aliases (an alias bomb?)"
        )
    return yaml.safe_load(text)

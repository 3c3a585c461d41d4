"""Turn node and edge frames from any backend into a PyG ``HeteroData``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import HeteroData


def build_heterodata(
    nodes: Mapping[str, list[str]],
    edges: Mapping[tuple[str, str, str], pd.DataFrame],
    split_qualifiers: bool = True,
) -> HeteroData:
    """Build ``HeteroData`` with ``data[category].curie`` (index -> CURIE) and ``edge_index`` per type.

    Args:
        nodes: CURIEs per category; list position becomes the node index.
        edges: per (subject, predicate, object) a frame of ``subject``/``object`` CURIEs and any
            ``*_qualifier`` columns.
        split_qualifiers: give each distinct qualifier combination its own relation name
            (``expresses_decreased``) so that, e.g., up- and down-regulation are not conflated.

    Shapes:
        edge_index: ``[2, num_edges]`` (int64), rows index ``data[src]`` and ``data[dst]``.
    """
    data = HeteroData()
    index: dict[str, pd.Index] = {}
    for category, curies in nodes.items():
        if not curies:
            continue
        data[category].curie = list(curies)
        data[category].num_nodes = len(curies)
        index[category] = pd.Index(curies)
    for (src, rel, dst), frame in edges.items():
        if frame.empty or src not in index or dst not in index:
            continue
        for name, part in _relations(rel, frame, split_qualifiers):
            rows = index[src].get_indexer(part["subject"])
            cols = index[dst].get_indexer(part["object"])
            keep = (rows >= 0) & (cols >= 0)
            stacked = np.stack([rows[keep], cols[keep]]).astype(np.int64)
            data[src, name, dst].edge_index = torch.from_numpy(stacked)
    return data


def _relations(rel: str, frame: pd.DataFrame, split: bool) -> list[tuple[str, pd.DataFrame]]:
    quals = sorted(c for c in frame.columns if c.endswith("_qualifier"))
    if not split or not quals:
        return [(rel, frame)]
    labels = frame[quals].fillna("").astype(str).agg("_".join, axis=1).str.strip("_").str.replace("__", "_")
    return [
        (f"{rel}_{label}" if label else rel, frame[labels == label])
        for label in sorted(labels.unique())
    ]

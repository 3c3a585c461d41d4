"""The MeSH descriptor hierarchy: tree numbers per descriptor, and ancestor tests between descriptors.

BC5CDR annotates the most specific disease an abstract names; a relation extractor uses the hierarchy to
tell a general disease ("cardiovascular disease") from a more specific one in the same document.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

PREFIX = "MESH:"


class MeshTree:
    """Tree numbers of MeSH descriptors, keyed by CURIE (``MESH:D006973``)."""

    def __init__(self, tree_numbers: dict[str, tuple[str, ...]]) -> None:
        self.tree_numbers = tree_numbers

    @classmethod
    def from_tsv(cls, path: Path, branches: Iterable[str] | None = None) -> MeshTree:
        """Read ``id<TAB>label<TAB>synonyms<TAB>tree numbers`` rows (``vocab/mesh_descriptors.tsv``).

        Args:
            path: The descriptor file.
            branches: Keep only tree numbers starting with one of these (e.g. ``("C", "F03")``); all if None.
        """
        keep = tuple(branches) if branches is not None else None
        trees: dict[str, tuple[str, ...]] = {}
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                if len(row) < 4 or not row[3]:
                    continue
                numbers = tuple(t for t in row[3].split("|") if keep is None or t.startswith(keep))
                if numbers:
                    trees[PREFIX + row[0]] = numbers
        return cls(trees)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when one of ``descendant``'s tree numbers lies under one of ``ancestor``'s."""
        if ancestor == descendant:
            return False
        below = self.tree_numbers.get(descendant, ())
        return any(d.startswith(a + ".") for a in self.tree_numbers.get(ancestor, ()) for d in below)

    def depth(self, curie: str) -> int:
        """The depth of the deepest tree number (0 when unknown)."""
        return max((t.count(".") + 1 for t in self.tree_numbers.get(curie, ())), default=0)

    def __len__(self) -> int:
        return len(self.tree_numbers)

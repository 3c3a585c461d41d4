from __future__ import annotations

from pathlib import Path

from ontologies.mesh import MeshTree


def test_mesh_tree_from_the_real_descriptors(shared_data: Path) -> None:
    tree = MeshTree.from_tsv(shared_data / "vocab" / "mesh_descriptors.tsv")
    assert len(tree) > 25_000
    # Cardiovascular Diseases (C14) > Heart Diseases > Arrhythmias, Cardiac > Heart Block
    assert tree.is_ancestor("MESH:D002318", "MESH:D006331")
    assert tree.is_ancestor("MESH:D001145", "MESH:D006327")
    assert not tree.is_ancestor("MESH:D006327", "MESH:D001145")
    assert not tree.is_ancestor("MESH:D006331", "MESH:D006331")
    assert tree.depth("MESH:D006327") > tree.depth("MESH:D002318") > 0
    assert tree.depth("MESH:C000000") == 0


def test_mesh_tree_keeps_only_the_branches_asked_for(shared_data: Path) -> None:
    diseases = MeshTree.from_tsv(shared_data / "vocab" / "mesh_descriptors.tsv", branches=("C",))
    assert "MESH:D006973" in diseases.tree_numbers  # hypertension
    assert "MESH:D003000" not in diseases.tree_numbers  # clonidine, a chemical (D branch)

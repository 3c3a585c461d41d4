"""Relations through the literature pipeline: the JSONL lines of ``kg extract`` and ``kg eval relations``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ingest.pipeline import Extractor
from ingest.readers import read_pubtator
from ingest.relations import RELATIONS

KG = str(Path(sys.executable).parent / "kg")


def test_pipeline_extracts_a_known_cid_pair_into_the_jsonl_line(nlp, shared_data):
    assert RELATIONS in nlp.pipe_names
    docs = read_pubtator(shared_data / "bc5cdr" / "CDR_TrainingSet.PubTator.txt")
    doc = next(d for d in docs if d.id == "354896")  # "Lidocaine-induced cardiac asystole."
    ex = next(Extractor(nlp).extract([doc]))
    line = json.loads(json.dumps(ex.to_json()))
    causes = [r for r in line["relations"] if r["predicate"] == "biolink:causes"]
    found = next(r for r in causes if (r["subject"], r["object"]) == ("MESH:D008012", "MESH:D006323"))
    assert set(found) == {"subject", "predicate", "object", "score", "evidence"}
    assert 0.0 < found["score"] <= 1.0
    assert found["evidence"][0]["start"] == 0 and found["evidence"][0]["end"] >= len("Lidocaine-induced cardiac")
    record = next(r for r in ex.relations if r.object == "MESH:D006323")
    assert record.extractor.endswith(".cid") and record.evidence[0].snippet.startswith("Lidocaine-induced")


def test_cli_eval_relations_prints_document_level_scores(kb_home, shared_data, tmp_path):
    blocks = (shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt").read_text().split("\n\n")[:15]
    subset = tmp_path / "dev15.txt"
    subset.write_text("\n\n".join(blocks) + "\n")
    env = {**os.environ, "KG_HOME": str(kb_home), "KG_DATA_DIR": str(shared_data)}
    done = subprocess.run([KG, "eval", "relations", str(subset)], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    cid = result["cid"]
    assert result["documents"] == 15 and cid["tp"] + cid["fn"] == sum(b.count("\tCID\t") for b in blocks)
    assert 0.0 < cid["f1"] <= 1.0 and result["relations_by_predicate"]["biolink:causes"] == cid["tp"] + cid["fp"]
    current = result["cid_current_mesh"]  # the same gold pairs, retired MeSH ids mapped to current ones
    assert current["tp"] + current["fn"] == cid["tp"] + cid["fn"] and current["tp"] >= cid["tp"]


def test_retired_gold_ids_map_to_the_concept_their_mentions_name(nlp, shared_data):
    from ingest.relation_train import gold_document, retired_ids, with_ids
    from kg_engine.relation_jobs import _index

    docs = read_pubtator(shared_data / "bc5cdr" / "CDR_DevelopmentSet.PubTator.txt")
    doc = next(d for d in docs if d.id == "16157917")  # lamotrigine: C047781 in 2015, a descriptor since
    index = _index(nlp)
    mapping = retired_ids([doc], index)

    def known(curie: str) -> bool:
        return curie in index.links

    assert not known("MESH:C047781") and mapping["C047781"] == "D000077213"
    assert all(not known(f"MESH:{old}") and known(f"MESH:{new}") for old, new in mapping.items())
    before, after = gold_document(doc).pairs, gold_document(with_ids(doc, mapping)).pairs
    assert ("MESH:C047781", "MESH:D009207") in before and ("MESH:D000077213", "MESH:D009207") in after
    assert len(after) == len(before)

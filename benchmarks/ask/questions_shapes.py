# ruff: noqa: E501
"""Dev questions for ``kg ask``: counts, yes/no, two hops, intersections, differences, top-k, unanswerable.

Same format as ``questions_onehop``; gold Cypher written by hand, independent of the parser. Count Cypher
returns ``count``, yes/no Cypher returns ``boolean``; top-k lists break degree ties by CURIE.
"""

from __future__ import annotations

_RET = " RETURN DISTINCT n.curie AS curie, n.name AS name"
_CNT = " RETURN count(DISTINCT n) AS count"
_YES = " RETURN count(*) > 0 AS boolean"

COUNT = ("count", None, [
    ("How many drugs treat hypertension?", "MATCH (n:Compound)-[:treats]->(:Disease {curie: 'DOID:10763'})" + _CNT),
    ("how many genes does imatinib bind", "MATCH (:Compound {curie: 'DRUGBANK:DB00619'})-[:directly_physically_interacts_with]->(n:Gene)" + _CNT),
    ("Number of side effects of ibuprofen?", "MATCH (:Compound {curie: 'DRUGBANK:DB01050'})-[:has_side_effect]->(n:SideEffect)" + _CNT),
    ("How many genes are associated with Alzheimer's disease?", "MATCH (:Disease {curie: 'DOID:10652'})-[:condition_associated_with_gene]->(n:Gene)" + _CNT),
    ("how many symptoms does parkinson's disease have", "MATCH (:Disease {curie: 'DOID:14330'})-[:has_phenotype]->(n:Symptom)" + _CNT),
    ("How many diseases does prednisone treat?", "MATCH (:Compound {curie: 'DRUGBANK:DB00635'})-[:treats]->(n:Disease)" + _CNT),
    ("Count the drugs that bind DRD2", "MATCH (n:Compound)-[:directly_physically_interacts_with]->(:Gene {curie: 'NCBIGene:1813'})" + _CNT),
    ("how many compounds treat epilepsy?", "MATCH (n:Compound)-[:treats]->(:Disease {curie: 'DOID:1826'})" + _CNT),
    ("How many pathways does MTOR participate in?", "MATCH (:Gene {curie: 'NCBIGene:2475'})-[:participates_in]->(n:Pathway)" + _CNT),
    ("How many drugs are serotonin uptake inhibitors?", "MATCH (:PharmacologicClass {curie: 'NDFRT:N0000000109'})-[:has_member]->(n:Compound)" + _CNT),
    ("How many adverse effects does lithium have?", "MATCH (:Compound {curie: 'DRUGBANK:DB01356'})-[:has_side_effect]->(n:SideEffect)" + _CNT),
    ("how many genes are associated with type 2 diabetes", "MATCH (:Disease {curie: 'DOID:9352'})-[:condition_associated_with_gene]->(n:Gene)" + _CNT),
    ("How many targets does clozapine have?", "MATCH (:Compound {curie: 'DRUGBANK:DB00363'})-[:directly_physically_interacts_with]->(n:Gene)" + _CNT),
    ("How many drugs palliate multiple sclerosis?", "MATCH (n:Compound)-[:ameliorates_condition]->(:Disease {curie: 'DOID:2377'})" + _CNT),
    ("how many diseases localize to the brain", "MATCH (n:Disease)-[:disease_has_location]->(:Anatomy {curie: 'UBERON:0000955'})" + _CNT),
    ("How many genes interact with TP53?", "MATCH (:Gene {curie: 'NCBIGene:7157'})-[:physically_interacts_with]-(n:Gene)" + _CNT),
    ("How many drugs cause nausea?", "MATCH (n:Compound)-[:has_side_effect]->(:SideEffect {curie: 'UMLS:C0027497'})" + _CNT),
    ("how many compounds are similar to haloperidol", "MATCH (:Compound {curie: 'DRUGBANK:DB00502'})-[:chemically_similar_to]-(n:Compound)" + _CNT),
    ("How many diseases present with headache?", "MATCH (n:Disease)-[:has_phenotype]->(:Symptom {curie: 'MESH:D006261'})" + _CNT),
    ("How many drugs treat both hypertension and coronary artery disease?",
     "MATCH (n:Compound)-[:treats]->(:Disease {curie: 'DOID:10763'}) MATCH (n)-[:treats]->(:Disease {curie: 'DOID:3393'})" + _CNT),
    ("How many genes are associated with breast cancer?", "MATCH (:Disease {curie: 'DOID:1612'})-[:condition_associated_with_gene]->(n:Gene)" + _CNT),
    ("how many drugs are not indicated for epilepsy", "MATCH (n:Compound)-[:not_indicated_for]->(:Disease {curie: 'DOID:1826'})" + _CNT),
    ("How many genes does metformin upregulate?",
     "MATCH (:Compound {curie: 'DRUGBANK:DB00331'})-[r:affects]->(n:Gene) WHERE r.object_direction_qualifier = 'increased'" + _CNT),
    ("How many drugs bind genes associated with asthma?",
     "MATCH (n:Compound)-[:directly_physically_interacts_with]->(:Gene)<-[:condition_associated_with_gene]-(:Disease {curie: 'DOID:2841'})" + _CNT),
    ("how many diseases are associated with APOE", "MATCH (n:Disease)-[:condition_associated_with_gene]->(:Gene {curie: 'NCBIGene:348'})" + _CNT),
    ("How many pharmacologic classes does ibuprofen belong to?", "MATCH (n:PharmacologicClass)-[:has_member]->(:Compound {curie: 'DRUGBANK:DB01050'})" + _CNT),
    ("How many drugs treat schizophrenia?", "MATCH (n:Compound)-[:treats]->(:Disease {curie: 'DOID:5419'})" + _CNT),
    ("What is the number of genes bound by aspirin?", "MATCH (:Compound {curie: 'DRUGBANK:DB00945'})-[:directly_physically_interacts_with]->(n:Gene)" + _CNT),
])

_T = "MATCH (:Compound {curie: $a})-[:treats]->(:Disease {curie: $b})" + _YES
_B = "MATCH (:Compound {curie: $a})-[:directly_physically_interacts_with]->(:Gene {curie: $b})" + _YES
_A = "MATCH (:Disease {curie: $a})-[:condition_associated_with_gene]->(:Gene {curie: $b})" + _YES
_S = "MATCH (:Compound {curie: $a})-[:has_side_effect]->(:SideEffect {curie: $b})" + _YES
_P = "MATCH (:Disease {curie: $a})-[:has_phenotype]->(:Symptom {curie: $b})" + _YES
_C = "MATCH (:PharmacologicClass {curie: $a})-[:has_member]->(:Compound {curie: $b})" + _YES
_L = "MATCH (:Disease {curie: $a})-[:disease_has_location]->(:Anatomy {curie: $b})" + _YES
_R = "MATCH (:Compound {curie: $a})-[:ameliorates_condition]->(:Disease {curie: $b})" + _YES

BOOLEAN = ("boolean", None, [
    ("Does metformin treat type 2 diabetes?", _T, {"a": "DRUGBANK:DB00331", "b": "DOID:9352"}),
    ("is metformin used for hypertension", _T, {"a": "DRUGBANK:DB00331", "b": "DOID:10763"}),
    ("Is lisinopril indicated for hypertension?", _T, {"a": "DRUGBANK:DB00722", "b": "DOID:10763"}),
    ("Can donepezil treat Alzheimer's disease?", _T, {"a": "DRUGBANK:DB00843", "b": "DOID:10652"}),
    ("does aspirin treat migraine?", _T, {"a": "DRUGBANK:DB00945", "b": "DOID:6364"}),
    ("Is haloperidol a treatment for schizophrenia?", _T, {"a": "DRUGBANK:DB00502", "b": "DOID:5419"}),
    ("does fluoxetine treat epilepsy", _T, {"a": "DRUGBANK:DB00472", "b": "DOID:1826"}),
    ("Is allopurinol used to treat gout?", _T, {"a": "DRUGBANK:DB00437", "b": "DOID:13189"}),
    ("Does imatinib treat breast cancer?", _T, {"a": "DRUGBANK:DB00619", "b": "DOID:1612"}),
    ("is salbutamol indicated for asthma?", _T, {"a": "DRUGBANK:DB01001", "b": "DOID:2841"}),
    ("Does imatinib bind ABL1?", _B, {"a": "DRUGBANK:DB00619", "b": "NCBIGene:25"}),
    ("does celecoxib target PTGS2", _B, {"a": "DRUGBANK:DB00482", "b": "NCBIGene:5743"}),
    ("Does metformin bind EGFR?", _B, {"a": "DRUGBANK:DB00331", "b": "NCBIGene:1956"}),
    ("Is DRD2 a target of haloperidol?", _B, {"a": "DRUGBANK:DB00502", "b": "NCBIGene:1813"}),
    ("does sertraline bind the serotonin transporter SLC6A4?", _B, {"a": "DRUGBANK:DB01104", "b": "NCBIGene:6532"}),
    ("Does warfarin target VKORC1?", _B, {"a": "DRUGBANK:DB00682", "b": "NCBIGene:79001"}),
    ("Does atorvastatin bind ESR1?", _B, {"a": "DRUGBANK:DB01076", "b": "NCBIGene:2099"}),
    ("Is APOE associated with Alzheimer's disease?", _A, {"a": "DOID:10652", "b": "NCBIGene:348"}),
    ("is BRCA1 linked to breast cancer", _A, {"a": "DOID:1612", "b": "NCBIGene:672"}),
    ("Is INS associated with type 1 diabetes?", _A, {"a": "DOID:9744", "b": "NCBIGene:3630"}),
    ("Is EGFR associated with schizophrenia?", _A, {"a": "DOID:5419", "b": "NCBIGene:1956"}),
    ("is TP53 associated with lung cancer?", _A, {"a": "DOID:1324", "b": "NCBIGene:7157"}),
    ("Does ibuprofen cause nausea?", _S, {"a": "DRUGBANK:DB01050", "b": "UMLS:C0027497"}),
    ("Is headache a side effect of sildenafil?", _S, {"a": "DRUGBANK:DB00203", "b": "UMLS:C0018681"}),
    ("does metformin cause alopecia", _S, {"a": "DRUGBANK:DB00331", "b": "UMLS:C0002170"}),
    ("Is hepatotoxicity a side effect of acetaminophen?", _S, {"a": "DRUGBANK:DB00316", "b": "UMLS:C0235378"}),
    ("Does Parkinson's disease present with tremor?", _P, {"a": "DOID:14330", "b": "MESH:D014202"}),
    ("is fever a symptom of malaria", _P, {"a": "DOID:12365", "b": "MESH:D005334"}),
    ("Is cough a symptom of asthma?", _P, {"a": "DOID:2841", "b": "MESH:D003371"}),
    ("Is hallucination a symptom of gout?", _P, {"a": "DOID:13189", "b": "MESH:D006212"}),
    ("Is fluoxetine a serotonin uptake inhibitor?", _C, {"a": "NDFRT:N0000000109", "b": "DRUGBANK:DB00472"}),
    ("is amlodipine a calcium channel antagonist", _C, {"a": "NDFRT:N0000000069", "b": "DRUGBANK:DB00381"}),
    ("Is metformin a benzodiazepine?", _C, {"a": "NDFRT:N0000007542", "b": "DRUGBANK:DB00331"}),
    ("Does multiple sclerosis localize to the spinal cord?", _L, {"a": "DOID:2377", "b": "UBERON:0002240"}),
    ("is asthma localized to the lung", _L, {"a": "DOID:2841", "b": "UBERON:0002048"}),
    ("Does psoriasis localize to the heart?", _L, {"a": "DOID:8893", "b": "UBERON:0000948"}),
    ("Does ibuprofen palliate rheumatoid arthritis?", _R, {"a": "DRUGBANK:DB01050", "b": "DOID:7148"}),
    ("Is aspirin a palliative treatment for osteoarthritis?", _R, {"a": "DRUGBANK:DB00945", "b": "DOID:8398"}),
])

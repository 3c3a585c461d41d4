# ruff: noqa: E501
"""Dev questions for ``kg ask``: two hops, intersections, differences, top-k and unanswerable questions.

Same format as ``questions_onehop``; gold Cypher written by hand, independent of the parser. Top-k Cypher
breaks degree ties by CURIE.
"""

from __future__ import annotations

LIST = "list"
_RET = " RETURN DISTINCT n.curie AS curie, n.name AS name"
_BIND = "directly_physically_interacts_with"
_ASSOC = "condition_associated_with_gene"

TWO_HOP = (LIST, None, [
    ("Which drugs bind genes associated with Alzheimer's disease?",
     f"MATCH (n:Compound)-[:{_BIND}]->(:Gene)<-[:{_ASSOC}]-(:Disease {{curie: 'DOID:10652'}})" + _RET),
    ("compounds targeting genes linked to multiple sclerosis",
     f"MATCH (n:Compound)-[:{_BIND}]->(:Gene)<-[:{_ASSOC}]-(:Disease {{curie: 'DOID:2377'}})" + _RET),
    ("What genes are targeted by drugs that treat asthma?",
     f"MATCH (n:Gene)<-[:{_BIND}]-(:Compound)-[:treats]->(:Disease {{curie: 'DOID:2841'}})" + _RET),
    ("which genes do drugs for gout bind",
     f"MATCH (n:Gene)<-[:{_BIND}]-(:Compound)-[:treats]->(:Disease {{curie: 'DOID:13189'}})" + _RET),
    ("What side effects do drugs that treat epilepsy cause?",
     "MATCH (n:SideEffect)<-[:has_side_effect]-(:Compound)-[:treats]->(:Disease {curie: 'DOID:1826'})" + _RET),
    ("Which diseases are treated by drugs that bind DRD2?",
     f"MATCH (n:Disease)<-[:treats]-(:Compound)-[:{_BIND}]->(:Gene {{curie: 'NCBIGene:1813'}})" + _RET),
    ("what diseases are treated by serotonin uptake inhibitors",
     "MATCH (n:Disease)<-[:treats]-(:Compound)<-[:has_member]-(:PharmacologicClass {curie: 'NDFRT:N0000000109'})" + _RET),
    ("Which pharmacologic classes do drugs treating hypertension belong to?",
     "MATCH (n:PharmacologicClass)-[:has_member]->(:Compound)-[:treats]->(:Disease {curie: 'DOID:10763'})" + _RET),
    ("What symptoms do diseases treated by metformin present?",
     "MATCH (n:Symptom)<-[:has_phenotype]-(:Disease)<-[:treats]-(:Compound {curie: 'DRUGBANK:DB00331'})" + _RET),
    ("Which diseases are associated with genes that imatinib binds?",
     f"MATCH (n:Disease)-[:{_ASSOC}]->(:Gene)<-[:{_BIND}]-(:Compound {{curie: 'DRUGBANK:DB00619'}})" + _RET),
    ("drugs that treat diseases localized in the pancreas",
     "MATCH (n:Compound)-[:treats]->(:Disease)-[:disease_has_location]->(:Anatomy {curie: 'UBERON:0001264'})" + _RET),
    ("Which drugs treat diseases that present with seizures?",
     "MATCH (n:Compound)-[:treats]->(:Disease)-[:has_phenotype]->(:Symptom {curie: 'MESH:D012640'})" + _RET),
    ("What pathways do the targets of metformin participate in?",
     f"MATCH (n:Pathway)<-[:participates_in]-(:Gene)<-[:{_BIND}]-(:Compound {{curie: 'DRUGBANK:DB00331'}})" + _RET),
    ("which drugs bind genes in the mTOR signaling pathway",
     f"MATCH (n:Compound)-[:{_BIND}]->(:Gene)-[:participates_in]->(:Pathway {{curie: 'PATHWAYCOMMONS:PC7_12078'}})" + _RET),
    ("Genes associated with diseases that resemble Crohn's disease",
     f"MATCH (n:Gene)<-[:{_ASSOC}]-(:Disease)-[:similar_to]-(:Disease {{curie: 'DOID:8778'}})" + _RET),
    ("What drugs treat diseases similar to ulcerative colitis?",
     "MATCH (n:Compound)-[:treats]->(:Disease)-[:similar_to]-(:Disease {curie: 'DOID:8577'})" + _RET),
])

_TR = "MATCH (n:Compound)-[:treats]->(:Disease {curie: $a}) MATCH (n)-[:treats]->(:Disease {curie: $b})" + _RET
_GA = (f"MATCH (:Disease {{curie: $a}})-[:{_ASSOC}]->(n:Gene) MATCH (:Disease {{curie: $b}})-[:{_ASSOC}]->(n)"
       + _RET)
_GB = f"MATCH (:Compound {{curie: $a}})-[:{_BIND}]->(n:Gene) MATCH (:Compound {{curie: $b}})-[:{_BIND}]->(n)" + _RET
_SE = "MATCH (:Compound {curie: $a})-[:has_side_effect]->(n:SideEffect) MATCH (:Compound {curie: $b})-[:has_side_effect]->(n)" + _RET
_SY = "MATCH (:Disease {curie: $a})-[:has_phenotype]->(n:Symptom) MATCH (:Disease {curie: $b})-[:has_phenotype]->(n)" + _RET

INTERSECTION = (LIST, None, [
    ("Which drugs treat both hypertension and coronary artery disease?", _TR, {"a": "DOID:10763", "b": "DOID:3393"}),
    ("drugs that treat both asthma and COPD", _TR, {"a": "DOID:2841", "b": "DOID:3083"}),
    ("What compounds are indicated for both rheumatoid arthritis and psoriasis?", _TR, {"a": "DOID:7148", "b": "DOID:8893"}),
    ("which drugs treat both crohn's disease and ulcerative colitis", _TR, {"a": "DOID:8778", "b": "DOID:8577"}),
    ("Drugs for both epilepsy and bipolar disorder?", _TR, {"a": "DOID:1826", "b": "DOID:3312"}),
    ("Which genes are associated with both type 1 diabetes and celiac disease?", _GA, {"a": "DOID:9744", "b": "DOID:10608"}),
    ("genes associated with both multiple sclerosis and rheumatoid arthritis", _GA, {"a": "DOID:2377", "b": "DOID:7148"}),
    ("What genes do Crohn's disease and ulcerative colitis have in common?", _GA, {"a": "DOID:8778", "b": "DOID:8577"}),
    ("Which genes are bound by both haloperidol and clozapine?", _GB, {"a": "DRUGBANK:DB00502", "b": "DRUGBANK:DB00363"}),
    ("targets shared by fluoxetine and sertraline", _GB, {"a": "DRUGBANK:DB00472", "b": "DRUGBANK:DB01104"}),
    ("Which genes do both olanzapine and risperidone bind?", _GB, {"a": "DRUGBANK:DB00334", "b": "DRUGBANK:DB00734"}),
    ("What side effects do ibuprofen and celecoxib have in common?", _SE, {"a": "DRUGBANK:DB01050", "b": "DRUGBANK:DB00482"}),
    ("side effects shared by lithium and valproic acid", _SE, {"a": "DRUGBANK:DB01356", "b": "DRUGBANK:DB00313"}),
    ("Which symptoms do Parkinson's disease and multiple sclerosis share?", _SY, {"a": "DOID:14330", "b": "DOID:2377"}),
])

_TRN = ("MATCH (n:Compound)-[:treats]->(:Disease {curie: $a}) WHERE NOT EXISTS { MATCH (n)-[:treats]->(:Disease {curie: $b}) }"
        + _RET)
_GAN = (f"MATCH (:Disease {{curie: $a}})-[:{_ASSOC}]->(n:Gene) WHERE NOT EXISTS {{ MATCH (:Disease {{curie: $b}})-[:{_ASSOC}]->(n) }}"
        + _RET)
_GBN = (f"MATCH (:Compound {{curie: $a}})-[:{_BIND}]->(n:Gene) WHERE NOT EXISTS {{ MATCH (:Compound {{curie: $b}})-[:{_BIND}]->(n) }}"
        + _RET)

DIFFERENCE = (LIST, None, [
    ("Which drugs treat hypertension but not coronary artery disease?", _TRN, {"a": "DOID:10763", "b": "DOID:3393"}),
    ("drugs for asthma but not COPD", _TRN, {"a": "DOID:2841", "b": "DOID:3083"}),
    ("What treats epilepsy but not bipolar disorder?", _TRN, {"a": "DOID:1826", "b": "DOID:3312"}),
    ("Which compounds are indicated for ulcerative colitis but not for Crohn's disease?", _TRN, {"a": "DOID:8577", "b": "DOID:8778"}),
    ("Which genes are associated with type 1 diabetes but not with type 2 diabetes?", _GAN, {"a": "DOID:9744", "b": "DOID:9352"}),
    ("genes associated with Crohn's disease but not ulcerative colitis", _GAN, {"a": "DOID:8778", "b": "DOID:8577"}),
    ("What genes are linked to multiple sclerosis but not to rheumatoid arthritis?", _GAN, {"a": "DOID:2377", "b": "DOID:7148"}),
    ("Which genes does clozapine bind but not haloperidol?", _GBN, {"a": "DRUGBANK:DB00363", "b": "DRUGBANK:DB00502"}),
    ("targets of olanzapine that risperidone does not bind", _GBN, {"a": "DRUGBANK:DB00334", "b": "DRUGBANK:DB00734"}),
    ("Which genes are bound by sertraline but not by fluoxetine?", _GBN, {"a": "DRUGBANK:DB01104", "b": "DRUGBANK:DB00472"}),
])


def _top(match: str, k: int) -> str:
    return (match + " WITH n, count(DISTINCT m) AS degree RETURN n.curie AS curie, n.name AS name"
            + f" ORDER BY degree DESC, curie LIMIT {k}")


TOP_K = (LIST, None, [
    ("Which 5 drugs bind the most genes?", _top(f"MATCH (n:Compound)-[:{_BIND}]->(m:Gene)", 5)),
    ("What are the top 3 diseases with the most associated genes?", _top(f"MATCH (n:Disease)-[:{_ASSOC}]->(m:Gene)", 3)),
    ("which 10 genes are bound by the most drugs", _top(f"MATCH (n:Gene)<-[:{_BIND}]-(m:Compound)", 10)),
    ("Which disease is treated by the most drugs?", _top("MATCH (n:Disease)<-[:treats]-(m:Compound)", 1)),
    ("top 5 compounds with the most side effects", _top("MATCH (n:Compound)-[:has_side_effect]->(m:SideEffect)", 5)),
    ("Which 3 diseases have the most symptoms?", _top("MATCH (n:Disease)-[:has_phenotype]->(m:Symptom)", 3)),
    ("Which drug treats the most diseases?", _top("MATCH (n:Compound)-[:treats]->(m:Disease)", 1)),
    ("Among drugs that treat hypertension, which 3 bind the most genes?",
     _top(f"MATCH (n:Compound)-[:treats]->(:Disease {{curie: 'DOID:10763'}}) MATCH (n)-[:{_BIND}]->(m:Gene)", 3)),
    ("Of the genes associated with breast cancer, which 5 are targeted by the most compounds?",
     _top(f"MATCH (:Disease {{curie: 'DOID:1612'}})-[:{_ASSOC}]->(n:Gene) MATCH (n)<-[:{_BIND}]-(m:Compound)", 5)),
    ("top 5 pharmacologic classes by number of member drugs", _top("MATCH (n:PharmacologicClass)-[:has_member]->(m:Compound)", 5)),
    ("Which 3 drugs for epilepsy have the most side effects?",
     _top("MATCH (n:Compound)-[:treats]->(:Disease {curie: 'DOID:1826'}) MATCH (n)-[:has_side_effect]->(m:SideEffect)", 3)),
    ("What 5 anatomical structures have the most diseases localized to them?",
     _top("MATCH (n:Anatomy)<-[:disease_has_location]-(m:Disease)", 5)),
])

UNANSWERABLE = ("unanswerable", None, [
    "What is the recommended dose of metformin?",
    "How much does atorvastatin cost?",
    "When was imatinib approved by the FDA?",
    "Who manufactures Lipitor?",
    "What is the half-life of warfarin?",
    "Which biological processes does TP53 participate in?",
    "what molecular functions does EGFR have",
    "In which cellular component is INS located?",
    "How many people in the world have type 2 diabetes?",
    "What is the prevalence of asthma in children?",
    "Is ibuprofen safe during pregnancy?",
    "What is the mechanism of action of aspirin?",
    "How many clinical trials are testing metformin for cancer?",
    "What is the capital of France?",
    "who discovered penicillin",
    "Which chromosome is BRCA1 on?",
    "What is the molecular weight of caffeine?",
    "What foods should people with gout avoid?",
    "Which hospitals treat multiple sclerosis?",
    "What is the survival rate of pancreatic cancer?",
    "Which drugs treat Ebola virus disease?",
    "What genes does trastuzumab bind?",
    "What are the side effects of the COVID-19 vaccine?",
    "what is the weather like today",
    "Which drugs treat long covid?",
    "How long does it take for sertraline to work?",
    "What are the brand names of acetaminophen?",
    "Which insurance plans cover insulin glargine?",
    "What is the ICD-10 code for asthma?",
    "Can I drink alcohol while taking metronidazole?",
    "What is the age of onset of Huntington's disease?",
    "What dose of prednisone is used for asthma attacks?",
    "What is the 3D structure of the EGFR protein?",
    "Which patients respond best to lithium?",
    "what year was the disease ontology released",
    "Is coffee good for you?",
    "How tall is the average adult?",
    "Which drugs were withdrawn from the market in 2004?",
    "what genes are mutated in zika virus infection",
    "Which universities study Alzheimer's disease?",
    "What is the incidence of melanoma in Australia?",
    "How is insulin manufactured?",
    # the graph only associates genes with diseases; no relation says a drug worsens a disease
    "What genes cause Alzheimer's disease?",
    "Which drugs worsen asthma?",
])

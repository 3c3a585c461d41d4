# ruff: noqa: E501
"""Dev questions for ``kg ask``: side effects, symptoms, anatomy, classes, pathways, similarity, interactions,
expression. Same format as ``questions_onehop``; gold Cypher written by hand, independent of the parser.
"""

from __future__ import annotations

LIST = "list"

_RET = " RETURN DISTINCT n.curie AS curie, n.name AS name"

SIDE_EFFECTS = (LIST, "MATCH (c:Compound {curie: $c})-[:has_side_effect]->(n:SideEffect)" + _RET, [
    ("What are the side effects of metformin?", {"c": "DRUGBANK:DB00331"}),
    ("adverse effects of ibuprofen", {"c": "DRUGBANK:DB01050"}),
    ("Which side effects does lithium cause?", {"c": "DRUGBANK:DB01356"}),
    ("what adverse reactions are caused by gabapentin", {"c": "DRUGBANK:DB00996"}),
    ("Side effects of sertraline?", {"c": "DRUGBANK:DB01104"}),
    ("what side effects does amlodipine have", {"c": "DRUGBANK:DB00381"}),
    ("List the adverse events of omeprazole", {"c": "DRUGBANK:DB00338"}),
    ("which side-effects are caused by bupropion?", {"c": "DRUGBANK:DB01156"}),
])

SIDE_EFFECT_DRUGS = (LIST, "MATCH (n:Compound)-[:has_side_effect]->(s:SideEffect {curie: $s})" + _RET, [
    ("Which drugs cause hepatotoxicity?", {"s": "UMLS:C0235378"}),
    ("what drugs cause angioedema as a side effect", {"s": "UMLS:C0002994"}),
    ("Which compounds have alopecia as a side effect?", {"s": "UMLS:C0002170"}),
    ("drugs that cause hypoglycaemia", {"s": "UMLS:C0020615"}),
    ("Which drugs lead to hepatotoxicity?", {"s": "UMLS:C0235378"}),
    ("What drugs induce angioedema?", {"s": "UMLS:C0002994"}),
    # hypertension is a Disease and a SideEffect: only the side effect has a causal relation to drugs
    ("Which drugs cause hypertension?", {"s": "UMLS:C0020538"}),
])

SYMPTOMS = (LIST, "MATCH (d:Disease {curie: $d})-[:has_phenotype]->(n:Symptom)" + _RET, [
    ("What are the symptoms of Parkinson's disease?", {"d": "DOID:14330"}),
    ("symptoms of multiple sclerosis", {"d": "DOID:2377"}),
    ("Which symptoms does asthma present with?", {"d": "DOID:2841"}),
    ("what are the signs and symptoms of hypothyroidism", {"d": "DOID:1459"}),
    ("How does migraine present? List its symptoms.", {"d": "DOID:6364"}),
    ("Symptoms of alzheimers", {"d": "DOID:10652"}),
    ("which symptoms are associated with COPD?", {"d": "DOID:3083"}),
    ("what symptoms does epilepsy have", {"d": "DOID:1826"}),
    ("What symptoms are seen in lupus?", {"d": "DOID:9074"}),
])

SYMPTOM_DISEASES = (LIST, "MATCH (n:Disease)-[:has_phenotype]->(s:Symptom {curie: $s})" + _RET, [
    ("Which diseases present with tremor?", {"s": "MESH:D014202"}),
    ("what diseases have hallucinations as a symptom", {"s": "MESH:D006212"}),
    ("Which diseases cause dyspnea?", {"s": "MESH:D004417"}),
    ("diseases presenting with seizures", {"s": "MESH:D012640"}),
    ("Which diseases have memory disorders as a symptom?", {"s": "MESH:D008569"}),
])

LOCALIZES = (LIST, "MATCH (d:Disease {curie: $d})-[:disease_has_location]->(n:Anatomy)" + _RET, [
    ("Where does multiple sclerosis localize?", {"d": "DOID:2377"}),
    ("which anatomical structures is asthma localized to", {"d": "DOID:2841"}),
    ("What tissues does psoriasis affect?", {"d": "DOID:8893"}),
    ("In which organs is type 1 diabetes localized?", {"d": "DOID:9744"}),
    ("what body parts does glaucoma localize to", {"d": "DOID:1686"}),
    ("Anatomy associated with Crohn's disease", {"d": "DOID:8778"}),
])

LOCATION_DISEASES = (LIST, "MATCH (n:Disease)-[:disease_has_location]->(a:Anatomy {curie: $a})" + _RET, [
    ("Which diseases localize to the lung?", {"a": "UBERON:0002048"}),
    ("what diseases are localized in the liver", {"a": "UBERON:0002107"}),
    ("Diseases that localize to the pancreas", {"a": "UBERON:0001264"}),
    ("which diseases affect the retina", {"a": "UBERON:0000966"}),
    ("Which diseases localize to the thyroid gland?", {"a": "UBERON:0002046"}),
])

CLASSES = (LIST, "MATCH (n:PharmacologicClass)-[:has_member]->(c:Compound {curie: $c})" + _RET, [
    ("What pharmacologic class does simvastatin belong to?", {"c": "DRUGBANK:DB00641"}),
    ("drug classes of ibuprofen", {"c": "DRUGBANK:DB01050"}),
    ("Which pharmacological classes include fluoxetine?", {"c": "DRUGBANK:DB00472"}),
    ("what class of drug is metoprolol", {"c": "DRUGBANK:DB00264"}),
    ("What are the pharmacologic classes of losartan?", {"c": "DRUGBANK:DB00678"}),
    ("which drug classes is haloperidol in", {"c": "DRUGBANK:DB00502"}),
])

CLASS_MEMBERS = (LIST, "MATCH (p:PharmacologicClass {curie: $p})-[:has_member]->(n:Compound)" + _RET, [
    ("Which drugs are calcium channel antagonists?", {"p": "NDFRT:N0000000069"}),
    ("list the serotonin uptake inhibitors", {"p": "NDFRT:N0000000109"}),
    ("What compounds are in the class Cyclooxygenase Inhibitors?", {"p": "NDFRT:N0000000160"}),
    ("members of the thiazides class", {"p": "NDFRT:N0000166469"}),
    ("Which drugs are benzodiazepines?", {"p": "NDFRT:N0000007542"}),
    ("which compounds are protein kinase inhibitors", {"p": "NDFRT:N0000175076"}),
    ("What drugs are opioid agonists?", {"p": "NDFRT:N0000000174"}),
])

PATHWAYS = (LIST, "MATCH (g:Gene {curie: $g})-[:participates_in]->(n:Pathway)" + _RET, [
    ("Which pathways does INS participate in?", {"g": "NCBIGene:3630"}),
    ("what pathways is MTOR involved in", {"g": "NCBIGene:2475"}),
    ("Pathways of JAK2", {"g": "NCBIGene:3717"}),
    ("In which pathways does VEGFA take part?", {"g": "NCBIGene:7422"}),
    ("what pathways include KIT?", {"g": "NCBIGene:3815"}),
])

PATHWAY_GENES = (LIST, "MATCH (n:Gene)-[:participates_in]->(p:Pathway {curie: $p})" + _RET, [
    ("Which genes participate in the mTOR signaling pathway?", {"p": "PATHWAYCOMMONS:PC7_12078"}),
    ("genes in the Insulin Pathway", {"p": "PATHWAYCOMMONS:PC7_4745"}),
    ("What genes are involved in tryptophan metabolism?", {"p": "WIKIPATHWAYS:WP465_r79226"}),
    ("which genes take part in glucuronidation", {"p": "PATHWAYCOMMONS:PC7_4214"}),
])

SIMILAR = (LIST, "MATCH (c {curie: $x})-[:chemically_similar_to|similar_to]-(n) RETURN DISTINCT n.curie AS curie, n.name AS name", [
    ("Which compounds are similar to imatinib?", {"x": "DRUGBANK:DB00619"}),
    ("drugs that resemble haloperidol", {"x": "DRUGBANK:DB00502"}),
    ("What compounds are chemically similar to atorvastatin?", {"x": "DRUGBANK:DB01076"}),
    ("compounds resembling morphine", {"x": "DRUGBANK:DB00295"}),
    ("Which diseases resemble Crohn's disease?", {"x": "DOID:8778"}),
    ("what diseases are similar to ulcerative colitis", {"x": "DOID:8577"}),
    ("Diseases similar to schizophrenia?", {"x": "DOID:5419"}),
    ("which diseases resemble rheumatoid arthritis", {"x": "DOID:7148"}),
])

INTERACTS = (LIST, "MATCH (g:Gene {curie: $g})-[:physically_interacts_with]-(n:Gene)" + _RET, [
    ("Which genes interact with TP53?", {"g": "NCBIGene:7157"}),
    ("what proteins interact with BRCA1", {"g": "NCBIGene:672"}),
    ("Interaction partners of EGFR", {"g": "NCBIGene:1956"}),
    ("which genes does APOE interact with?", {"g": "NCBIGene:348"}),
    ("genes interacting with ESR1", {"g": "NCBIGene:2099"}),
])

EXPRESSION = (LIST, "MATCH (x {curie: $x})-[r:expresses|affects]->(n:Gene) WHERE r.object_direction_qualifier = $dir"
              + _RET, [
    ("Which genes are upregulated in multiple sclerosis?", {"x": "DOID:2377", "dir": "increased"}),
    ("what genes are downregulated by metformin", {"x": "DRUGBANK:DB00331", "dir": "decreased"}),
    ("Which genes does imatinib upregulate?", {"x": "DRUGBANK:DB00619", "dir": "increased"}),
    ("genes down-regulated in psoriasis", {"x": "DOID:8893", "dir": "decreased"}),
    ("Which genes are upregulated in the liver?", {"x": "UBERON:0002107", "dir": "increased"}),
    ("what genes does the heart downregulate", {"x": "UBERON:0000948", "dir": "decreased"}),
    ("Which genes are over-expressed in breast cancer?", {"x": "DOID:1612", "dir": "increased"}),
])

EXPRESSED_IN = (LIST, "MATCH (n:Anatomy)-[r:expresses]->(g:Gene {curie: $g}) WHERE r.object_direction_qualifier IS NULL"
                + _RET, [
    ("In which tissues is INS expressed?", {"g": "NCBIGene:3630"}),
    ("where is DRD2 expressed", {"g": "NCBIGene:1813"}),
    ("Which anatomical structures express VKORC1?", {"g": "NCBIGene:79001"}),
    ("what tissues express PDE5A", {"g": "NCBIGene:8654"}),
])

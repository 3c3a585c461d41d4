"""Dev questions for ``kg ask``: one-hop list questions, each family with its own hand-written gold Cypher.

Written before the parser, phrased the way analysts write (paraphrases, synonyms, abbreviations, typos,
lower case). Each family is ``(kind, cypher, [(question, params), ...])``; the Cypher is independent of
``cypher.plan`` and is what ``make_gold.py`` runs over the full Hetionet + PharmacotherapyDB graph.
"""

from __future__ import annotations

LIST = "list"

_RET = " RETURN DISTINCT n.curie AS curie, n.name AS name"

TREATS = (LIST, "MATCH (n:Compound)-[:treats]->(d:Disease {curie: $d})" + _RET, [
    ("What drugs treat type 2 diabetes?", {"d": "DOID:9352"}),
    ("which medications are indicated for hypertension", {"d": "DOID:10763"}),
    ("List compounds used to treat Alzheimer's disease.", {"d": "DOID:10652"}),
    ("what are the treatments for parkinsons disease", {"d": "DOID:14330"}),
    ("Which drugs are approved for epilepsy?", {"d": "DOID:1826"}),
    ("drugs for asthma", {"d": "DOID:2841"}),
    ("What can be used to treat RA?", {"d": "DOID:7148"}),
    ("Which compounds are therapies for multiple sclerosis?", {"d": "DOID:2377"}),
    ("medicines that treat breast cancer", {"d": "DOID:1612"}),
    ("Show me the drugs indicated for schizophrenia", {"d": "DOID:5419"}),
    ("What treats gout?", {"d": "DOID:13189"}),
    ("which drugs treat osteoporsis", {"d": "DOID:11476"}),
    ("Drugs used for COPD?", {"d": "DOID:3083"}),
    ("what medications treat coronary artery disease", {"d": "DOID:3393"}),
    ("Which compounds treat psoriasis?", {"d": "DOID:8893"}),
    ("treatments for crohn's disease", {"d": "DOID:8778"}),
    ("What drugs are indicated for T2DM?", {"d": "DOID:9352"}),
    ("Which drugs treat ulcerative colitis?", {"d": "DOID:8577"}),
    ("list the drugs that treat bipolar disorder", {"d": "DOID:3312"}),
    ("What compounds treat glaucoma", {"d": "DOID:1686"}),
    ("what treats malaria?", {"d": "DOID:12365"}),
    ("Which drugs treat hypothyroidism?", {"d": "DOID:1459"}),
    ("drugs indicated for migrane", {"d": "DOID:6364"}),
    ("Which medicines treat atherosclerosis?", {"d": "DOID:1936"}),
])

TREATED_BY = (LIST, "MATCH (c:Compound {curie: $c})-[:treats]->(n:Disease)" + _RET, [
    ("What does metformin treat?", {"c": "DRUGBANK:DB00331"}),
    ("Which diseases is atorvastatin indicated for?", {"c": "DRUGBANK:DB01076"}),
    ("what conditions does prednisone treat", {"c": "DRUGBANK:DB00635"}),
    ("Indications of methotrexate", {"c": "DRUGBANK:DB00563"}),
    ("Which diseases can be treated with aspirin?", {"c": "DRUGBANK:DB00945"}),
    ("what is lisinopril used to treat?", {"c": "DRUGBANK:DB00722"}),
    ("Which diseases does dexamethasone treat?", {"c": "DRUGBANK:DB01234"}),
    ("what diseases does carbamazapine treat", {"c": "DRUGBANK:DB00564"}),
    ("What is tamoxifen indicated for?", {"c": "DRUGBANK:DB00675"}),
    ("diseases treated by valproic acid", {"c": "DRUGBANK:DB00313"}),
    ("What does L-DOPA treat?", {"c": "DRUGBANK:DB01235"}),
    ("which illnesses does propranolol treat?", {"c": "DRUGBANK:DB00571"}),
    ("What are the indications for hydrochlorothiazide?", {"c": "DRUGBANK:DB00999"}),
    ("what does APAP treat", {"c": "DRUGBANK:DB00316"}),
])

PALLIATES = (LIST, "MATCH (n:Compound)-[:ameliorates_condition]->(d:Disease {curie: $d})" + _RET, [
    ("Which drugs palliate multiple sclerosis?", {"d": "DOID:2377"}),
    ("what drugs relieve the symptoms of parkinson's disease", {"d": "DOID:14330"}),
    ("Which compounds provide symptomatic relief for rheumatoid arthritis?", {"d": "DOID:7148"}),
    ("Drugs that palliate lung cancer", {"d": "DOID:1324"}),
    ("what compounds palliate osteoarthritis?", {"d": "DOID:8398"}),
    ("Which medications relieve symptoms of migraine?", {"d": "DOID:6364"}),
    ("drugs used symptomatically for ALS", {"d": "DOID:332"}),
    ("Which drugs palliate Crohn's disease?", {"d": "DOID:8778"}),
])

NOT_INDICATED = (LIST, "MATCH (n:Compound)-[:not_indicated_for]->(d:Disease {curie: $d})" + _RET, [
    ("Which drugs are not indicated for hypertension?", {"d": "DOID:10763"}),
    ("what compounds are listed as non-indications for epilepsy", {"d": "DOID:1826"}),
    ("drugs that are not indicated for asthma", {"d": "DOID:2841"}),
    ("Which medications are not indicated for type 2 diabetes mellitus?", {"d": "DOID:9352"}),
    ("what drugs are not indicated for schizophrenia", {"d": "DOID:5419"}),
    ("Which drugs are not indicated for coronary artery disease?", {"d": "DOID:3393"}),
])

TARGETS = (LIST, "MATCH (c:Compound {curie: $c})-[:directly_physically_interacts_with]->(n:Gene)" + _RET, [
    ("What genes does imatinib bind?", {"c": "DRUGBANK:DB00619"}),
    ("What are the targets of metformin?", {"c": "DRUGBANK:DB00331"}),
    ("which proteins does fluoxetine bind to", {"c": "DRUGBANK:DB00472"}),
    ("targets of haloperidol", {"c": "DRUGBANK:DB00502"}),
    ("Which genes are bound by clozapine?", {"c": "DRUGBANK:DB00363"}),
    ("what does celecoxib target", {"c": "DRUGBANK:DB00482"}),
    ("Which genes does aspirin bind?", {"c": "DRUGBANK:DB00945"}),
    ("List the gene targets of erlotinib", {"c": "DRUGBANK:DB00530"}),
    ("what genes does olanzapine bind", {"c": "DRUGBANK:DB00334"}),
    ("Which genes does sildenafil target?", {"c": "DRUGBANK:DB00203"}),
    ("What proteins does warfrin bind?", {"c": "DRUGBANK:DB00682"}),
    ("Which genes does donepezil target?", {"c": "DRUGBANK:DB00843"}),
    ("what are the molecular targets of sorafenib", {"c": "DRUGBANK:DB00398"}),
    ("Which genes does Albuterol bind?", {"c": "DRUGBANK:DB01001"}),
    ("Targets of risperidone?", {"c": "DRUGBANK:DB00734"}),
])

BINDERS = (LIST, "MATCH (n:Compound)-[:directly_physically_interacts_with]->(g:Gene {curie: $g})" + _RET, [
    ("Which drugs bind EGFR?", {"g": "NCBIGene:1956"}),
    ("what compounds target DRD2", {"g": "NCBIGene:1813"}),
    ("Which drugs target PTGS2?", {"g": "NCBIGene:5743"}),
    ("compounds that bind HTR2A", {"g": "NCBIGene:3356"}),
    ("What drugs bind to the serotonin transporter SLC6A4?", {"g": "NCBIGene:6532"}),
    ("which drugs target ADRB1", {"g": "NCBIGene:153"}),
    ("Which compounds bind ESR1?", {"g": "NCBIGene:2099"}),
    ("what drugs bind HMGCR", {"g": "NCBIGene:3156"}),
    ("Which drugs target COX-2?", {"g": "NCBIGene:5743"}),
    ("drugs binding ACHE", {"g": "NCBIGene:43"}),
    ("Which compounds bind OPRM1?", {"g": "NCBIGene:4988"}),
    ("What drugs target the gene ABL1?", {"g": "NCBIGene:25"}),
])

DISEASE_GENES = (LIST, "MATCH (d:Disease {curie: $d})-[:condition_associated_with_gene]->(n:Gene)" + _RET, [
    ("Which genes are associated with Alzheimer's disease?", {"d": "DOID:10652"}),
    ("genes associated with multiple sclerosis", {"d": "DOID:2377"}),
    ("What genes are linked to type 1 diabetes?", {"d": "DOID:9744"}),
    ("Which genes are associated with schizophrenia", {"d": "DOID:5419"}),
    ("what genes are implicated in parkinson disease", {"d": "DOID:14330"}),
    ("Genes associated with glaucoma?", {"d": "DOID:1686"}),
    ("Which genes are associated with celiac disease?", {"d": "DOID:10608"}),
    ("genes linked to gout", {"d": "DOID:13189"}),
    ("what genes are associated with ALS", {"d": "DOID:332"}),
    ("Which genes are associated with psoriasis?", {"d": "DOID:8893"}),
    ("What are the genes associated with obesity?", {"d": "DOID:9970"}),
])

GENE_DISEASES = (LIST, "MATCH (n:Disease)-[:condition_associated_with_gene]->(g:Gene {curie: $g})" + _RET, [
    ("Which diseases are associated with APOE?", {"g": "NCBIGene:348"}),
    ("what diseases is TNF associated with", {"g": "NCBIGene:7124"}),
    ("Diseases associated with BRCA1", {"g": "NCBIGene:672"}),
    ("which diseases are linked to the gene IL6?", {"g": "NCBIGene:3569"}),
    ("What diseases is PPARG associated with?", {"g": "NCBIGene:5468"}),
    ("diseases associated with tp53", {"g": "NCBIGene:7157"}),
])

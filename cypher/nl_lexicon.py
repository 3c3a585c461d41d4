"""Words of analysts' questions: relation cues, answer-type nouns, question shapes, out-of-graph topics.

Phrases are written normalised (lower case, words split on anything but letters and digits, apostrophes
dropped) and matched longest first. A cue names a relation by key; ``RELATIONS`` maps each key onto the
schema predicates it may stand for (the parser picks the one whose endpoint categories fit). A cue that fits
no predicate between the categories it joins is never replaced by the pair's usual relation (``DEFAULTS``):
"drugs that cause Alzheimer's disease" is not "drugs that treat" it.
"""

from __future__ import annotations

# relation key -> (predicate, qualifiers) options; the parser keeps those the schema allows for a pair.
RELATIONS: dict[str, tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...]] = {
    "treats": (("treats", ()),),
    "palliates": (("ameliorates_condition", ()),),
    "not_indicated": (("not_indicated_for", ()),),
    "binds": (("directly_physically_interacts_with", ()),),
    "associated": (("condition_associated_with_gene", ()), ("has_phenotype", ()), ("disease_has_location", ())),
    "side_effect": (("has_side_effect", ()), ("causes", ())),  # a disease a drug induces is an adverse effect
    "presents": (("has_phenotype", ()),),
    "localizes": (("disease_has_location", ()),),
    "member": (("has_member", ()),),
    "pathway": (("participates_in", ()),),
    "resembles": (("chemically_similar_to", ()), ("similar_to", ())),
    "interacts": (("physically_interacts_with", ()),),
    "expresses": (("expresses", (("object_direction_qualifier", None),)),),
    "up": (("expresses", (("object_direction_qualifier", "increased"),)),
           ("affects", (("object_direction_qualifier", "increased"),))),
    "down": (("expresses", (("object_direction_qualifier", "decreased"),)),
             ("affects", (("object_direction_qualifier", "decreased"),))),
    # Causal: a drug's side effects (Hetionet/SIDER), a chemical inducing a disease (text-mined from literature,
    # with evidence), a disease's symptoms.
    "causes": (("has_side_effect", ()), ("causes", ()), ("has_phenotype", ())),
    # "induce": causal, or increased expression for genes ("drugs that induce CYP3A4").
    "induces": (("has_side_effect", ()), ("causes", ()), ("has_phenotype", ()),
                ("expresses", (("object_direction_qualifier", "increased"),)),
                ("affects", (("object_direction_qualifier", "increased"),))),
    "processes": (("participates_in", ()), ("enables", ()), ("located_in", ())),
}

# More specific relations win when several cues fit the same pair of categories.
PRIORITY = ("not_indicated", "palliates", "up", "down", "treats", "binds", "side_effect", "presents", "localizes",
            "member", "pathway", "resembles", "interacts", "expresses", "processes", "causes", "induces",
            "associated")
# Relation keys that claim causation: never answered by another relation, never bridged through one.
CAUSAL = frozenset({"causes", "induces", "side_effect"})
# Relations a two-hop link may add between a cue's end and a category the question names when the cue itself
# does not reach it: membership ("serotonin uptake inhibitors treat" = their member drugs treat; a drug "binds"
# a pathway through the pathway's genes). Any other unnamed relation would change the question.
BRIDGES = frozenset({"member", "pathway"})

_CUES = {
    "treats": "treat treats treated treating treatment treatments therapy therapies therapeutic indicated indication "
              "indications used|used for|used to treat|used in|approved for|prescribed for|cure|cures|remedy for",
    "palliates": "palliate palliates palliated palliating palliative palliation relieve relieves relieving relief "
                 "symptomatic symptomatically|relieve the symptoms of|relieve symptoms of|symptomatic relief for",
    "not_indicated": "|not indicated|non indication|non indications|nonindication|not indicated for|contraindicated|"
                     "contraindication|contraindications",
    "binds": "bind binds bound binding target targets targeted targeting|molecular targets|gene targets|act on|"
             "acts on",
    "associated": "associated associates association linked implicated related connected|associated with",
    "side_effect": "|side effect|side effects|adverse effect|adverse effects|adverse reaction|adverse reactions|"
                   "adverse event|adverse events|side-effects|toxicity|toxicities",
    "presents": "present presents presenting presentation manifest manifests manifestation manifestations show "
                "shows|present with|presenting with",
    "localizes": "localize localizes localized localised localise localization location locations affect affects "
                 "affected|localize to|localized in|localized to|found in",
    "member": "belong belongs member members include includes included|belong to|belongs to|in the class|"
              "class of drug|classes of drug",
    "pathway": "participate participates participating participation involved involve involves|take part|"
               "takes part|involved in",
    "resembles": "similar resemble resembles resembling resemblance analog analogs analogue analogues|"
                 "chemically similar|similar to",
    "interacts": "interact interacts interacting interaction interactions|interaction partners|"
                 "interaction partner|binding partners",
    "expresses": "express expresses expressed expression expressing",
    "up": "upregulate upregulates upregulated upregulation overexpressed overexpression|up regulate|"
          "up regulates|up regulated|over expressed|increased expression|increase|increases",
    "down": "downregulate downregulates downregulated downregulation underexpressed|down regulate|"
            "down regulates|down regulated|under expressed|decreased expression|represses|suppresses|"
            "decrease|decreases",
    "causes": "cause causes caused causing trigger triggers triggered triggering provoke provokes provoked|"
              "give rise to|gives rise to|lead to|leads to|leading to|led to|result in|results in|resulting in|"
              "responsible for",
    "induces": "induce induces induced inducing induction|induced by",
    "processes": "process processes function functions component components|biological process|"
                 "biological processes|molecular function|molecular functions|cellular component|"
                 "cellular components",
}


def _phrases(spec: str) -> list[str]:
    words, _, multi = spec.partition("|")
    return [*words.split(), *(p for p in multi.split("|") if p)] if "|" in spec else spec.split()


CUES: dict[str, str] = {phrase: key for key, spec in _CUES.items() for phrase in _phrases(spec)}

# Answer-type nouns -> category (and, for some, the relation they imply: "targets" are bound genes).
NOUNS: dict[str, tuple[str, str | None]] = {}
for _cat, _words, _rel in (
    ("Compound", "drug drugs medication medications medicine medicines compound compounds chemical chemicals "
                 "agent agents therapeutics pharmaceuticals molecules molecule binders", None),
    ("Gene", "gene genes protein proteins", None),
    ("Gene", "targets|gene targets|molecular targets", "binds"),
    ("Disease", "disease diseases condition conditions disorder disorders illness illnesses illneses", None),
    ("Disease", "indications indication", "treats"),
    ("SideEffect", "|side effect|side effects|adverse effect|adverse effects|adverse reaction|adverse reactions|"
                   "adverse events|adverse event", "side_effect"),
    ("Symptom", "symptom symptoms signs|signs and symptoms", "presents"),
    ("Anatomy", "tissue tissues organ organs anatomy|anatomical structures|anatomical structure|body parts|"
                "body part|anatomical sites|anatomical entities", None),
    ("Pathway", "pathway pathways", "pathway"),
    ("PharmacologicClass", "class classes|pharmacologic class|pharmacologic classes|pharmacological class|"
                           "pharmacological classes|drug class|drug classes|class of drug", "member"),
    ("BiologicalProcess", "|biological process|biological processes", "processes"),
    ("MolecularFunction", "|molecular function|molecular functions", "processes"),
    ("CellularComponent", "|cellular component|cellular components", "processes"),
):
    for _phrase in _phrases(_words):
        NOUNS[_phrase] = (_cat, _rel)

# A relation implied between two categories when the question names no cue ("drugs for asthma").
DEFAULTS: dict[frozenset[str], str] = {
    frozenset({"Compound", "Disease"}): "treats",
    frozenset({"Compound", "Gene"}): "binds",
    frozenset({"Disease", "Gene"}): "associated",
    frozenset({"Compound", "SideEffect"}): "side_effect",
    frozenset({"Disease", "Symptom"}): "presents",
    frozenset({"Disease", "Anatomy"}): "localizes",
    frozenset({"Compound", "PharmacologicClass"}): "member",
    frozenset({"Gene", "Pathway"}): "pathway",
    frozenset({"Compound"}): "resembles",
    frozenset({"Disease"}): "resembles",
    frozenset({"Gene"}): "interacts",
    frozenset({"Anatomy", "Gene"}): "expresses",
}

COUNT_PHRASES = ("how many", "number of", "count the", "count of", "count")
BOOLEAN_STARTS = ("is", "are", "does", "do", "did", "can", "could", "has", "have", "was", "were", "will", "should")
BOTH = ("both", "in common", "shared by", "share", "common to", "shared")
NOT = ("but not", "and not", "not by", "not to", "not with", "not for", "except", "excluding", "but no",
       "does not", "do not", "doesnt", "dont", "not")
OR = ("or", "either")
MOST = ("the most", "most", "highest number of", "largest number of", "greatest number of", "by number of",
        "the highest number of", "the largest number of")
TOP = ("top",)
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "twenty": 20}

# Words that ask for what the graph does not hold: abstain and say so.
OUT_OF_GRAPH = {
    "dose": "dosing", "doses": "dosing", "dosage": "dosing", "dosing": "dosing", "cost": "prices",
    "costs": "prices", "price": "prices", "insurance": "insurance coverage", "manufacturer": "manufacturers",
    "manufactures": "manufacturers", "manufactured": "manufacturing", "approved by": "approval dates",
    "fda": "regulatory approvals", "half life": "pharmacokinetics", "pharmacokinetics": "pharmacokinetics",
    "prevalence": "epidemiology", "incidence": "epidemiology", "survival": "outcomes", "mortality": "outcomes",
    "mechanism": "mechanisms of action", "trial": "clinical trials", "trials": "clinical trials",
    "pregnancy": "safety in pregnancy", "pregnant": "safety in pregnancy", "chromosome": "genomic locations",
    "structure": "structures", "3d": "structures", "molecular weight": "physical properties",
    "weight of": "physical properties", "brand": "brand names", "brand names": "brand names", "icd": "codes",
    "code": "codes", "hospital": "institutions", "hospitals": "institutions", "universities": "institutions",
    "onset": "ages of onset", "withdrawn": "market histories", "patients": "patient records", "people": "epidemiology",
    "foods": "diet", "food": "diet", "weather": "weather", "capital": "geography", "year": "dates",
    "vaccine": "vaccines", "alcohol while": "drug-alcohol interactions", "respond": "treatment responses",
}
WH_OUT = ("when", "who", "why", "where was", "how much", "how long", "how tall", "how is", "how old", "whom")

# Words that carry no meaning for the parse.
_FILLER_WORDS = (
    "a an the of in on to for with by from that which what whats who whom whose is are was were be been being "
    "do does did can could may might will would should shall have has had it its this these those there their "
    "them they i me my we our you your please show list give tell find name names get return all any some "
    "each every known listed used use also and or as at into about between among other others s via than then "
    "let see display provide identify what are kind kinds type types sort sorts common commonly typically "
    "usually often well approved currently available one ones many much how number count top most more both "
    "either but not no only just like such whose where while when same their theirs itself "
)
FILLERS = frozenset(_FILLER_WORDS.split())

"""The scispaCy tokenizer, registered once under a versioned name so training configs can name it."""

from __future__ import annotations

import re
from collections.abc import Callable

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language

TOKENIZER_CALLBACK = "kg_engine.scispacy_tokenizer.v1"


# Extra split points on top of scispaCy's rules. Corpus mentions often end inside what scispaCy keeps as
# one token ("cocaine-induced", "ergotamine/caffeine", "[Ca]o", "Na+"); the NER still joins tokens back
# into "alpha-methyldopa" when that is the mention, so finer tokens only add span boundaries.
EXTRA_INFIXES = (
    r"(?<=[A-Za-z0-9\)\]])[-/](?=[A-Za-z0-9\(\[])",
    r"[\(\)\[\]]",
    r"(?<=[A-Za-z])\+",
)


def use_scispacy_tokenizer(nlp: Language) -> Language:
    """Replace ``nlp``'s tokenizer with scispaCy's rule tokenizer plus the project's extra split points."""
    tokenizer = combined_rule_tokenizer(nlp)
    pattern = tokenizer.infix_finditer.__self__.pattern
    tokenizer.infix_finditer = re.compile("|".join([pattern, *EXTRA_INFIXES])).finditer
    nlp.tokenizer = tokenizer
    return nlp


def blank_scientific() -> Language:
    """A blank English pipeline with the scispaCy tokenizer."""
    return use_scispacy_tokenizer(spacy.blank("en"))


def register() -> None:
    """Register the tokenizer callback with spaCy (idempotent; called by the training entry point)."""
    if TOKENIZER_CALLBACK not in spacy.registry.callbacks:

        def factory() -> Callable[[Language], Language]:
            return use_scispacy_tokenizer

        spacy.registry.callbacks.register(TOKENIZER_CALLBACK, func=factory)

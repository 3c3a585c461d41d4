"""The project's own NER: corpora to spaCy DocBins, training configs, training and assembly."""

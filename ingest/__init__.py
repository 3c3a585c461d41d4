"""Text to typed records with provenance (readers, the scispaCy pipeline, runners)."""

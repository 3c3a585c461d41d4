"""Diagnosis: patient findings in (HPO ids, phenopackets, text), ranked diseases with their evidence out."""

"""Alina's words: reply templates (data), Russian wording helpers and the offline phraser."""

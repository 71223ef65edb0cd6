"""Conditions of the machines: pure functions over the per-turn model, named in the tables."""

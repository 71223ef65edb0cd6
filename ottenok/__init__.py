"""Ottenok: Alina, a WhatsApp sales assistant driven by explicit state machines."""

__version__ = "0.1.0"

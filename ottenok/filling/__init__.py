"""Slot filling: one customer message plus the dialogue state in, a typed `SlotUpdate` out."""

from ottenok.filling.offline import OfflineSlotFiller

__all__ = ["OfflineSlotFiller"]

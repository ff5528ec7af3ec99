"""The scoreboard of a bloc year: criteria, sub-items, bonus items, tie-break rules."""

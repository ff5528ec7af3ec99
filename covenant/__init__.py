"""The year's setup: the covenant (giao ước) with its legal bases and contents, the member list and the units, the
officers' accounts, the phase steps and the year's history pages."""

"""The awards register: emulation titles and forms of commendation each unit received (decision number, date,
issuer, year), entered by the secretariat for earlier years and read by the achievement reports."""

"""The official documents of a bloc year: each kind (covenant, plan, progress report, ranking, score sheet, summary,
minutes, submission dossier) gathers its printed data, is laid out by decree 30/2020 and rendered to PDF by
WeasyPrint, kept until its data changes, checked by its verification code; and the Excel exports. It reads every
domain app below it; nothing depends back on it."""

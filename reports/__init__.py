"""Periodic reporting: the year's reporting periods and extensions, each unit's progress reports from draft to
accepted with their evidence, the completeness board and the reminders and notifications by email."""

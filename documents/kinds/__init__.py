"""One module a document kind; each registers its ``DocumentKind`` on import (imported when the app is ready)."""

from documents.kinds import covenant, minutes, plan, progress, ranking, scoresheet, submission, summary

__all__ = ["covenant", "minutes", "plan", "progress", "ranking", "scoresheet", "submission", "summary"]

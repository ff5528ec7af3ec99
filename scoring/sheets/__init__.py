"""Score sheets: self-scoring, review, release, contests, deductions, approval, and the ranking."""

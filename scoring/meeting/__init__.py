"""The review meeting: secret ballots, the meeting record, award proposals and next year's head."""

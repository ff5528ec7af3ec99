"""Year-end scoring, one feature a package: ``scoreboard`` (criteria, sub-items, bonus items, tie-breaks),
``sheets`` (self-scores, review, contests, deductions, approval; the pure ``engine`` and the ``ranking`` read from
the database) and ``meeting`` (the review meeting, secret ballots, award proposals). Each package holds its models,
services, forms, views and URLs side by side; the features only point down: scoreboard ← sheets ← meeting."""

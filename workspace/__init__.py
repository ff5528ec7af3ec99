"""Where each user lands: the home page, a bloc year's dashboard (members, covenant, reporting, scoreboard at a
glance) and the province's overview of its blocs. It reads every domain app and is read by none."""

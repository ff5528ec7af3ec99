"""The demo (DEMO ONLY): the Kon Tum bloc of the founding document, 2017 and the current year, built from
``fixtures/demo/`` through the domain services (``python manage.py load_demo``). Nothing of the domain imports it."""

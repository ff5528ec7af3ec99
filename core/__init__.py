"""The kernel under every app: the tenancy (provinces, blocs, units, bloc years and their members, profiles),
who may see what (access), the audit log and its display, data versions and the page cache, the lifecycle of a
year (phases, next year) that the apps above register with, errors, and the one number formatter.

It imports no other app of the project; the apps above extend it through its registries.
"""

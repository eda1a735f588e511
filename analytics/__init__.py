"""Exploratory spatial analysis of the measures, for research centres (as GeoDa does it).

- ``weights``: which units are neighbours (queen contiguity from the cached boundary layers,
  islands joined to their nearest unit);
- ``smoothing``: Empirical Bayes rates (global and spatial), where small denominators make raw
  rates unstable;
- ``autocorrelation``: global Moran's I and local Moran (LISA) clusters, by permutation with a
  fixed seed, with an optional false-discovery-rate cut-off;
- ``classes``: class breaks of a choropleth (box map, natural breaks, equal interval, quantiles,
  breaks typed by the user).

The statistics are PySAL's (``libpysal``, ``esda``, ``mapclassify``); this package chooses their
inputs and names their outputs. It reads nothing itself: callers pass values, counts and layers.
It imports no package of the project (``dashboard`` imports it; it never imports ``dashboard``).
"""

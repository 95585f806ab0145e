"""Figures: views drawn with matplotlib (headless, Agg), beside ``symdl.render``'s text views.

- ``style``: colours, line styles, sizes and deterministic saving, for every symdl figure;
- ``mathtext``: symdl's LaTeX as matplotlib's mathtext sets it;
- ``ranges``: an activation's x-window, from its derived facts;
- ``curves``: what an activation's plot shows, as data;
- ``plot``: the activation plots, the gallery and the overlay of derivatives.

Importing ``symdl`` imports none of this (nor matplotlib): ``symdl.plot`` loads it on first use.
"""

"""The lecture's network, one module per stage, each importing only those listed before it:

exact (equal, floats, Evaluator), losses, forward (layer_by_layer: the one recurrence; the pass three
ways), spec (Network, Layer, Applied, the TOML spec), chain (the exact chain rule), float64 (backprop and
finite differences), update (the gradient-descent step), backward (the whole flow and its checks).
spec imports forward for ``Network.forward()``; forward names spec's records only for type checking.
"""

"""The lecture's three network pictures ("네트워크 시각화"), drawn from a network spec and its forward pass.

- ``data``: X, H1, ..., Y as columns of their values, each under its layer's label ("Input Layer ∈ ℝ³");
- ``layers``: the neurons as circles holding their values, every connection drawn;
- ``ops``: every weight on its edge (blue if positive, vermillion if negative, dashed if 0, as wide as it is
  large, its value written where it fits), each neuron's bias above it, and inside each neuron the weighted
  sum Σ (Z) and the activation f (H), with the values of the forward pass.
The values are the forward pass's, written as symdl's views write them (``symdl.figures.contents``).  One
picture shows one example (a row of X).  Layers of more than ``MAX_NEURONS`` neurons are refused (``BadNetwork``).

``scene`` is the picture as data (``symdl.figures.scene``, placed by ``symdl.figures.layout``), ``diagram`` a
matplotlib figure for a notebook, ``files`` the bytes ``symdl diagram`` writes: TikZ, PNG, PDF and SVG.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from symdl.errors import BadParameter
from symdl.figures import layout, style
from symdl.figures.contents import MAX_NEURONS, content, drawable
from symdl.figures.scene import Scene
from symdl.figures.scene import figure as scene_figure
from symdl.figures.tikz import tikz
from symdl.network.spec import Network, lecture_network

LEVELS = ("data", "layers", "ops")
FORMATS = ("tikz", "png", "pdf", "svg")
DEFAULT_FORMATS = ("tikz", "png", "pdf")
EXTENSION = {"tikz": "tex", "png": "png", "pdf": "pdf", "svg": "svg"}


# --------------------------------------------------------------------------- the pictures


def network_of(network: Network | str | Path | None) -> Network:
    """NETWORK itself, the spec file it names, or (None) the lecture's 3-3-2 network."""
    if network is None:
        return lecture_network()
    if isinstance(network, Network):
        return network
    return Network.from_toml(network)


def scene(
    network: Network | str | Path | None = None,
    level: str = "ops",
    lang: str = "en",
    exact: bool = False,
    example: int = 1,
) -> Scene:
    """The picture of LEVEL ("data", "layers" or "ops") as data; see the module docstring."""
    if level not in LEVELS:
        raise BadParameter(f"level {level!r}: choose one of {', '.join(LEVELS)}")
    net = network_of(network)
    drawable(net)  # before the forward pass: a network too large to draw is refused at once
    return layout.place(content(net.forward(), lang, exact, example), level)


def diagram(
    network: Network | str | Path | None = None,
    level: str = "ops",
    lang: str = "en",
    exact: bool = False,
    example: int = 1,
) -> Figure:
    """The picture of LEVEL as a matplotlib figure (a notebook shows it); see ``scene``."""
    return scene_figure(scene(network, level, lang, exact, example))


def files(
    network: Network,
    levels: tuple[str, ...] = LEVELS,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    lang: str = "en",
    exact: bool = False,
) -> dict[str, bytes]:
    """What ``symdl diagram`` writes, by file name (``network-ops.tex``, ...): every picture drawn first."""
    drawable(network)
    data = content(network.forward(), lang, exact)
    out = {}
    for level in levels:
        placed = layout.place(data, level)
        fig = scene_figure(placed) if set(formats) - {"tikz"} else None
        for fmt in formats:
            name = f"{stem(level)}.{EXTENSION[fmt]}"
            if fmt == "tikz":
                comment = (
                    f"symdl diagram --level {level}: the network's {level} picture, for \\input into a slide "
                    "(needs tikz; amssymb for the R of R^n, kotex for Korean).\n"
                    "Scale it with \\resizebox{\\linewidth}{!}{\\input{" + name + "}}."
                )
                out[name] = tikz(placed, comment).encode("utf-8")
            else:
                out[name] = style.encoded(fig, fmt)
    return out


def stem(level: str) -> str:
    """The file name of LEVEL's picture without its extension: ``network-ops``."""
    return f"network-{level}"


__all__ = [
    "DEFAULT_FORMATS",
    "EXTENSION",
    "FORMATS",
    "LEVELS",
    "MAX_NEURONS",
    "diagram",
    "files",
    "network_of",
    "scene",
    "stem",
]

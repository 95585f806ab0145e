"""A scene (``symdl.figures.scene``) as one TikZ picture, for ``\\input`` into slides.

The picture is the matplotlib figure's twin: the same places in inches (``x=1in, y=1in``), sizes in points,
colours by their hex value, and the same drawing order.  It needs only TikZ; ``\\mathbb`` comes from amssymb
where the document loads it (else a bold R stands in), Hangul from kotex.  Text is set in the document's own
fonts at the scene's sizes (7, 8, 9 pt: sizes Computer Modern has), which are narrower than the figure's
DejaVu Sans, so what does not overlap in the figure does not overlap here.  The text is a pure function of
the scene: the same scene gives the same bytes.
"""

from __future__ import annotations

import re

from symdl.figures.scene import Disc, Line, Rect, Scene, Text

_SPECIAL = re.compile(r"([#$%&_{}])")


def escape(text: str) -> str:
    """Plain words as LaTeX text: ``leaky_relu`` is ``leaky\\_relu``."""
    return _SPECIAL.sub(r"\\\1", text).replace("~", r"\textasciitilde{}").replace("^", r"\^{}")


def tikz(scene: Scene, comment: str = "") -> str:
    """SCENE as a ``tikzpicture`` of its own size; COMMENT is written above it, one ``%`` line each."""
    colours = sorted({c for item in scene.items for c in _colours(item)})
    out = [f"% {line}".rstrip() for line in comment.splitlines()]
    out += [
        r"\begin{tikzpicture}[x=1in, y=1in, line cap=butt]",
        r"\providecommand{\mathbb}[1]{\mathbf{#1}}",
    ]
    out += [rf"\definecolor{{{_name(c)}}}{{HTML}}{{{c.lstrip('#').upper()}}}" for c in colours]
    out.append(rf"\useasboundingbox (0,0) rectangle ({_n(scene.width)},{_n(scene.height)});")
    for item in scene.items:
        out.append(_item(item))
    out.append(r"\end{tikzpicture}")
    return "\n".join(out) + "\n"


def _item(item: Text | Disc | Rect | Line) -> str:
    if isinstance(item, Line):
        options = [_name(item.color), f"line width={_n(item.width)}pt"]
        if item.dashed:
            options.append("dash pattern=on 3pt off 2pt")
        if item.head:
            options.append("-stealth")
        return rf"\draw[{', '.join(options)}] {_at(item.start)} -- {_at(item.end)};"
    if isinstance(item, Disc):
        options = f"fill={_name(item.fill)}, draw={_name(item.edge)}, line width={_n(item.width)}pt"
        return rf"\filldraw[{options}] {_at((item.x, item.y))} circle[radius={_n(item.radius)}in];"
    if isinstance(item, Rect):
        options = f"fill={_name(item.fill)}, draw={_name(item.edge)}, line width={_n(item.line)}pt"
        low = (item.x - item.width / 2, item.y - item.height / 2)
        high = (item.x + item.width / 2, item.y + item.height / 2)
        return rf"\filldraw[{options}, rounded corners=0.03in] {_at(low)} rectangle {_at(high)};"
    size = f"{item.size:g}"
    font = rf"\fontsize{{{size}}}{{{item.size * 1.2:g}}}\selectfont" + (r"\bfseries" if item.weight == "bold" else "")
    options = [f"font={font}", f"text={_name(item.color)}", "anchor=" + ("west" if item.align == "left" else "center")]
    options += [f"fill={_name(item.background)}", "inner sep=0.025in"] if item.background else ["inner sep=0pt"]
    return rf"\node[{', '.join(options)}] at {_at((item.x, item.y))} {{{item.tex}}};"


def _colours(item: Text | Disc | Rect | Line) -> list[str]:
    if isinstance(item, Line):
        return [item.color]
    if isinstance(item, Disc | Rect):
        return [item.fill, item.edge]
    return [item.color] + ([item.background] if item.background else [])


def _name(colour: str) -> str:
    """A colour's TikZ name: ``#0072B2`` is ``symdl0072B2``."""
    return "symdl" + colour.lstrip("#").upper()


def _n(value: float) -> str:
    """A length to 4 decimals, without a trailing zero or a negative zero."""
    text = f"{value + 0.0:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _at(point: tuple[float, float]) -> str:
    return f"({_n(point[0])},{_n(point[1])})"


__all__ = ["escape", "tikz"]

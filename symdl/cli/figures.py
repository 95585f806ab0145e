"""The commands that draw: ``plot`` (activations) and ``diagram`` (the network's three pictures)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from symdl.errors import BadParameter

if TYPE_CHECKING:
    pass


from symdl.cli.base import PassOptions, cli, define_option, defined, param_values, write_files


@cli.command("plot")
@click.argument("names", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every activation, the gallery and the overlay of derivatives.")
@click.option("--gallery", is_flag=True, help="Also NAMES (default: the lecture's eight) in one grid: gallery.*.")
@click.option("--overlay", is_flag=True, help="Also NAMES' derivatives (default: sigmoid, tanh, relu): derivatives.*.")
@click.option(
    "-o",
    "--output",
    "directory",
    default="figures",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Write NAME.png, NAME.pdf, ... into this directory (created if missing), where the decks look for them.",
)
@click.option("--format", "fmt", default="png,pdf", show_default=True, metavar="png,pdf,svg", help="File formats.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a parameter of every NAME that has it.",
)
@define_option
def plot_command(
    names: tuple[str, ...],
    every: bool,
    gallery: bool,
    overlay: bool,
    directory: str,
    fmt: str,
    params: tuple[str, ...],
    defines: tuple[str, ...],
) -> None:
    """Plots of NAMES: f and f' on one axes, kinks and asymptotes marked, the definition as the title.

    Every file is drawn before any is written, and each is written whole (replaced, never half-written)."""

    from symdl.catalog import CATALOGUE, activation
    from symdl.figures.plot import GALLERY, OVERLAY, figures
    from symdl.figures.style import encoded, formats

    extensions = formats(fmt)
    mine = defined(defines)
    if (every and names) or not (every or names or mine or gallery or overlay):
        raise click.UsageError("give activation names, --define NAME=EXPR, --gallery, --overlay or --all")
    chosen = [a.name for a in CATALOGUE] if every else [activation(name).name for name in names]
    chosen += [name for name in mine if name not in chosen]
    in_gallery = (list(GALLERY) if every or not chosen else chosen) if gallery or every else None
    in_overlay = (list(OVERLAY) if every or not chosen else chosen) if overlay or every else None
    given = param_values(params)
    have = {p.name for name in [*chosen, *(in_gallery or ()), *(in_overlay or ())] for p in activation(name).parameters}
    for key in given:
        if key not in have:
            raise BadParameter(f"--param {key}: no activation plotted has a parameter {key!r}; drop it or add one")
    stems = [*chosen, *(["gallery"] if in_gallery else []), *(["derivatives"] if in_overlay else [])]

    def draw() -> dict[str, bytes]:
        drawn = figures(chosen, given, in_gallery, in_overlay)
        return {f"{stem}.{ext}": encoded(fig, ext) for stem, fig in drawn.items() for ext in extensions}

    write_files(directory, [f"{stem}.{ext}" for stem in stems for ext in extensions], draw)


@cli.command("diagram")
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--level", type=click.Choice(["data", "layers", "ops", "all"]), default="all", show_default=True,
    help="data: X, H, Y as columns; layers: neurons and connections; ops: weights, biases, Σ and f in each neuron.",
)  # fmt: skip
@click.option(
    "-o", "--output", "directory", default="figures", show_default=True, type=click.Path(file_okay=False),
    help="Write network-data.*, network-layers.*, network-ops.* into this directory (created if missing).",
)  # fmt: skip
@click.option("--format", "fmt", default="tikz,png,pdf", show_default=True, metavar="tikz,png,pdf,svg",
              help="File formats; tikz is a .tex holding one tikzpicture, for \\input into a slide.")  # fmt: skip
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True, help="Language of labels.")
@click.option("--hidden-activation", metavar="NAME", help="Use activation NAME in every hidden layer.")
@click.option("--output-activation", metavar="NAME", help="Use activation NAME in the output layer.")
@click.option("--exact", is_flag=True, help="Write fractions (1/2) rather than the lecture's decimals (0.5).")
@define_option
def diagram_command(
    config: str | None, level: str, directory: str, fmt: str, lang: str, hidden_activation: str | None,
    output_activation: str | None, exact: bool, defines: tuple[str, ...],
) -> None:  # fmt: skip
    """The lecture's three pictures of CONFIG (default: the lecture's 3-3-2 network), one example's forward pass:
    DIR/network-LEVEL.tex, .png, .pdf (.svg).  Layers of at most 8 neurons.

    Every file is drawn before any is written, and each is written whole (replaced, never half-written)."""

    from symdl.figures.diagram import EXTENSION, FORMATS, LEVELS, files, stem
    from symdl.figures.style import formats

    extensions = formats(fmt, FORMATS)
    levels = LEVELS if level == "all" else (level,)
    asked = PassOptions(config, hidden_activation, output_activation, exact, lang, False, False, False, defines)
    names = [f"{stem(one)}.{EXTENSION[ext]}" for one in levels for ext in extensions]
    write_files(directory, names, lambda: files(asked.network(), levels, extensions, lang, exact))

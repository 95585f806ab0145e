"""The ``symdl`` command line: thin commands over the library's views.

Bad input gets one line on stderr and exit status 2: never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from symdl.budget import USER_SECONDS, budget
from symdl.errors import BadOutput, BadParameter, SymdlError
from symdl.files import writable_target, write_whole
from symdl.render.json_text import json_text

if TYPE_CHECKING:
    from symdl.network.backward import Backward
    from symdl.network.forward import Forward
    from symdl.network.spec import Network

Decorator = Callable[[Callable[..., None]], Callable[..., None]]


def _params(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadParameter(f"--param {pair!r}: write NAME=VALUE, e.g. --param alpha=0.2")
        out[name.strip()] = value.strip()
    return out


def _defined(pairs: Sequence[str]) -> list[str]:
    """Register each ``--define NAME=EXPR`` (through symdl's own parser) and return the names, in order."""
    from symdl.parse import define

    names = []
    for pair in pairs:
        name, sep, expression = pair.partition("=")
        if not sep or not name.strip() or not expression.strip():
            raise BadParameter(f"--define {pair!r}: write NAME=EXPR, e.g. --define 'qgelu=x*sigmoid(1.702*x)'")
        names.append(define(name.strip(), expression.strip()).name)
    return names


def _define_option(command: Callable[..., None]) -> Callable[..., None]:
    """``--define NAME=EXPR``, repeatable: your own activation, usable by name in this command."""
    return click.option(
        "--define",
        "defines",
        multiple=True,
        metavar="NAME=EXPR",
        help='Your own activation, e.g. --define "qgelu=x*sigmoid(1.702*x)" (repeatable).',
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="symdl")
def cli() -> None:
    """symdl: activation functions and the lecture's network, derived and checked by SymPy."""


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """The catalogue: name, aliases, parameters and formula of every activation."""
    from symdl.catalog import activation, names
    from symdl.render.notation import tex
    from symdl.render.text import one_line, short_number

    rows = []
    for name in names():
        act = activation(name)
        params = ", ".join(f"{one_line(p.symbol)}={short_number(p.default)}" for p in act.parameters)
        rows.append((act, params))
    if as_json:
        data = [
            {
                "name": act.name,
                "aliases": list(act.aliases),
                "parameters": {p.name: str(p.default) for p in act.parameters},
                "formula": one_line(act.definition),
                "formula_latex": tex(act.definition, act),
            }
            for act, _ in rows
        ]
        click.echo(json_text(data))
        return
    table = [("name", "aliases", "parameters", "formula")]
    table += [(act.name, ", ".join(act.aliases), params, one_line(act.definition)) for act, params in rows]
    widths = [max(len(r[c]) for r in table) for c in range(3)]
    for row in table:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3])


@cli.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Set a parameter, e.g. alpha=0.2.")
@click.option("--latex", "as_latex", is_flag=True, help="Print LaTeX.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(name: str, params: tuple[str, ...], as_latex: bool, as_json: bool) -> None:
    """Definition, derivative, output form, breakpoints and properties of NAME."""
    from symdl.engine.calculus import derive

    given = _params(params)
    _print_derivation(derive(name, given), bool(given), as_latex, as_json)


def _print_derivation(d, substituted: bool, as_latex: bool, as_json: bool) -> None:
    from symdl.render import data, text

    if as_json:
        click.echo(json_text(data.show(d, substituted)))
    elif as_latex:
        from symdl.render.latex import show_snippet

        click.echo(show_snippet(d, substituted))
    else:
        click.echo(text.show(d, substituted))


@cli.command()
@click.argument("expression")
@click.option("--name", default="f", show_default=True, help="Name of the activation.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter and its default.")
@click.option("--latex", "as_latex", is_flag=True, help="Print LaTeX.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def derive(expression: str, name: str, params: tuple[str, ...], as_latex: bool, as_json: bool) -> None:
    """Derive your own activation, e.g. symdl derive "x*tanh(softplus(x))" or "max(a*x, x)" -p a=0.2."""
    from symdl.engine.calculus import derive as derivation
    from symdl.parse import define

    act = define(name, expression, _params(params))
    with budget(USER_SECONDS):  # every fact shares one budget: the answer comes within it
        _print_derivation(derivation(act), False, as_latex, as_json)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every activation (the lecture's eight first).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["snippet", "standalone", "beamer", "markdown"]),
    default="snippet",
    show_default=True,
    help="A snippet for \\input, a standalone document, Beamer frames, or Markdown with $$ blocks.",
)
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True, help="Language of headings.")
@click.option("--variable", type=click.Choice(["x", "z"]), default="x", show_default=True, help="The input's name.")
@click.option(
    "--parameters",
    type=click.Choice(["auto", "symbolic", "values"]),
    default="auto",
    show_default=True,
    help="Parameters by name or by value; auto writes them as the lecture does.",
)
@click.option("--cdot", is_flag=True, help="Write products with \\cdot rather than side by side.")
@click.option("--table", "only_table", is_flag=True, help="Only the comparison table.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write to FILE (replaced whole, keeping its permissions; a link is followed) instead of standard output (-).",
)
@_define_option
def latex(
    names: tuple[str, ...],
    every: bool,
    fmt: str,
    lang: str,
    variable: str,
    parameters: str,
    cdot: bool,
    only_table: bool,
    output: str | None,
    defines: tuple[str, ...],
) -> None:
    """LaTeX or Markdown of NAMES: definition, derivative, worked derivation, comparison table.

    Activations given with --define are added after NAMES (or after the catalogue with --all)."""

    from symdl.catalog import CATALOGUE, activation
    from symdl.render.formats import render
    from symdl.render.notation import Style

    if output is not None:  # a target symdl will refuse is refused before the work
        _output(writable_target, output)
    mine = _defined(defines)
    if (every and names) or not (every or names or mine):
        raise click.UsageError("give activation names, --define NAME=EXPR or --all (not names with --all)")
    chosen = [a.name for a in CATALOGUE] if every else [activation(name).name for name in names]
    chosen += [name for name in mine if name not in chosen]
    with budget(USER_SECONDS):  # your own activations share one budget (the catalogue's are never timed)
        text = render(dict.fromkeys(chosen), fmt, Style(variable, parameters, cdot, lang), only_table)
    if output is None:
        click.echo(text, nl=False)
        return
    _output(write_whole, output, lambda handle: handle.write(text))


def _output(do: Callable[..., Any], output: str, *args: Any) -> None:
    """DO(OUTPUT, *ARGS), a file's check or its writing, with a ``BadOutput`` reported against -o."""
    try:
        do(output, *args)
    except BadOutput as error:
        raise click.BadParameter(str(error), param_hint="-o") from error


@dataclass(frozen=True)
class _PassOptions:
    """What ``forward`` and ``backward`` are asked alike: which network, which activations, which view."""

    config: str | None
    hidden_activation: str | None
    output_activation: str | None
    exact: bool
    lang: str
    as_json: bool
    as_latex: bool
    as_markdown: bool
    defines: tuple[str, ...]

    def network(self) -> Network:
        """CONFIG's network (default: the lecture's) with its activations swapped as asked; one view at most."""
        from symdl.network.spec import Network, lecture_network

        _defined(self.defines)
        for given, what in (
            (self.config, "CONFIG"),
            (self.hidden_activation, "--hidden-activation"),
            (self.output_activation, "--output-activation"),
        ):
            if given is not None and not given.strip():
                raise BadParameter(f"{what} is empty: give a file or a name, or leave the option out")
        if self.as_json + self.as_latex + self.as_markdown > 1:
            raise click.UsageError("choose one of --json, --latex and --markdown")
        net = Network.from_toml(self.config) if self.config is not None else lecture_network()
        if self.hidden_activation is not None or self.output_activation is not None:
            net = net.with_activations(self.hidden_activation, self.output_activation)
        return net

    def show(self, view: ModuleType, result: Forward | Backward) -> None:
        """The pass in the view asked for: JSON, a LaTeX document, Markdown or the terminal report."""
        from symdl.render.blocks import Board

        board = Board(exact=self.exact, lang=self.lang)
        if self.as_json:
            click.echo(json_text(view.data(result, board)))
        elif self.as_latex:
            click.echo(view.document(result, board), nl=False)
        elif self.as_markdown:
            click.echo(view.markdown(result, board), nl=False)
        else:
            click.echo(view.report(result, board))


def _pass_options(which: str, *between: Decorator) -> Decorator:
    """The options of ``forward`` and ``backward`` (the WHICH pass), handed to the command as one ``_PassOptions``
    followed by its own; BETWEEN, the command's own options, are listed after the activations."""
    options = [
        click.argument("config", required=False, type=click.Path(dir_okay=False)),
        click.option("--hidden-activation", metavar="NAME", help="Use activation NAME in every hidden layer."),
        click.option("--output-activation", metavar="NAME", help="Use activation NAME in the output layer."),
        *between,
        click.option("--exact", is_flag=True, help="Write fractions (1/2) rather than the lecture's decimals (0.5)."),
        click.option(
            "--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True, help="Language of headings."
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
        click.option("--latex", "as_latex", is_flag=True, help=f"Print the worked {which} pass as a LaTeX document."),
        click.option("--markdown", "as_markdown", is_flag=True, help=f"Print the worked {which} pass as Markdown."),
        _define_option,
    ]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def with_options(**given: Any) -> None:
            shared = {field.name: given.pop(field.name) for field in fields(_PassOptions)}
            command(_PassOptions(**shared), **given)

        for option in reversed(options):  # as if stacked above the command, top to bottom
            with_options = option(with_options)
        return with_options

    return decorate


@cli.command()
@_pass_options("forward")
def forward(asked: _PassOptions) -> None:
    """The forward pass of CONFIG (default: the lecture's 3-3-2 network): symbolic, exact and NumPy, checked."""
    from symdl.render import network as view

    result = asked.network().forward()
    asked.show(view, result)
    if not result.agreement.agrees:
        click.echo(f"symdl: the three computations disagree: {result.agreement}", err=True)
        sys.exit(1)


@cli.command("check")
@click.option("--only", "only", multiple=True, metavar="NAMES", help="Check only these (repeat or comma-separate).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--quick", is_flag=True, help="Every 10th grid point: a fast look, not the full proof.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Processes (default: one per core).")
@_define_option
def check_command(
    only: tuple[str, ...], as_json: bool, quick: bool, jobs: int | None, defines: tuple[str, ...]
) -> None:
    """Every compiled function against its mathematics; exit status 1 if anything fails.

    With --define, your activations are checked too (with --only, only what it names)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    from symdl.catalog import activation, names
    from symdl.numeric.check import check
    from symdl.render import checks as views

    _defined(defines)  # here, and in each worker (its initializer)
    chosen = [activation(n.strip()).name for item in only for n in item.split(",") if n.strip()]
    if only and not chosen:
        given = " ".join(repr(item) for item in only)
        raise click.BadParameter(
            f"{given} names no activation; give names such as --only relu,gelu", param_hint="--only"
        )
    chosen = chosen or names()
    stride = 10 if quick else 1
    workers = min(jobs or os.cpu_count() or 1, len(chosen))
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_defined, initargs=(defines,)) as pool:
        futures = [pool.submit(check, name, stride) for name in chosen]
        reports = [f.result() for f in tqdm(futures, desc="symdl check", unit="activation", disable=None, leave=False)]
    if as_json:
        click.echo(json_text(views.data(reports)))
    else:
        click.echo(views.table(reports))
        failures = views.details(reports)
        if failures:
            click.echo("\n" + failures)
    if not all(r.passed for r in reports):
        sys.exit(1)


@cli.command()
@_pass_options(
    "backward",
    click.option("--loss", metavar="NAME", help="The loss: mse, bce or cross_entropy (default: the spec's)."),
    click.option("--target", metavar="T", help='The target: "1, 0"; rows of a batch separated by ";".'),
    click.option("--learning-rate", metavar="ETA", help="The step size of the update, e.g. 0.01 or 1/100."),
    click.option(
        "--graph",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="Also draw the computation graph, values and gradients, to FILE (.pdf, .png or .svg).",
    ),
)
def backward(
    asked: _PassOptions, loss: str | None, target: str | None, learning_rate: str | None, graph: str | None
) -> None:
    """Loss, backpropagation and one update for CONFIG (default: the lecture's network): exact, direct, NumPy."""
    from symdl.network.backward import backpropagate, target_from_text
    from symdl.render import backward as view

    if graph is not None:  # a name symdl cannot draw to, or a target it will not replace, fails before the work
        from symdl.render.graph import graph_format

        graph_format(graph)
        writable_target(graph)
    net = asked.network()
    changes = {"loss": loss, "learning_rate": learning_rate}
    changes = {key: value for key, value in changes.items() if value is not None}
    if target is not None:
        changes["target"] = target_from_text(target)
    if changes:
        net = replace(net, **changes)
    result = backpropagate(net)
    if graph is not None:
        from symdl.render.graph import draw_graph

        draw_graph(result, graph)
    asked.show(view, result)
    if not result.checks.agrees:
        click.echo(f"symdl: the gradients disagree: {result.checks}", err=True)
        sys.exit(1)


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
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Set a parameter of every NAME that has it."
)
@_define_option
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
    from pathlib import Path

    from symdl.catalog import CATALOGUE, activation
    from symdl.figures.plot import GALLERY, OVERLAY, figures
    from symdl.figures.style import encoded, formats

    extensions = formats(fmt)
    mine = _defined(defines)
    if (every and names) or not (every or names or mine or gallery or overlay):
        raise click.UsageError("give activation names, --define NAME=EXPR, --gallery, --overlay or --all")
    chosen = [a.name for a in CATALOGUE] if every else [activation(name).name for name in names]
    chosen += [name for name in mine if name not in chosen]
    in_gallery = (list(GALLERY) if every or not chosen else chosen) if gallery or every else None
    in_overlay = (list(OVERLAY) if every or not chosen else chosen) if overlay or every else None
    given = _params(params)
    have = {p.name for name in [*chosen, *(in_gallery or ()), *(in_overlay or ())] for p in activation(name).parameters}
    for key in given:
        if key not in have:
            raise BadParameter(f"--param {key}: no activation plotted has a parameter {key!r}; drop it or add one")
    stems = [*chosen, *(["gallery"] if in_gallery else []), *(["derivatives"] if in_overlay else [])]
    for stem in stems:  # a file symdl will refuse to replace is refused before the work
        for ext in extensions:
            _output(writable_target, str(Path(directory) / f"{stem}.{ext}"))
    drawn = figures(chosen, given, in_gallery, in_overlay)
    files = {Path(directory) / f"{stem}.{ext}": encoded(fig, ext) for stem, fig in drawn.items() for ext in extensions}
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.BadParameter(f"cannot create {directory}: {error.strerror or error}", param_hint="-o") from None
    for target, data in files.items():
        _output(write_whole, str(target), lambda handle, data=data: handle.write(data), True)
        click.echo(str(target))


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
@_define_option
def diagram_command(
    config: str | None, level: str, directory: str, fmt: str, lang: str, hidden_activation: str | None,
    output_activation: str | None, exact: bool, defines: tuple[str, ...],
) -> None:  # fmt: skip
    """The lecture's three pictures of CONFIG (default: the lecture's 3-3-2 network), one example's forward pass:
    DIR/network-LEVEL.tex, .png, .pdf (.svg).  Layers of at most 8 neurons.

    Every file is drawn before any is written, and each is written whole (replaced, never half-written)."""
    from pathlib import Path

    from symdl.figures.diagram import EXTENSION, FORMATS, LEVELS, files, stem
    from symdl.figures.style import formats

    extensions = formats(fmt, FORMATS)
    levels = LEVELS if level == "all" else (level,)
    for name in (f"{stem(one)}.{EXTENSION[ext]}" for one in levels for ext in extensions):
        _output(writable_target, str(Path(directory) / name))  # refused before the work
    asked = _PassOptions(config, hidden_activation, output_activation, exact, lang, False, False, False, defines)
    drawn = files(asked.network(), levels, extensions, lang, exact)
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.BadParameter(f"cannot create {directory}: {error.strerror or error}", param_hint="-o") from None
    for name, data in drawn.items():
        _output(write_whole, str(Path(directory) / name), lambda handle, data=data: handle.write(data), True)
        click.echo(str(Path(directory) / name))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; user errors become one line on stderr and exit status 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="symdl", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("symdl: aborted", err=True)
        sys.exit(1)
    except click.UsageError as error:
        click.echo(f"symdl: {error.format_message()} (see symdl --help)", err=True)
        sys.exit(2)
    except SymdlError as error:
        click.echo(f"symdl: {error}", err=True)
        sys.exit(2)
    except Exception as error:  # an internal error: say so in one line, traceback on request
        if os.environ.get("SYMDL_DEBUG"):
            raise
        click.echo(
            f"symdl: internal error: {type(error).__name__}: {error} (set SYMDL_DEBUG=1 for the traceback)", err=True
        )
        sys.exit(1)

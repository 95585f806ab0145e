"""The commands about activations: ``list``, ``show``, ``derive``, ``latex`` and ``check``."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from symdl.budget import USER_SECONDS, budget
from symdl.files import writable_target, write_whole
from symdl.render.json_text import json_text

if TYPE_CHECKING:
    pass


from symdl.cli.base import cli, define_option, defined, param_values, to_output


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """The catalogue: name, aliases, parameters and formula of every activation."""
    from symdl.render.listing import stored, text

    listing = stored()  # generated from the declarations (symdl/render/listing.py): no SymPy to import
    if as_json:
        keys = ("name", "aliases", "parameters", "formula", "formula_latex")
        click.echo(json_text([{key: row[key] for key in keys} for row in listing]))
        return
    click.echo(text(listing))


@cli.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Set a parameter, e.g. alpha=0.2.")
@click.option("--latex", "as_latex", is_flag=True, help="Print LaTeX.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(name: str, params: tuple[str, ...], as_latex: bool, as_json: bool) -> None:
    """Definition, derivative, output form, breakpoints and properties of NAME."""
    from symdl.engine.calculus import derive

    given = param_values(params)
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

    act = define(name, expression, param_values(params))
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
@define_option
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
        to_output(writable_target, output)
    mine = defined(defines)
    if (every and names) or not (every or names or mine):
        raise click.UsageError("give activation names, --define NAME=EXPR or --all (not names with --all)")
    chosen = [a.name for a in CATALOGUE] if every else [activation(name).name for name in names]
    chosen += [name for name in mine if name not in chosen]
    with budget(USER_SECONDS):  # your own activations share one budget (the catalogue's are never timed)
        text = render(dict.fromkeys(chosen), fmt, Style(variable, parameters, cdot, lang), only_table)
    if output is None:
        click.echo(text, nl=False)
        return
    to_output(write_whole, output, lambda handle: handle.write(text))


@cli.command("check")
@click.option("--only", "only", multiple=True, metavar="NAMES", help="Check only these (repeat or comma-separate).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--quick", is_flag=True, help="Every 10th grid point: a fast look, not the full proof.")
@click.option(
    "--dense",
    type=click.IntRange(1, 10_000_000),
    default=None,
    metavar="N",
    help="Add N random points to each scalar function's grid: half (rounded up) with magnitudes log-uniform "
    "from 1e-300 to 700, either sign, half uniform in [-50, 50]; the same points on every machine.",
)
@click.option("--seed", type=click.IntRange(0), default=None, help="Another draw of the --dense points (default 14).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Processes (default: one per core).")
@define_option
def check_command(
    only: tuple[str, ...],
    as_json: bool,
    quick: bool,
    dense: int | None,
    seed: int | None,
    jobs: int | None,
    defines: tuple[str, ...],
) -> None:
    """Every compiled function against its mathematics; exit status 1 if anything fails.

    With --define, your activations are checked too (with --only, only what it names)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tqdm import tqdm

    from symdl.catalog import activation, names
    from symdl.numeric.check import DENSE_SEED, check
    from symdl.render import checks as views

    defined(defines)  # here, and in each worker (its initializer)
    chosen = [activation(n.strip()).name for item in only for n in item.split(",") if n.strip()]
    if only and not chosen:
        given = " ".join(repr(item) for item in only)
        raise click.BadParameter(
            f"{given} names no activation; give names such as --only relu,gelu", param_hint="--only"
        )
    chosen = chosen or names()
    stride = 10 if quick else 1
    if seed is not None and dense is None:
        raise click.UsageError("--seed draws the --dense points: give --dense N too")
    workers = min(jobs or os.cpu_count() or 1, len(chosen))
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=defined, initargs=(defines,)) as pool:
        draw = (dense or 0, DENSE_SEED if seed is None else seed)
        futures = [pool.submit(check, name, stride, *draw) for name in chosen]
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

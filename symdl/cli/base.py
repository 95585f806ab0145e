"""What the ``symdl`` commands share: the command group, ``--param``/``--define``, ``-o``, and the options of
the passes (``forward``, ``backward``, ``diagram``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from symdl.errors import BadOutput, BadParameter
from symdl.files import writable_target, write_whole
from symdl.render.json_text import json_text

if TYPE_CHECKING:
    from symdl.network.backward import Backward
    from symdl.network.forward import Forward
    from symdl.network.spec import Network


Decorator = Callable[[Callable[..., None]], Callable[..., None]]


def param_values(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadParameter(f"--param {pair!r}: write NAME=VALUE, e.g. --param alpha=0.2")
        out[name.strip()] = value.strip()
    return out


def defined(pairs: Sequence[str]) -> list[str]:
    """Register each ``--define NAME=EXPR`` (through symdl's own parser) and return the names, in order."""
    from symdl.parse import define

    names = []
    for pair in pairs:
        name, sep, expression = pair.partition("=")
        if not sep or not name.strip() or not expression.strip():
            raise BadParameter(f"--define {pair!r}: write NAME=EXPR, e.g. --define 'qgelu=x*sigmoid(1.702*x)'")
        names.append(define(name.strip(), expression.strip()).name)
    return names


def define_option(command: Callable[..., None]) -> Callable[..., None]:
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
@click.option(
    "--no-cache",
    is_flag=True,
    help="Derive everything afresh: read and write nothing in symdl's cache (also SYMDL_NO_CACHE=1).",
)
@click.pass_context
def cli(ctx: click.Context, no_cache: bool) -> None:
    """symdl: activation functions and the lecture's network, derived and checked by SymPy.

    What the engine derives is kept in your cache directory (SYMDL_CACHE_DIR to choose another) and read
    back by the next command; --no-cache bypasses it."""
    if no_cache:
        from symdl.cache import bypassed

        ctx.with_resource(bypassed())  # for this command and the processes it starts


def write_files(directory: str, names: Iterable[str], draw: Callable[[], Mapping[str, bytes]]) -> None:
    """Files into DIRECTORY: a name symdl will refuse to replace is refused before the work, every file is
    drawn (``draw``: name -> bytes) before any is written, and each is written whole; their paths are printed."""
    folder = Path(directory)
    for name in names:
        to_output(writable_target, str(folder / name))
    drawn = draw()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.BadParameter(f"cannot create {directory}: {error.strerror or error}", param_hint="-o") from None
    for name, data in drawn.items():
        to_output(write_whole, str(folder / name), lambda handle, data=data: handle.write(data), True)
        click.echo(str(folder / name))


def to_output(do: Callable[..., Any], output: str, *args: Any) -> None:
    """DO(OUTPUT, *ARGS), a file's check or its writing, with a ``BadOutput`` reported against -o."""
    try:
        do(output, *args)
    except BadOutput as error:
        raise click.BadParameter(str(error), param_hint="-o") from error


@dataclass(frozen=True)
class PassOptions:
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

        defined(self.defines)
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


def pass_options(which: str, *between: Decorator) -> Decorator:
    """The options of ``forward`` and ``backward`` (the WHICH pass), handed to the command as one ``PassOptions``
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
        define_option,
    ]

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def with_options(**given: Any) -> None:
            shared = {field.name: given.pop(field.name) for field in fields(PassOptions)}
            command(PassOptions(**shared), **given)

        for option in reversed(options):  # as if stacked above the command, top to bottom
            with_options = option(with_options)
        return with_options

    return decorate


__all__ = [
    "Decorator",
    "PassOptions",
    "cli",
    "define_option",
    "defined",
    "param_values",
    "pass_options",
    "to_output",
    "write_files",
]

"""The commands about the lecture's network: ``forward`` and ``backward``."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from symdl.files import writable_target

if TYPE_CHECKING:
    pass


from symdl.cli.base import PassOptions, cli, pass_options


@cli.command()
@pass_options("forward")
def forward(asked: PassOptions) -> None:
    """The forward pass of CONFIG (default: the lecture's 3-3-2 network): symbolic, exact and NumPy, checked."""
    from symdl.render import network as view

    result = asked.network().forward()
    asked.show(view, result)
    if not result.agreement.agrees:
        click.echo(f"symdl: the three computations disagree: {result.agreement}", err=True)
        sys.exit(1)


@cli.command()
@pass_options(
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
    asked: PassOptions, loss: str | None, target: str | None, learning_rate: str | None, graph: str | None
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

"""Numbers and matrices as the passes print them: in LaTeX on the board, in the terminal, for JSON.

On the board an exact value is written where it is short (``\\sigma(4)``, ``0.5``) and followed by its value to
4 places where it is not rational; where it is long only the value is written (``\\approx 0.4960``).  A deep
network's exact values share their parts and written out grow exponentially with depth: one of more than
``PRINTED`` nodes is never printed, nor anything once a view has written ``WRITTEN`` nodes in all (``Writing``;
``Pen.tex`` gives ``LONG``, the terminal "…" and JSON null), and every walk over exact values here visits
each shared part once.  Terminating
decimals print as the lecture writes them (0.5, 0.01) unless the board is exact.  The terminal writes rows as
``[4, 3, -2]`` and floats to 10 significant digits.  Both passes, forward and backward, print through here.
"""

from __future__ import annotations

from collections.abc import Iterable

import mpmath
import numpy as np
from sympy import Add, Expr, ImmutableMatrix, Mul, Rational, Symbol
from sympy.printing.str import StrPrinter

from symdl.network.exact import Evaluator, tree_size
from symdl.network.exact import floats as exact_floats
from symdl.network.forward import Forward
from symdl.network.spec import Applied
from symdl.render.printer import LecturePrinter, decimal

SHORT = 40  # an exact entry is printed if its LaTeX has at most this many characters, else only its value
PRINTED = 400  # an exact entry of more nodes than this is never written out (a deep network's: pages long)
WRITTEN = 40_000  # what printing one view's exact values may cost (``Writing``; the lecture's views: at most 27,518)
LONG = r"\text{(an exact value too long to write out)}"  # longer than SHORT, so only its value is shown

# --------------------------------------------------------------------------- single numbers


def times_ten(value: float, digits: int) -> str:
    """``1.234 \\times 10^{-5}``: a mantissa of ``digits`` decimals and a power of ten."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def approx(value: float) -> str:
    """A value to 4 decimal places (or 4 significant digits and a power of ten when tiny or huge); float64's
    inf and NaN as such."""
    if not np.isfinite(value):
        return r"\text{NaN}" if np.isnan(value) else ("" if value > 0 else "-") + r"\infty"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        return f"{value:.4f}"
    return times_ten(value, 3)


def error(value: float) -> str:
    """A relative error to 2 significant digits: ``1.2 \\times 10^{-16}``."""
    if not np.isfinite(value):
        return approx(value)
    return "0" if value == 0 else times_ten(value, 1)


def board_sentence(text: str) -> str:
    """A check's plain text as a sentence on the board: "Float64 overflows: ... $\\approx$ 7.3e+390."
    (English in both languages: ``symdl.render.words`` has no sentence for it yet.)"""
    return text[0].upper() + text[1:].replace("≈", r"$\approx$") + "."


def to_float(value: Expr) -> float:
    """An exact value as the nearest float (±inf beyond float64's range)."""
    return float(exact_floats(ImmutableMatrix([[value]]))[0, 0])


def float_entries(m: ImmutableMatrix) -> list[list[float]]:
    """The exact entries as the nearest floats (±inf beyond float64's range)."""
    return floats(m).tolist()


def floats(m: ImmutableMatrix) -> np.ndarray:
    return exact_floats(m)


class Writing:
    """What exact text one view may still write: a value of at most ``PRINTED`` nodes, while what printing them
    costs together stays within ``WRITTEN``; after that a value is given by its digits only, so that the views
    of a big network take seconds, not minutes.  ``writing(expr)`` says whether ``expr`` is written out.

    SymPy's printers evaluate every term of a sum to order it (and symdl's printer every power and exponential),
    so printing a node costs about the nodes below it down to the activations by name, whose values are kept
    (``symdl.network.spec.Applied``): ``cost`` counts that, each shared part's count found once."""

    def __init__(self) -> None:
        self.sizes: dict[Expr, int] = {}  # tree sizes
        self.below: dict[Expr, int] = {}  # nodes an evaluation of it visits
        self.costs: dict[Expr, int] = {}  # what printing it costs
        self.left = WRITTEN
        self.granted: set[Expr] = set()

    def __call__(self, expr: Expr) -> bool:
        if expr in self.granted:
            return True
        if tree_size(expr, self.sizes) > PRINTED:
            return False
        cost = self.cost(expr)
        if cost > self.left:
            return False
        self.left -= cost
        self.granted.add(expr)
        return True

    def cost(self, expr: Expr) -> int:
        hit = self.costs.get(expr)
        if hit is None:
            hit = self.costs[expr] = self._below(expr) + sum(self.cost(a) for a in expr.args)
        return hit

    def _below(self, expr: Expr) -> int:
        hit = self.below.get(expr)
        if hit is None:
            inside = 0 if isinstance(expr, Applied) else sum(self._below(a) for a in expr.args)
            hit = self.below[expr] = 1 + inside
        return hit


def is_rational(m: ImmutableMatrix) -> bool:
    return all(entry.is_Rational for entry in m)


# --------------------------------------------------------------------------- which rationals are decimals


def terminating(matrices: Iterable[ImmutableMatrix]) -> set[Rational]:
    """Every terminating non-integer rational in the entries (0.5, 0.01), so the printer writes it as a decimal;
    each shared part of the entries is looked at once."""
    found: set[Rational] = set()
    seen: set[Expr] = set()
    stack = [entry for m in matrices for entry in m]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if isinstance(e, Rational):
            if not e.is_Integer and decimal(abs(e)) is not None:
                found.add(e)
        else:
            stack.extend(e.args)
    return found


def forward_decimals(result: Forward) -> list[Rational]:
    """The terminating rationals of a forward pass: inputs, weights, biases, every intermediate and product."""
    net = result.network
    matrices = [net.inputs, *(m for layer in net.layers for m in (layer.weights, layer.bias))]
    matrices += [step.exact for step in result.steps]
    matrices += [result.product(k) for k in range(1, len(net.layers) + 1)]
    return sorted(terminating(matrices))


# --------------------------------------------------------------------------- order as on the board


def in_order(expr: Expr, order: list[Expr]) -> Expr:
    """A sum with its terms in the order of ``order`` (the previous layer's entries), constants last."""
    if not isinstance(expr, Add):
        return expr

    def rank(term: Expr) -> tuple[int, int]:
        for position, atom in enumerate(order):
            if not atom.is_Rational and term.has(atom):
                return (0, position)
        return (1, 0)

    terms = sorted(expr.args, key=rank)
    return Add(*terms, evaluate=False)


def general_order(expr: Expr, kinds: dict[Symbol, tuple[str, int, int, int]]) -> Expr:
    """A general formula as written on a slide: x_1 w_11 + x_2 w_21 + ... + b_1, inside out."""
    if isinstance(expr, Applied):
        return type(expr)(general_order(expr.args[0], kinds))
    if isinstance(expr, Add):

        def rank(term: Expr) -> tuple[int, int]:
            for factor in Mul.make_args(term):
                if isinstance(factor, Symbol) and kinds.get(factor, ("",))[0] == "w":
                    return (0, kinds[factor][2])
            return (1, 0)

        return Add(*sorted((general_order(t, kinds) for t in expr.args), key=rank), evaluate=False)
    if isinstance(expr, Mul):
        factors = [general_order(f, kinds) for f in expr.args]
        weights = [f for f in factors if isinstance(f, Symbol) and kinds.get(f, ("",))[0] == "w"]
        return Mul(*[f for f in factors if f not in weights], *weights, evaluate=False)
    if expr.args and not expr.is_Atom:
        return expr.func(*(general_order(a, kinds) for a in expr.args))
    return expr


# --------------------------------------------------------------------------- LaTeX


def bmatrix(entries: Iterable[Iterable[str]]) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(row) for row in entries) + r" \end{bmatrix}"


def as_factor(value: Expr, text: str) -> str:
    """One factor of a product on the board, ``text`` being its LaTeX: bracketed if negative or a sum."""
    if isinstance(value, Add) or text.startswith("-"):
        return rf"\left({text}\right)" if r"\frac" in text else f"({text})"
    return text


class Pen:
    """Writes the values of one pass in LaTeX with its printer; remembers whether it left out a long exact value."""

    def __init__(self, printer: LecturePrinter) -> None:
        self.printer = printer
        self.long = False  # set when some exact value was too long to print
        self.writing = Writing()

    def writable(self, expr: Expr) -> bool:
        """Whether the exact value is written out (``Writing``)."""
        return self.writing(expr)

    def tex(self, expr: Expr, order: list[Expr] | None = None) -> str:
        """An exact value; a sum with its terms in the order of ``order`` where given; ``LONG`` for one that
        is too long to write out."""
        if not self.writable(expr):
            return LONG
        return self.printer.doprint(expr if order is None else in_order(expr, order))

    def matrix(self, m: ImmutableMatrix, order: ImmutableMatrix | None = None) -> str:
        """The exact matrix; each row's sums in the order of ``order``'s row where given."""
        if order is None:
            return bmatrix([self.tex(m[r, c]) for c in range(m.cols)] for r in range(m.rows))
        return bmatrix([self.tex(m[r, c], list(order.row(r))) for c in range(m.cols)] for r in range(m.rows))

    def approx(self, values: np.ndarray) -> str:
        """A matrix of floats, each to 4 places."""
        return bmatrix([approx(float(v)) for v in row] for row in values)

    def short(self, m: ImmutableMatrix) -> bool:
        return all(tree_size(e, self.writing.sizes) <= 2 * SHORT and len(self.tex(e)) <= SHORT for e in m)

    def value(self, m: ImmutableMatrix, values: np.ndarray) -> str:
        """``= [exact]``, ``= [exact] ≈ [digits]`` or, where the exact entries are long, ``≈ [digits]``."""
        if is_rational(m):
            return f"= {self.matrix(m)}"
        if self.short(m):
            return rf"= {self.matrix(m)} \approx {self.approx(values)}"
        self.long = True
        return rf"\approx {self.approx(values)}"

    def continued(self, m: ImmutableMatrix, values: np.ndarray) -> list[str]:
        """The value of a matrix on lines of its own: ``&= [exact]``, then ``&\\approx [digits]``."""
        if is_rational(m):
            return [f"&= {self.matrix(m)}"]
        if self.short(m):
            return [f"&= {self.matrix(m)}", rf"&\approx {self.approx(values)}"]
        self.long = True
        return [rf"&\approx {self.approx(values)}"]

    def number(self, value: Expr, value_float: float) -> str:
        """``= 1``, ``= -log(...) ≈ 0.3133`` or, where the exact value is long, ``≈ 0.4960``."""
        text = self.tex(value)
        if value.is_Rational:
            return f"= {text}"
        if len(text) <= SHORT:
            return rf"= {text} \approx {approx(value_float)}"
        self.long = True
        return rf"\approx {approx(value_float)}"


# --------------------------------------------------------------------------- the terminal and JSON


class Plain(StrPrinter):
    """SymPy's str printer with terminating decimals as decimals (unless exact) and activations by name."""

    def __init__(self, exact: bool) -> None:
        super().__init__()
        self.exact = exact

    def _print_Rational(self, expr: Rational) -> str:
        if not self.exact and decimal(abs(expr)) is not None:
            return ("-" if expr < 0 else "") + decimal(abs(expr))
        return super()._print_Rational(expr)


def rows_text(entries: Iterable[Iterable[str]]) -> str:
    """``[4, 3, -2]``; a batch as a list of rows ``[[..], [..]]``."""
    rows = ["[" + ", ".join(row) + "]" for row in entries]
    return rows[0] if len(rows) == 1 else "[" + ", ".join(rows) + "]"


def float_text(values: np.ndarray) -> str:
    """Floats to 10 significant digits, as rows (inf and nan as NumPy writes them)."""
    return rows_text([f"{v:.10g}" for v in row] for row in values)


def exact_text(value: Expr, digits: int = 10) -> str:
    """An exact value to ``digits`` significant digits, also beyond float64's range (7.3e+390)."""
    return mpmath.nstr(Evaluator()(value), digits)


def plain_rows(m: ImmutableMatrix, plain: Plain) -> str:
    """The exact matrix as rows, each entry as SymPy prints it."""
    return rows_text([plain.doprint(m[r, c]) for c in range(m.cols)] for r in range(m.rows))


def strings(m: ImmutableMatrix, plain: Plain, writing: Writing | None = None) -> list[list[str | None]]:
    """The exact entries as strings, for JSON; None for one not written out (``Writing``)."""
    writing = Writing() if writing is None else writing
    return [[plain.doprint(m[r, c]) if writing(m[r, c]) else None for c in range(m.cols)] for r in range(m.rows)]

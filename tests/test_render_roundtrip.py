"""Round trip: the LaTeX symdl prints, read back, is the declared function and its derivative.

sympy.parsing.latex cannot read cases, \\max, \\operatorname or \\sum_j (and needs an antlr4 or lark
install), so this file carries a small, strict reader of the LaTeX subset symdl emits: any token it
does not know fails the test.  The reader was written from the LaTeX grammar, not from symdl's printer,
and the expressions it returns are compared with oracles outside symdl's engine: the declaration
evaluated by SymPy's own lambdify, and mpmath's numerical derivative of it, at 30 digits.
"""

from __future__ import annotations

import re
from typing import ClassVar

import mpmath
import pytest
from sympy import (
    Abs,
    And,
    Derivative,
    E,
    Eq,
    Function,
    KroneckerDelta,
    Max,
    Min,
    Or,
    Piecewise,
    Rational,
    S,
    Sum,
    Symbol,
    atan,
    cos,
    erf,
    lambdify,
    log,
    pi,
    sin,
    sqrt,
    tanh,
    true,
)
from sympy.core.function import AppliedUndef

import symdl
from symdl.catalog import CATALOGUE
from symdl.catalog import i as I_
from symdl.catalog import j as J_
from symdl.catalog import k as K_
from symdl.catalog import n as N_
from symdl.catalog import x as X
from symdl.catalog import xs as XS
from symdl.render.latex import definition, derivative, worked
from symdl.render.notation import Style
from tests.conftest import SCALAR, VECTOR, mp_function
from tests.test_kinks import PYTORCH

INDEX = {"i": I_, "j": J_, "k": K_}
GREEK = {"alpha", "beta", "lambda", "theta", "pi", "sigma", "delta", "infty"}
FUNCTIONS = {r"\tanh": tanh, r"\log": log, r"\arctan": atan, r"\cos": cos, r"\sin": sin}
RELATIONS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, r"\le": lambda a, b: a <= b, r"\ge": lambda a, b: a >= b}
RELATIONS["="] = lambda a, b: Eq(a, b)

TOKEN = re.compile(
    r"""\s*(
      \\begin\{(?:cases|aligned|pmatrix)\}|\\end\{(?:cases|aligned|pmatrix)\}
    | \\text\{[^{}]*\}
    | \\operatorname\{[A-Za-z0-9]+\}
    | \\mathrm\{[A-Za-z]+\}
    | \\left\(|\\right\)|\\bigl\(|\\bigr\)
    | \\\\
    | \\[ ]
    | \\[A-Za-z]+
    | \d+(?:\.\d+)?
    | [A-Za-z]
    | [{}()^_+\-=,<>&:/';]
    )""",
    re.X,
)


def tokens(text: str) -> list[str]:
    out, at = [], 0
    text = text.strip()
    while at < len(text):
        match = TOKEN.match(text, at)
        if not match:
            raise AssertionError(f"unreadable LaTeX at {text[at : at + 30]!r} in {text!r}")
        if match.group(1) not in (r"\quad", "\\ "):
            out.append(match.group(1))
        at = match.end()
    return out


class Reader:
    """Recursive descent over the tokens of one expression; strict: stray tokens fail."""

    OPEN: ClassVar[dict[str, str]] = {"(": ")", r"\left(": r"\right)", r"\bigl(": r"\bigr)"}

    def __init__(self, toks: list[str]) -> None:
        self.toks, self.at = toks, 0
        self.alternatives: list = []  # cases whose rows read "a = b": the Piecewise of the b's
        self.conditions: list[list] = []  # the conditions of each cases block, as printed

    def peek(self, ahead: int = 0) -> str | None:
        return self.toks[self.at + ahead] if self.at + ahead < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise AssertionError(f"expected {expected!r}, found {tok!r} in {' '.join(self.toks)}")
        self.at += 1
        return tok

    def done(self) -> None:
        assert self.at == len(self.toks), f"left over: {self.toks[self.at :]} in {' '.join(self.toks)}"

    # expressions
    def expr(self):
        sign = -1 if self.peek() == "-" else 1
        if sign < 0:
            self.take()
        value = sign * self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self):
        value = self.factor()
        while True:
            tok = self.peek()
            if tok == r"\cdot":
                self.take()
                value = value * self.factor()
            elif tok == "/":
                self.take()
                value = value / self.factor()
            elif self.starts_factor(tok):
                value = value * self.factor()
            else:
                return value

    def starts_factor(self, tok: str | None) -> bool:
        if tok is None or tok in ("+", "-", "=", ",", "&", r"\\", ")", "}", r"\right)", r"\bigr)", r"\rvert"):
            return False
        return not (tok.startswith((r"\end", r"\text")) or tok in ("<", ">", r"\le", r"\ge", r"\ne", ":", "'"))

    def group(self):
        if self.peek() == "{":
            self.take("{")
            value = self.expr()
            self.take("}")
            return value
        return self.atom()

    def factor(self):
        value = self.postfix()
        if self.peek() == "^":
            self.take()
            value = value ** self.group()
        return value

    def postfix(self):
        value = self.atom()
        if self.peek() == "_":
            self.take()
            value = self.subscript(value)
        return value

    def subscript(self, base):
        if self.peek() == "{":
            self.take("{")
            parts = []
            while self.peek() != "}":
                parts.append(self.take())
            self.take("}")
        else:
            parts = [self.take()]
        if base == X and parts in ([r"\min"], [r"\max"]):
            return Symbol("min_val" if parts == [r"\min"] else "max_val", real=True)
        index = [INDEX.get(p) or Rational(p) for p in parts]
        if base == X:
            return XS[index[0]]
        if base == Symbol("s"):
            return Function("s")(index[0])
        if base == Symbol("delta"):
            return KroneckerDelta(index[0], index[1])
        raise AssertionError(f"unknown subscript {parts} on {base}")

    def bracketed(self):
        close = self.OPEN[self.take()]
        value = self.expr()
        self.take(close)
        return value

    def atom(self):
        tok = self.peek()
        if tok in self.OPEN:
            return self.bracketed()
        if re.fullmatch(r"\d+(\.\d+)?", tok):
            self.take()
            return Rational(tok)
        if tok == r"\frac":
            return self.fraction()
        if tok == r"\sqrt":
            self.take()
            return sqrt(self.group())
        if tok in FUNCTIONS:
            return self.function(FUNCTIONS[self.take()])
        if tok in (r"\max", r"\min"):
            self.take()
            close = self.OPEN[self.take()]
            a = self.expr()
            self.take(",")
            b = self.expr()
            self.take(close)
            return Max(a, b) if tok == r"\max" else Min(a, b)
        if tok == r"\lvert":
            self.take()
            value = self.expr()
            self.take(r"\rvert")
            return Abs(value)
        if tok == r"\sum":
            self.take()
            self.take("_")
            index = INDEX[self.take()]
            return Sum(self.factor(), (index, 1, N_))
        if tok == r"\begin{cases}":
            return self.cases()
        if tok == r"\begin{pmatrix}":
            raise AssertionError("matrices are read by read_matrix")
        if tok.startswith(r"\operatorname"):
            self.take()
            name = tok[len(r"\operatorname{") : -1]
            return (erf if name == "erf" else Function(name))(self.bracketed())
        if tok.startswith(r"\mathrm"):
            self.take()
            return Symbol(tok[len(r"\mathrm{") : -1], positive=True)
        if tok == r"\sigma" and self.peek(1) == "(":
            self.take()
            return Function("sigma")(self.bracketed())
        if tok.startswith("\\") and tok[1:] in GREEK:
            self.take()
            return {"pi": pi, "infty": S.Infinity}.get(tok[1:]) or Symbol(tok[1:])
        if re.fullmatch(r"[A-Za-z]", tok):
            self.take()
            if tok == "e":
                return E
            if tok in ("x", "z"):
                return X
            if tok in INDEX or tok == "n":
                return INDEX.get(tok, N_)
            if tok.isupper() and self.peek() == "(":
                return Function(tok)(self.bracketed())
            return Symbol(tok)
        raise AssertionError(f"unexpected token {tok!r} in {' '.join(self.toks)}")

    def function(self, f):
        power = None
        if self.peek() == "^":
            self.take()
            power = self.group()
        arg = self.bracketed() if self.peek() in self.OPEN else self.postfix()
        value = f(arg)
        return value if power is None else value**power

    def fraction(self):
        self.take(r"\frac")
        self.take("{")
        if self.peek() in ("d", r"\partial") and self.peek(1) == "}":
            partial = self.take() == r"\partial"
            self.take("}")
            self.take("{")
            if partial:
                self.take(r"\partial")
            else:
                self.take("d")
            var = self.postfix()
            self.take("}")
            return Derivative(self.factor(), var)
        top = self.expr()
        self.take("}")
        return top / self.group()

    def cases(self):
        self.take(r"\begin{cases}")
        rows = []
        while True:
            values = self.chain()
            self.take("&")
            rows.append((values, self.condition()))
            if self.peek() == r"\end{cases}":
                self.take()
                self.conditions.append([c for _, c in rows])
                if any(len(v) > 1 for v, _ in rows):
                    self.alternatives.append(Piecewise(*((v[-1], c) for v, c in rows)))
                return Piecewise(*((v[0], c) for v, c in rows))
            self.take(r"\\")

    def chain(self):
        """a = b = c, as [a, b, c]."""
        values = [self.expr()]
        while self.peek() == "=":
            self.take()
            values.append(self.expr())
        return values

    def condition(self):
        tok = self.take()
        if tok == r"\text{otherwise}":
            return true
        assert tok == r"\text{if }", tok
        where = self.relations()
        if self.peek() is not None and self.peek().startswith(r"\text{ ("):
            self.take()  # (undefined; PyTorch's value): the row of a kink
        return where

    def relations(self):
        """a < x < b \\text{ or } x > c, as a SymPy condition."""
        parts = [self.relation()]
        while self.peek() == r"\text{ or }":
            self.take()
            parts.append(self.relation())
        return Or(*parts)

    def relation(self):
        values, ops = [self.expr()], []
        while self.peek() in RELATIONS:
            ops.append(self.take())
            values.append(self.expr())
        assert ops, f"no relation in {' '.join(self.toks)}"
        return And(*(RELATIONS[op](a, b) for op, a, b in zip(ops, values, values[1:], strict=False)))


def read(text: str):
    return read_tokens(tokens(text))


def read_chain(toks: list[str]) -> list:
    reader = Reader(toks)
    values = reader.chain()
    reader.done()
    return values


def split_top(toks: list[str], sep: str) -> list[list[str]]:
    """Split at ``sep`` outside braces, brackets and environments."""
    parts, depth, current = [], 0, []
    for tok in toks:
        if tok in ("{", "(", r"\left(", r"\bigl(") or tok.startswith(r"\begin"):
            depth += 1
        elif tok in ("}", ")", r"\right)", r"\bigr)") or tok.startswith(r"\end"):
            depth -= 1
        if tok == sep and depth == 0:
            parts.append(current)
            current = []
        else:
            current.append(tok)
    parts.append(current)
    return parts


# --------------------------------------------------------------------------- evaluation against oracles

POINTS = [Rational(k, 3) + Rational(1, 7) for k in range(-12, 13, 3)]  # avoid every breakpoint of the catalogue


# Names as the slides use them: sigma is the sigmoid, \operatorname{ELU} is ELU, s_i is the output of the
# vector function on the slide.
OPERATOR = r"\operatorname{"
BY_NAME = {"sigma": "sigmoid"} | {a.tex[len(OPERATOR) : -1]: a.name for a in CATALOGUE if a.tex.startswith(OPERATOR)}


def meaning(expr, act):
    """A read expression as plain SymPy: named functions replaced by their declarations, defaults in."""

    def declared(e):
        if act.is_vector and e.func.__name__ == "s":
            return act.definition.subs(act.params).subs(I_, e.args[0])
        named = symdl.activation(BY_NAME[e.func.__name__])
        return named.definition.subs(named.params).subs(X, e.args[0])

    expr = expr.replace(lambda e: isinstance(e, AppliedUndef), declared)
    params = {p.name: p.symbol for p in act.parameters}
    params |= {p.tex.strip("\\"): p.symbol for p in act.parameters if p.tex}
    expr = expr.replace(lambda e: isinstance(e, Symbol) and e.name in params, lambda e: params[e.name])
    return expr.subs(act.params).doit()


def value_at(expr, point):
    f = lambdify(X, expr.rewrite(Piecewise), modules="mpmath")
    return f(mpmath.mpf(point.p) / point.q)


def derivative_at(act, point):
    return mpmath.diff(mp_function(act.definition, act), mpmath.mpf(point.p) / point.q)


def close(a, b):
    return abs(a - b) <= mpmath.mpf(10) ** -25 * (1 + abs(b))


def holds(condition, point, act):
    return bool(meaning(condition, act).subs(X, point)) if condition is not true else True


@pytest.mark.parametrize("name", SCALAR)
def test_definition_reads_back_as_the_declaration(name):
    act = symdl.activation(name)
    parts = split_top(tokens(definition(name)), "=")
    rhs = Reader(parts[-1]).expr()
    f = mp_function(act.definition, act)
    for point in POINTS:
        assert close(value_at(meaning(rhs, act), point), f(mpmath.mpf(point.p) / point.q)), (name, point)


@pytest.mark.parametrize("name", SCALAR)
def test_derivative_reads_back_as_the_derivative(name):
    """Every printed form of f' (each row of its cases) equals mpmath's derivative of the declaration."""
    act = symdl.activation(name)
    forms, conditions = [], []
    for part in split_top(tokens(derivative(name)), "=")[1:]:
        reader = Reader(part)
        forms.append(reader.expr())
        reader.done()
        forms += reader.alternatives  # ELU: the row alpha e^x = ELU(x) + alpha, both sides
        conditions += reader.conditions
    for point in POINTS:
        expected = derivative_at(act, point)
        for rows in conditions:  # away from the breakpoints, exactly one row of the cases holds
            assert sum(holds(c, point, act) for c in rows) == 1, (name, point, rows)
        for value in forms:
            assert close(value_at(meaning(value, act), point), expected), (name, point, value)


@pytest.mark.parametrize("name", SCALAR)
def test_every_worked_line_reads_back_as_the_derivative(name):
    """Each line of the worked derivation, on its branch, equals mpmath's derivative of the declaration
    (the line writing the definition as cases equals the declaration)."""
    act = symdl.activation(name)
    toks = tokens(worked(name))
    assert toks[0] == r"\begin{aligned}" and toks[-1] == r"\end{aligned}"
    branch, is_derivative, checked = None, False, 0
    for line in split_top(toks[1:-1], r"\\"):
        left, right = split_top(line, "&")[:2]
        sides = split_top(left, ":")
        if len(sides) == 2:
            reader = Reader(sides[0])
            branch = reader.relations()
            reader.done()
        if left:
            is_derivative = "'" in left or r"\partial" in left
        if not right or right[0] != "=":
            continue  # a kink line: test_render_latex checks it against the breakpoints
        values = read_chain(right[1:])
        f = mp_function(act.definition, act)
        for point in POINTS:
            if branch is not None and not holds(branch, point, act):
                continue
            expected = derivative_at(act, point) if is_derivative else f(mpmath.mpf(point.p) / point.q)
            for value in values:
                assert close(value_at(meaning(value, act), point), expected), (name, point, value)
                checked += 1
    assert checked > 0


def vector_value(expr, act, i, j, point):
    three = meaning(expr.subs({I_: i, J_: j, N_: 3}), act).subs(N_, 3).doit()
    f = lambdify([XS[1], XS[2], XS[3]], three, modules="mpmath")
    return f(*point)


def vector_oracle(act, i, j, point):
    """d f_i / d x_j at ``point`` for n = 3: mpmath's numerical partial derivative of the declaration."""
    component = act.definition.subs({N_: 3, I_: i}).doit()
    f = lambdify([XS[1], XS[2], XS[3]], component, modules="mpmath")
    return mpmath.diff(lambda t: f(*[t if m == j - 1 else point[m] for m in range(3)]), point[j - 1])


@pytest.mark.parametrize("name", VECTOR)
def test_vector_derivative_and_working_read_back(name):
    act = symdl.activation(name)
    point = [mpmath.mpf(1) / 3, mpmath.mpf(-2), mpmath.mpf(5) / 7]
    forms = [read_tokens(part) for part in split_top(tokens(derivative(name)), "=")[1:]]
    for line in split_top(tokens(worked(name))[1:-1], r"\\"):
        right = split_top(line, "&")[1]
        assert right[0] == "="
        forms += read_chain(right[1:])
    for i in (1, 2, 3):
        for j in (1, 2, 3):
            expected = vector_oracle(act, i, j, point)
            for form in forms:
                assert close(vector_value(form, act, i, j, point), expected), (name, i, j, form)


def read_tokens(toks: list[str]):
    reader = Reader(toks)
    value = reader.expr()
    reader.done()
    return value


@pytest.mark.parametrize("style", [Style(variable="z"), Style(cdot=True), Style(parameters="values")], ids=str)
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "leaky_relu", "prelu", "elu", "selu", "softplus", "gelu"])
def test_options_still_read_back(name, style):
    """z for x, \\cdot products and parameters by value print the same functions."""
    act = symdl.activation(name)
    rhs = read_tokens(split_top(tokens(definition(name, style)), "=")[-1])
    f = mp_function(act.definition, act)
    for point in POINTS:
        assert close(value_at(meaning(rhs, act), point), f(mpmath.mpf(point.p) / point.q)), (name, point)


def test_reader_is_strict():
    """The oracle itself: a mistyped formula reads as a different function, an unknown token fails."""
    act = symdl.activation("sigmoid")
    wrong = read(r"\frac{1}{1 + e^{x}}")
    assert not close(value_at(meaning(wrong, act), POINTS[0]), mp_function(act.definition, act)(POINTS[0]))
    with pytest.raises(AssertionError):
        read(r"\frac{1}{1 + e^{-x}} \unknown")


@pytest.mark.parametrize("name, point, value", PYTORCH, ids=[f"{n}@{p}" for n, p, _ in PYTORCH])
def test_kinks_read_back_with_pytorchs_value(name, point, value):
    """At a breakpoint the printed cases give PyTorch's value; the worked kink lines give the one-sided
    slopes (mpmath's one-sided derivatives of the declaration) and the value used (PyTorch's)."""
    act = symdl.activation(name)
    (cases,) = [read_tokens(part) for part in split_top(tokens(derivative(name)), "=")[1:2]]
    at = Rational(point)
    assert abs(float(meaning(cases, act).subs(X, at)) - float(value)) < 1e-15
    lines = [split_top(line, "&") for line in split_top(tokens(worked(name))[1:-1], r"\\")]
    for n_, (left, right, *_) in enumerate(lines):
        sides = split_top(left, ":")
        if len(sides) != 2 or sides[0][:2] != ["x", "="] or meaning(read_tokens(sides[0][2:]), act) != at:
            continue
        used = read_tokens(split_top(lines[n_ + 1][1], "=")[-1])  # f'(a) = value
        assert abs(float(meaning(used, act)) - float(value)) < 1e-15
        if r"\ne" in right:
            f = mp_function(act.definition, act)
            left_side, right_side = split_top(right, r"\ne")
            sides = (split_top(left_side, "=")[-1], split_top(right_side, "=")[0])  # f'_-(a) = u \ne v = f'_+(a)
            for side, direction in ((read_tokens(sides[0]), -1), (read_tokens(sides[1]), 1)):
                expected = mpmath.diff(f, mpmath.mpf(at.p) / at.q, direction=direction)
                assert close(mpmath.mpf(meaning(side, act).evalf(40)), expected), (name, direction)
        return
    assert act.name in ("celu",), f"{name}: no line for the breakpoint at {point}"

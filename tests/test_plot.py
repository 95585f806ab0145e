"""The activation plots hold what they claim: the curves are the compiled functions, the dots sit at the derived
breakpoints with the derived values (and, where PyTorch documents them, with PyTorch's values), the asymptotes
are the finite limits, the window comes from the function's own facts, every catalogue entry draws without a
warning, and the files are the same bytes on every run.

Read back from the figures themselves: ``line.get_xdata()/get_ydata()`` of the lines, found by their gid
("f", "derivative", "f:n=2", "derivative:filled", "asymptote", ...).
"""

from __future__ import annotations

import hashlib
import math
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import symdl
from symdl.figures import style
from symdl.figures.plot import GALLERY, OVERLAY, gallery, overlay, plot
from symdl.render.words import title
from tests.conftest import SCALAR, TEX, VECTOR, compile_pdf, run_symdl


def drawn(name, params=None):
    """NAME's figure, drawn to a PNG (where mathtext sets the title and every text): a warning fails the test."""
    fig = plot(name, params)
    style.encoded(fig, "png")
    return fig


def line(ax, gid):
    (found,) = [one for one in ax.get_lines() if one.get_gid() == gid]
    return found


def points(ax, gid):
    """The (x, y) of the dots drawn with GID (none: empty)."""
    found = [one for one in ax.get_lines() if one.get_gid() == gid]
    return sorted((float(x), float(y)) for one in found for x, y in zip(one.get_xdata(), one.get_ydata(), strict=True))


def close(a, b):
    assert len(a) == len(b), (a, b)
    for (x1, y1), (x2, y2) in zip(a, b, strict=True):
        assert math.isclose(x1, x2, rel_tol=1e-12, abs_tol=1e-12) and math.isclose(y1, y2, rel_tol=1e-12), (a, b)


def derived_limits(b, role, values):
    """The derivation's left limit, right limit and value used at breakpoint B, for f or f'."""
    parts = (b.left, b.right, b.value) if role == "f" else (b.left_slope, b.right_slope, b.slope)
    return tuple(float(p.subs(values)) for p in parts)


def check_asymptotes_and_title(name, ax):
    """The dashed lines are the finite limits that f only approaches (an outermost branch that is a constant
    takes its limit: ReLU's 0 is no asymptote); the title is the definition, set by mathtext (not the fallback)."""
    d = symdl.derive(name)
    props, values = d.properties, d.valuemap
    limits = [float(props.limit_neg), float(props.limit_pos)]
    if not d.activation.is_vector:
        ends = (d.regions[0], d.regions[-1])
        limits = [lim for lim, r in zip(limits, ends, strict=True) if r.expr.subs(values).has(d.activation.x)]
    drawn_at = sorted({float(one.get_ydata()[0]) for one in ax.get_lines() if one.get_gid() == "asymptote"})
    assert drawn_at == sorted({lim for lim in limits if math.isfinite(lim)})
    text = ax.get_title()
    assert text.startswith("$") and text != title(d.activation)


# --------------------------------------------------------------------------- every catalogue entry


@pytest.mark.parametrize("name", SCALAR)
def test_scalar_plot_is_the_numeric_function_and_the_derivation(name):
    fig = drawn(name)
    ax = fig.axes[0]
    d = symdl.derive(name)
    values = d.valuemap
    numbers = {s.name: float(v) for s, v in values.items()}
    breakpoints = {float(b.at.subs(values)): b for b in d.breakpoints}
    lo, hi = ax.get_xlim()
    assert all(lo < at < hi for at in breakpoints), "every breakpoint is inside the window"
    for role, function in (
        ("f", symdl.numpy_function(name)),
        ("derivative", symdl.numpy_function(name, derivative=True)),
    ):
        xs, ys = np.asarray(line(ax, role).get_xdata()), np.asarray(line(ax, role).get_ydata())
        assert xs.min() == lo and xs.max() == hi and np.all(np.diff(xs) >= 0)
        away = ~np.isin(xs, list(breakpoints))
        assert away.sum() > 700
        np.testing.assert_allclose(ys[away], function(xs[away], **numbers), rtol=1e-14, atol=0)
        filled, hollow = [], []
        for at, b in breakpoints.items():
            left, right, used = derived_limits(b, role, values)
            here = ys[xs == at]  # the curve runs to each one-sided limit, and breaks between them if they differ
            expected = [left] if left == right else [left, math.nan, right]
            np.testing.assert_array_equal(here, expected)
            if b.differentiable if role == "f" else left == used == right:
                continue
            filled.append((at, used))
            hollow += [(at, side) for side in dict.fromkeys((left, right)) if side != used]
        close(points(ax, f"{role}:filled"), sorted(filled))
        close(points(ax, f"{role}:open"), sorted(hollow))
    check_asymptotes_and_title(name, ax)


@pytest.mark.parametrize("name", VECTOR)
def test_vector_plot_is_one_component_for_n_2_and_3(name):
    fig = drawn(name)
    ax = fig.axes[0]
    f, jacobian = symdl.numpy_function(name), symdl.numpy_function(name, derivative=True)
    for n in (2, 3):
        xs = np.asarray(line(ax, f"f:n={n}").get_xdata())
        inputs = np.zeros((len(xs), n))
        inputs[:, 0] = xs
        np.testing.assert_array_equal(line(ax, f"f:n={n}").get_ydata(), f(inputs)[:, 0])
        np.testing.assert_array_equal(line(ax, f"derivative:n={n}").get_ydata(), jacobian(inputs)[:, 0, 0])
    check_asymptotes_and_title(name, ax)


def test_softmax_component_is_the_textbook_sigmoid_of_its_input():
    ax = drawn("softmax").axes[0]
    for n in (2, 3):
        xs = np.asarray(line(ax, f"f:n={n}").get_xdata())
        s = np.exp(xs) / (np.exp(xs) + n - 1)  # e^x / (e^x + (n - 1) e^0)
        np.testing.assert_allclose(line(ax, f"f:n={n}").get_ydata(), s, rtol=1e-13)
        np.testing.assert_allclose(line(ax, f"derivative:n={n}").get_ydata(), s * (1 - s), rtol=1e-12, atol=1e-300)


# --------------------------------------------------------------------------- values from outside


@pytest.mark.parametrize(
    "name, role, filled, hollow",
    [  # PyTorch's autograd at each kink (its documented ReLU'(0) = 0, hardtanh'(+-1) = 0, ...)
        ("relu", "derivative", [(0, 0)], [(0, 1)]),
        ("relu", "f", [(0, 0)], []),
        ("leaky_relu", "derivative", [(0, 0.01)], [(0, 1)]),
        ("prelu", "derivative", [(0, 0.25)], [(0, 1)]),
        ("hardtanh", "derivative", [(-1, 0), (1, 0)], [(-1, 1), (1, 1)]),
        ("hardtanh", "f", [(-1, -1), (1, 1)], []),
        ("elu", "derivative", [], []),  # alpha = 1: ELU'(0) = 1 from both sides
        ("binary_step", "f", [(0, 1)], [(0, 0)]),  # H(0) = 1 (x >= 0), the limit from the left not taken
        ("binary_step", "derivative", [], []),  # 0 on both sides and at 0: nothing to mark
        ("threshold", "f", [(0.1, 20)], [(0.1, 0.1)]),  # PyTorch: x > threshold ? x : value
    ],
)
def test_kink_dots_show_the_value_used(name, role, filled, hollow):
    ax = drawn(name).axes[0]
    close(points(ax, f"{role}:filled"), sorted(filled))
    close(points(ax, f"{role}:open"), sorted(hollow))


def test_parameters_move_the_dots():
    ax = drawn("leaky_relu", {"alpha": "0.2"}).axes[0]
    close(points(ax, "derivative:filled"), [(0, 0.2)])
    assert "0.2" in ax.get_title()


@pytest.mark.parametrize(
    "name, params, window",
    [
        ("sigmoid", None, (-6, 6)),  # sigma' < 1% of its peak beyond |x| = 5.99
        ("tanh", None, (-3, 3)),
        ("relu", None, (-3, 3)),  # a kink and two straight lines: the kink centred
        ("hardtanh", None, (-3, 3)),
        ("hardtanh", {"min_val": "-4", "max_val": "4"}, (-6, 6)),  # the corners, wherever they are
        ("relu6", None, (-2, 8)),  # both corners, centred between them
        ("elu", None, (-5, 5)),  # ELU' = e^x < 1% beyond x = -4.6; the kink centred
    ],
)
def test_window_comes_from_the_functions_facts(name, params, window):
    assert drawn(name, params).axes[0].get_xlim() == window


# --------------------------------------------------------------------------- gallery and overlay


def test_gallery_of_the_lectures_eight():
    fig = gallery()
    style.encoded(fig, "png")
    assert [ax.get_title() for ax in fig.axes] == [title(symdl.activation(n)) for n in GALLERY]
    for ax, name in zip(fig.axes, GALLERY, strict=True):
        gid = "f:n=2" if symdl.activation(name).is_vector else "f"
        xs = np.asarray(line(ax, gid).get_xdata())
        assert len(xs) > 700 and ax.get_xlim() == (xs.min(), xs.max())


def test_overlay_of_derivatives_is_the_vanishing_gradient_picture():
    fig = overlay()
    style.encoded(fig, "png")
    ax = fig.axes[0]
    assert OVERLAY == ("sigmoid", "tanh", "relu")
    assert np.nanmax(line(ax, "sigmoid:derivative").get_ydata()) == pytest.approx(0.25, rel=1e-6)  # sigma'(0)
    assert np.nanmax(line(ax, "tanh:derivative").get_ydata()) == pytest.approx(1.0, rel=1e-6)
    relu = np.asarray(line(ax, "relu:derivative").get_ydata())
    assert set(relu[~np.isnan(relu)]) == {0.0, 1.0}
    close(points(ax, "relu:derivative:filled"), [(0, 0)])
    close(points(ax, "relu:derivative:open"), [(0, 1)])


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_the_same_bytes_on_every_run(fmt):
    assert style.encoded(plot("hardtanh"), fmt) == style.encoded(plot("hardtanh"), fmt)
    first = style.encoded(plot("relu"), fmt)
    script = (  # another process: no state (ids, hash salts, dates) carries the difference
        "import sys; from symdl.figures import plot, style; "
        f"sys.stdout.buffer.write(style.encoded(plot.plot('relu'), '{fmt}'))"
    )
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, timeout=300).stdout
    assert hashlib.sha256(other).hexdigest() == hashlib.sha256(first).hexdigest()


def test_plot_command_writes_every_file(tmp_path, capsys):
    out = tmp_path / "figures"
    code, stdout, err = run_symdl(capsys, "plot", "relu", "sigmoid", "--gallery", "--overlay", "-o", out)
    assert code == 0, err
    stems = ["relu", "sigmoid", "gallery", "derivatives"]
    expected = [out / f"{stem}.{ext}" for stem in stems for ext in ("png", "pdf")]
    assert stdout.split() == [str(p) for p in expected]
    assert sorted(out.iterdir()) == sorted(expected)
    for path in expected:
        if path.suffix == ".pdf":
            assert path.read_bytes().startswith(b"%PDF")
        else:
            with Image.open(path) as image:
                assert min(image.info["dpi"]) >= 150
    code, _, err = run_symdl(capsys, "plot", "relu", "--format", "svg", "-o", out)
    assert code == 0 and (out / "relu.svg").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize(
    "args, says",
    [
        (["nope"], "unknown activation 'nope'"),
        (["relu", "--format", "png,jpg"], "'jpg' is not a figure format"),
        (["relu", "-p", "alpha=0.2"], "no activation plotted has a parameter 'alpha'"),
        (["relu", "-p", "alpha"], "write NAME=VALUE"),
        (["relu", "leaky_relu", "-p", "alpha=2"], "alpha <= 1"),  # found while drawing the second: nothing written
        ([], "give activation names"),
    ],
)
def test_bad_input_is_one_line_and_nothing_written(tmp_path, capsys, args, says):
    out = tmp_path / "figures"
    code, stdout, err = run_symdl(capsys, "plot", *args, "-o", out)
    assert code == 2 and says in err and err.count("\n") == 1 and stdout == ""
    assert not out.exists()


def test_output_that_cannot_be_replaced_is_refused_before_the_work(tmp_path, capsys):
    a_file = tmp_path / "afile"
    a_file.write_text("keep")
    code, _, err = run_symdl(capsys, "plot", "relu", "-o", a_file)
    assert code == 2 and err.count("\n") == 1 and a_file.read_text() == "keep"
    (tmp_path / "relu.pdf").mkdir()  # a directory where relu.pdf would go
    code, _, err = run_symdl(capsys, "plot", "relu", "-o", tmp_path)
    assert code == 2 and "it is a directory" in err and err.count("\n") == 1
    assert not (tmp_path / "relu.png").exists()  # not even the file that could have been written


def test_import_symdl_does_not_import_matplotlib():
    script = "import sys, symdl; assert 'matplotlib' not in sys.modules; symdl.plot; assert 'matplotlib' in sys.modules"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)


@pytest.mark.skipif(not TEX, reason="latexmk and pdflatex are not installed")
@pytest.mark.parametrize("fmt", ["beamer", "standalone"])
def test_documents_include_the_plot_where_it_exists(tmp_path, capsys, fmt):
    from symdl.render.formats import render

    assert run_symdl(capsys, "plot", "relu", "--format", "pdf", "-o", tmp_path / "figures")[0] == 0
    log = compile_pdf(tmp_path, "doc", render(["relu", "sigmoid"], fmt))
    assert "figures/relu.pdf" in log.replace("\n", "")  # pdfTeX names every graphic it reads
    assert "figures/sigmoid.pdf" not in log.replace("\n", "") and "Overfull" not in log

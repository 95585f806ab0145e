"""The derivation cache: what the engine found for a declaration, kept on disk between runs.

Where: ``$SYMDL_CACHE_DIR``, else the platform's user cache directory for symdl (``platformdirs``:
``~/.cache/symdl`` on Linux).  Bypassed by ``symdl --no-cache``, by ``SYMDL_NO_CACHE=1``, and in the
library by ``set_enabled(False)`` or ``with bypassed():``.

What: each caller names a *kind* of entry ("derivation", "working", ...) and the *parts* its value depends
on (the declaration's definition, parameters and values, ...).  An entry's identity is those, with this
module's schema, symdl's version, a fingerprint of symdl's own source files (a changed engine never reads
an old answer), and the versions of SymPy and mpmath (and of any other package the caller names); its file
is ``KIND/HASH.json``, and it records its identity in full, so an entry filed under the wrong name, or a hash
that collides, is not believed.

How: JSON, read back by rebuilding, never by running it.  A SymPy expression is a tree of class names and
arguments, rebuilt as ``cls(*args)`` (SymPy's invariant ``e.func(*e.args) == e``) where ``cls`` comes from an
explicit list of SymPy's classes and symdl's primitives (``symdl.functions``); a symbol is its name and
assumptions, a number its exact digits (a Float its binary mantissa and precision).  Records (the engine's
dataclasses) are named by the caller.  Nothing is unpickled, evaluated or parsed as an expression.  A value is
stored only if it reads back equal to itself.

Trust: an entry that is missing, unreadable, truncated, corrupt, written by another version or naming an
unknown class is recomputed without a word; a directory that cannot be written is not written.  A write goes
to a temporary file beside the entry, renamed over it when complete (``os.replace``), so two processes writing
the same entry at once leave one whole entry.  What the cache holds must not depend on the clock: callers
store facts found and reasons proved (``NotFound``), never "not found within the time limit".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

SCHEMA = 1  # the layout of an entry; raise it when the encoding changes

T = TypeVar("T")

_enabled = True  # the library's switch (``set_enabled``); SYMDL_NO_CACHE=1 turns the cache off as well


class _Unusable(Exception):
    """A value that has no encoding here, or an entry that does not decode: not cached, or not believed."""


# --------------------------------------------------------------------------- switch and place


def enabled() -> bool:
    """Whether the cache is read and written (not after ``set_enabled(False)``, nor with SYMDL_NO_CACHE=1)."""
    return _enabled and os.environ.get("SYMDL_NO_CACHE", "").strip() in ("", "0")


def set_enabled(flag: bool) -> bool:
    """Turn the cache on or off in this process; returns the previous setting."""
    global _enabled
    previous, _enabled = _enabled, bool(flag)
    return previous


@contextmanager
def bypassed() -> Iterator[None]:
    """No cache inside this block, in this process and in the processes it starts (``symdl --no-cache``)."""
    previous = set_enabled(False)
    before = os.environ.get("SYMDL_NO_CACHE")
    os.environ["SYMDL_NO_CACHE"] = "1"
    try:
        yield
    finally:
        set_enabled(previous)
        if before is None:
            os.environ.pop("SYMDL_NO_CACHE", None)
        else:
            os.environ["SYMDL_NO_CACHE"] = before


def directory() -> Path:
    """Where entries live: ``$SYMDL_CACHE_DIR``, else the platform's user cache directory for symdl
    (``OSError`` where there is none: no platformdirs, no home; then nothing is cached)."""
    given = os.environ.get("SYMDL_CACHE_DIR", "").strip()
    if given:
        return Path(given)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("symdl"))
    except (ImportError, RuntimeError, KeyError) as error:
        raise OSError(f"no user cache directory: {error}") from None


# --------------------------------------------------------------------------- identity


@cache
def _versions() -> tuple[str, ...]:
    import mpmath
    import sympy

    return (f"schema {SCHEMA}", f"symdl {_version('symdl')}", f"source {_fingerprint()}",
            f"sympy {sympy.__version__}", f"mpmath {mpmath.__version__}")  # fmt: skip


@cache
def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "none"


@cache
def _fingerprint() -> str:
    """A hash of symdl's own source files: what the engine does is what its code says, whatever the version."""
    root = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def _part(value: Any) -> Any:
    """A part of an identity as JSON: a SymPy object by ``srepr`` (symbols with their assumptions)."""
    from sympy import Basic, srepr

    if isinstance(value, Basic):
        return srepr(value)
    if isinstance(value, Mapping):
        return [[_part(k), _part(v)] for k, v in sorted(value.items(), key=lambda kv: str(_part(kv[0])))]
    if isinstance(value, tuple | list):
        return [_part(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise _Unusable(f"no identity for {type(value).__name__}")


def identity(kind: str, parts: Iterable[Any], depends: Iterable[str] = ()) -> str:
    """Everything an entry of KIND with these PARTS depends on, as one text (``depends``: more packages)."""
    versions = [*_versions(), *(f"{name} {_version(name)}" for name in depends)]
    return json.dumps([versions, kind, _part(list(parts))], separators=(",", ":"), ensure_ascii=True)


def _path(kind: str, text: str) -> Path:
    if not re.fullmatch(r"[a-z_]+", kind):
        raise ValueError(f"cache kind {kind!r}: lower-case letters and '_' only")
    return directory() / kind / f"{hashlib.sha256(text.encode()).hexdigest()}.json"


# --------------------------------------------------------------------------- reading and writing


class Entry:
    """A stored entry, its values decoded on first use (``get``): a command that needs two facts of five
    rebuilds two."""

    def __init__(self, values: Mapping[str, Any], records: Mapping[str, type], classes: Mapping[str, type]):
        self._raw = dict(values)
        self._records, self._classes = records, classes
        self._decoded: dict[str, Any] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._raw

    def names(self) -> tuple[str, ...]:
        return tuple(self._raw)

    def get(self, name: str) -> Any:
        """The value NAME, rebuilt; ``KeyError`` if absent, ``LookupError`` if it does not decode (a corrupt
        entry: the caller recomputes)."""
        if name not in self._decoded:
            raw = self._raw[name]
            try:
                self._decoded[name] = decode(raw, self._records, self._classes)
            except _Unusable as error:
                raise LookupError(str(error)) from None
        return self._decoded[name]


def load(kind: str, parts: Iterable[Any], records: Iterable[type] = (), classes: Mapping[str, type] | None = None,
         depends: Iterable[str] = ()) -> Entry | None:  # fmt: skip
    """The entry of KIND for PARTS, or None (no cache, no entry, or one not to be believed)."""
    if not enabled():
        return None
    try:
        text = identity(kind, parts, depends)
        values = _read(_path(kind, text), text)
    except (_Unusable, OSError):
        return None
    if values is None:
        return None
    return Entry(values, {r.__name__: r for r in records}, dict(classes or {}))


def _read(path: Path, text: str) -> dict[str, Any] | None:
    """The stored values of the entry at PATH if it is whole and its identity is TEXT."""
    try:
        with open(path, encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("identity") != text or not isinstance(stored.get("values"), dict):
        return None
    return stored["values"]


def store(kind: str, parts: Iterable[Any], values: Mapping[str, Any], records: Iterable[type] = (),
          classes: Mapping[str, type] | None = None, depends: Iterable[str] = ()) -> bool:  # fmt: skip
    """Add VALUES to the entry of KIND for PARTS (its other values stay), each only if it reads back equal to
    itself; whether anything was written.  Silent: a value with no encoding is left out, a directory that
    cannot be written is not written."""
    if not enabled():
        return False
    by_name = {r.__name__: r for r in records}
    classes = dict(classes or {})
    encoded = {}
    for name, value in values.items():
        try:
            data = encode(value, by_name, classes)
            if decode(json.loads(json.dumps(data)), by_name, classes) != value:
                continue
        except (_Unusable, RecursionError, ValueError, TypeError):
            continue
        encoded[name] = data
    if not encoded:
        return False
    try:
        text = identity(kind, parts, depends)
        path = _path(kind, text)
    except (_Unusable, OSError):
        return False
    merged = {**(_read(path, text) or {}), **encoded}
    return _write(path, json.dumps({"identity": text, "values": merged}, separators=(",", ":")))


def _write(path: Path, text: str) -> bool:
    """TEXT into PATH whole: a temporary file beside it, renamed over it."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.stem[:16]}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(text)
        os.replace(temporary, path)
        return True
    except OSError:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)
        return False


def remembered(kind: str, parts: Iterable[Any], compute: Callable[[], T], records: Iterable[type] = (),
               classes: Mapping[str, type] | None = None, depends: Iterable[str] = (),
               keep: Callable[[], bool] = lambda: True,
               valid: Callable[[Any], bool] = lambda value: True) -> T:  # fmt: skip
    """``compute()``, or what it gave for PARTS in an earlier run (it must depend on nothing else, and not on
    the clock); an exception it raises is not kept.  ``keep()``, asked after ``compute``: whether the value may
    be stored (not if it leaned on a fact that ran out of time); ``valid(value)``: whether a stored value has
    the shape the caller needs (else it is computed again)."""
    parts, records = list(parts), tuple(records)
    entry = load(kind, parts, records, classes, depends)
    if entry is not None and "value" in entry:
        try:
            value = entry.get("value")
        except LookupError:
            pass
        else:
            if valid(value):
                return value
    value = compute()
    if keep():
        store(kind, parts, {"value": value}, records, classes, depends)
    return value


# --------------------------------------------------------------------------- encoding


@cache
def _functions() -> dict[str, type]:
    """The classes an expression may be rebuilt from, by name: SymPy's that symdl's expressions hold, and
    symdl's primitives (``symdl.functions``)."""
    import sympy
    from sympy.codegen.cfunctions import expm1, log1p
    from sympy.functions.elementary.piecewise import ExprCondPair

    from symdl.functions import PRIMITIVES

    names = """Add Mul Pow Tuple UnevaluatedExpr Derivative Subs Sum Product Piecewise Indexed IndexedBase Idx
        KroneckerDelta Abs sign Heaviside Max Min re im floor ceiling exp log sin cos tan cot sec csc asin
        acos atan acot atan2 sinh cosh tanh coth sech csch asinh acosh atanh erf erfc erfi erfinv erfcinv
        LambertW gamma Equality Unequality StrictLessThan LessThan StrictGreaterThan GreaterThan And Or Not
        Xor Implies Interval Union Intersection Complement FiniteSet AccumBounds""".split()  # noqa: SIM905
    classes = [getattr(sympy, name) for name in names] + [ExprCondPair, expm1, log1p]
    classes += [p.function for p in PRIMITIVES if p.is_class]
    return {cls.__name__: cls for cls in classes}


@cache
def _unevaluated() -> frozenset[str]:
    """The classes rebuilt with ``evaluate=False``: their arguments as stored, not simplified again."""
    from sympy import Function

    kept = """Add Mul Pow Derivative Max Min Equality Unequality StrictLessThan LessThan StrictGreaterThan
        GreaterThan And Or Not Xor Implies Union Intersection Complement FiniteSet""".split()  # noqa: SIM905
    return frozenset(kept) | {name for name, cls in _functions().items() if issubclass(cls, Function)}


@cache
def _singletons() -> dict[str, Any]:
    from sympy import S

    objects = [S.Pi, S.Exp1, S.Infinity, S.NegativeInfinity, S.ComplexInfinity, S.NaN, S.ImaginaryUnit,
               S.EulerGamma, S.GoldenRatio, S.Catalan, S.true, S.false, S.EmptySet, S.Reals, S.Integers,
               S.Naturals, S.Naturals0, S.Complexes, S.UniversalSet]  # fmt: skip
    return {type(o).__name__: o for o in objects}


def encode(value: Any, records: Mapping[str, type] = {}, classes: Mapping[str, type] = {}) -> Any:
    """VALUE as JSON data: ``{"symbols": [...], "value": tree}`` (``_Unusable`` if some part has no encoding)."""
    symbols: dict[Any, int] = {}
    tree = _Encoder(records, classes, symbols).value(value)
    table = [[s.name, dict(sorted(_assumptions(s).items()))] for s in symbols]
    return {"symbols": table, "value": tree}


class _Encoder:
    def __init__(self, records: Mapping[str, type], classes: Mapping[str, type], symbols: dict[Any, int]):
        self.records, self.classes, self.symbols = records, classes, symbols

    def value(self, value: Any) -> Any:
        from sympy import Basic

        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return {"int": str(value)}
        if isinstance(value, float):
            return {"float": repr(value)}
        if isinstance(value, Basic):
            return {"expr": self.expr(value)}
        if isinstance(value, tuple):
            return {"tuple": [self.value(v) for v in value]}
        if isinstance(value, list):
            return {"list": [self.value(v) for v in value]}
        if isinstance(value, dict):
            return {"dict": [[self.value(k), self.value(v)] for k, v in value.items()]}
        if is_dataclass(value) and self.records.get(type(value).__name__) is type(value):
            return {"record": type(value).__name__, "fields": {f.name: self.value(getattr(value, f.name))
                                                             for f in fields(value) if f.init}}  # fmt: skip
        raise _Unusable(f"no encoding for {type(value).__name__}")

    def expr(self, e: Any) -> Any:
        from sympy import Float, Integer, Rational, Symbol
        from sympy.core.numbers import mlib

        kind = type(e)
        name = kind.__name__
        if kind is Symbol:
            return {"s": self.symbols.setdefault(e, len(self.symbols))}
        if isinstance(e, Integer):
            return {"i": str(int(e))}
        if isinstance(e, Rational):
            return {"q": [str(e.p), str(e.q)]}
        if isinstance(e, Float):
            sign, mantissa, exponent, bits = mlib.to_pickable(e._mpf_)
            return {"f": [sign, mantissa, exponent, bits], "p": e._prec}
        if _singletons().get(name) is e:
            return {"c": name}
        if self.classes.get(name) is kind or _functions().get(name) is kind:
            return {"n": name, "a": [self.expr(a) for a in e.args]}
        raise _Unusable(f"no encoding for the SymPy class {name}")


def decode(data: Any, records: Mapping[str, type] = {}, classes: Mapping[str, type] = {}) -> Any:
    """What ``encode`` wrote, rebuilt; ``_Unusable`` if it is not such data or names anything not listed.
    CLASSES, the caller's own SymPy functions by name, are rebuilt unevaluated, as they were stored."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a constructor that warns is given what it should not be
            if not isinstance(data, dict) or set(data) != {"symbols", "value"}:
                raise _Unusable("not an encoded value")
            symbols = [_symbol(entry) for entry in _list(data["symbols"])]
            return _Decoder(records, classes, symbols).value(data["value"])
    except _Unusable:
        raise
    except Exception as error:  # anything a constructor raises on what it was given: not believed
        raise _Unusable(f"{type(error).__name__}: {error}") from None


_ASSUMPTION = re.compile(r"[a-z][a-z_]*")


def _assumptions(symbol: Any) -> dict[str, bool]:
    """The assumptions a symbol was made with (``Symbol("alpha", positive=True)``: positive), as SymPy pickles
    them: rebuilt from these it is the same symbol, ``srepr`` and all."""
    _, assumptions = symbol.__getnewargs_ex__()
    return dict(assumptions)


def _symbol(entry: Any) -> Any:
    from sympy import Symbol

    name, assumptions = _list(entry, 2)
    if not isinstance(name, str) or not isinstance(assumptions, dict):
        raise _Unusable("a symbol is a name and its assumptions")
    for key, truth in assumptions.items():
        if not (_ASSUMPTION.fullmatch(key) and hasattr(Symbol, f"is_{key}") and isinstance(truth, bool)):
            raise _Unusable(f"unknown assumption {key!r}")
    symbol = Symbol(name, **assumptions)
    if _assumptions(symbol) != assumptions:
        raise _Unusable(f"the assumptions of {name} do not hold together")
    return symbol


def _list(data: Any, length: int | None = None) -> list[Any]:
    if not isinstance(data, list) or (length is not None and len(data) != length):
        raise _Unusable("a list was expected")
    return data


def _only(data: Any, *keys: str) -> None:
    if not isinstance(data, dict) or set(data) != set(keys):
        raise _Unusable(f"expected the keys {keys}")


_DIGITS = re.compile(r"-?[0-9]{1,4000}")
_HEX = re.compile(r"[0-9a-f]{1,4000}")


class _Decoder:
    def __init__(self, records: Mapping[str, type], classes: Mapping[str, type], symbols: list[Any]):
        self.records, self.classes, self.symbols = records, classes, symbols

    def value(self, data: Any) -> Any:
        if data is None or isinstance(data, bool | str):
            return data
        if not isinstance(data, dict) or not data:
            raise _Unusable("not an encoded value")
        if "record" in data:
            _only(data, "record", "fields")
            cls = self.records.get(data["record"])
            if cls is None or not isinstance(data["fields"], dict):
                raise _Unusable(f"unknown record {data['record']!r}")
            expected = {f.name for f in fields(cls) if f.init}
            if set(data["fields"]) != expected:
                raise _Unusable(f"{cls.__name__}: the fields {sorted(expected)} were expected")
            return cls(**{name: self.value(v) for name, v in data["fields"].items()})
        if len(data) != 1:
            raise _Unusable("not an encoded value")
        ((kind, inner),) = data.items()
        if kind == "int":
            return int(_number(inner, _DIGITS))
        if kind == "float":
            if not isinstance(inner, str) or len(inner) > 40:
                raise _Unusable("a float is its repr")
            return float(inner)
        if kind == "expr":
            return self.expr(inner)
        if kind == "tuple":
            return tuple(self.value(v) for v in _list(inner))
        if kind == "list":
            return [self.value(v) for v in _list(inner)]
        if kind == "dict":
            return {self.value(k): self.value(v) for k, v in (_list(pair, 2) for pair in _list(inner))}
        raise _Unusable(f"unknown value kind {kind!r}")

    def expr(self, data: Any) -> Any:
        from sympy import Float, Integer, Rational

        if not isinstance(data, dict):
            raise _Unusable("an expression is an object")
        if "s" in data:
            _only(data, "s")
            index = data["s"]
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.symbols):
                raise _Unusable("no such symbol")
            return self.symbols[index]
        if "i" in data:
            _only(data, "i")
            return Integer(int(_number(data["i"], _DIGITS)))
        if "q" in data:
            _only(data, "q")
            p, q = (int(_number(v, _DIGITS)) for v in _list(data["q"], 2))
            value = Rational(p, q)
            if (value.p, value.q) != (p, q) or q == 1:
                raise _Unusable("a rational in lowest terms was expected")
            return value
        if "f" in data:
            _only(data, "f", "p")
            sign, mantissa, exponent, bits = _list(data["f"], 4)
            precision = data["p"]
            if sign not in (0, 1) or not all(isinstance(v, int) and not isinstance(v, bool)
                                             for v in (exponent, bits, precision)):  # fmt: skip
                raise _Unusable("a float is a sign, a mantissa in hex, an exponent and its bits")
            if not 1 <= precision <= 100_000 or abs(exponent) > 10**7:
                raise _Unusable("a float out of range")
            return Float((sign, _number(mantissa, _HEX), exponent, bits), precision=precision)
        if "c" in data:
            _only(data, "c")
            found = _singletons().get(data["c"]) if isinstance(data["c"], str) else None
            if found is None:
                raise _Unusable(f"unknown constant {data['c']!r}")
            return found
        _only(data, "n", "a")
        name = data["n"]
        cls = (self.classes.get(name) or _functions().get(name)) if isinstance(name, str) else None
        if cls is None:
            raise _Unusable(f"unknown class {name!r}")
        args = [self.expr(a) for a in _list(data["a"])]
        if (
            name in _unevaluated() or name in self.classes
        ):  # as it was built: a step written unevaluated stays so, the rest is canonical
            return cls(*args, evaluate=False)
        return cls(*args)


def _number(text: Any, pattern: re.Pattern[str]) -> str:
    if not isinstance(text, str) or not pattern.fullmatch(text):
        raise _Unusable("a number's digits were expected")
    return text


__all__ = [
    "SCHEMA",
    "Entry",
    "bypassed",
    "decode",
    "directory",
    "enabled",
    "encode",
    "identity",
    "load",
    "remembered",
    "set_enabled",
    "store",
]

"""Keras names for objects: the tables behind the ``get`` functions and ``name_of``.

:func:`rnn.losses.get`, :func:`rnn.metrics.get`, :func:`rnn.optimizers.get`,
:func:`rnn.initializers.get` and :func:`rnn.activations.get` each keep a table from
names to classes or functions; this module builds such tables, looks names up in
them with Keras's error, and finds the name of an object for ``get_config``.

Examples
--------
>>> from rnn._registry import lookup, name_table
>>> class MeanSquaredError:
...     default_name = "mean_squared_error"
>>> table = name_table([(MeanSquaredError, ("mse",))])
>>> list(table)
['mse', 'mean_squared_error', 'MeanSquaredError']
>>> lookup("mse", table, "loss").__name__
'MeanSquaredError'
>>> lookup("msee", table, "loss")
Traceback (most recent call last):
...
ValueError: Could not interpret loss identifier: msee
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["from_serialized", "get_object", "lookup", "name_of", "name_table", "serialized"]


def name_table(entries: Iterable[tuple[Any, Sequence[str]]]) -> dict[str, Any]:
    """Each class under its aliases, then its Keras name (``default_name``) and class name.

    Parameters
    ----------
    entries : iterable of (class, aliases)
        The classes, each with a ``default_name`` attribute, and extra names
        such as ``("mse", "MSE")``.
    """
    table: dict[str, Any] = {}
    for cls, aliases in entries:
        for name in (*aliases, cls.default_name, cls.__name__):
            table[name] = cls
    return table


def lookup(identifier: Any, table: Mapping[str, T], kind: str, quote: bool = False) -> T:
    """Return ``table[identifier]`` for a known name, else raise Keras's ``ValueError``.

    Parameters
    ----------
    identifier : object
        What was passed to ``get``; anything but a known name is an error.
    table : mapping of str to object
    kind : str
        The word in the message: ``"Could not interpret {kind} identifier: ..."``.
    quote : bool
        Show the identifier's ``repr`` (``'glorot'``) rather than its text (``glorot``).
    """
    if isinstance(identifier, str) and identifier in table:
        return table[identifier]
    shown = repr(identifier) if quote else identifier
    raise ValueError(f"Could not interpret {kind} identifier: {shown}")


def name_of(obj: Any, table: Mapping[str, Any]) -> str:
    """Return the first name of ``obj`` in ``table``, else its ``__name__`` (or its ``repr``)."""
    for name, entry in table.items():
        if entry is obj:
            return name
    return getattr(obj, "__name__", repr(obj))


def serialized(obj: Any, module: str) -> dict[str, Any]:
    """Keras 3's serialized form of an object with ``get_config``, as configs hold it.

    Examples
    --------
    >>> from rnn._registry import serialized
    >>> class NonNeg:
    ...     def get_config(self):
    ...         return {}
    >>> serialized(NonNeg(), "keras.constraints")
    {'module': 'keras.constraints', 'class_name': 'NonNeg', 'config': {}, 'registered_name': None}
    """
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def from_serialized(
    config: Mapping[str, Any],
    classes: Mapping[str, Any],
    kind: str,
    custom_objects: Mapping[str, Any] | None = None,
) -> Any:
    """Make the object of a `serialized` form: its class (your own first) ``from_config``.

    Raises
    ------
    ValueError
        For a class in neither ``custom_objects`` nor ``classes``, in Keras's wording
        (``"Could not interpret {kind} identifier: {config}"``).
    """
    name = config.get("class_name")
    cls = (custom_objects or {}).get(str(name)) or classes.get(str(name))
    if cls is None:
        raise ValueError(f"Could not interpret {kind} identifier: {dict(config)}")
    return cls.from_config(dict(config.get("config") or {}))


def get_object(
    identifier: Any, table: Mapping[str, Any], base: type, kind: str, classes: Mapping[str, Any]
) -> Any:
    """Keras's ``get`` for a family of classes (constraints, regularizers).

    None gives None; a serialized dict its object (`from_serialized`); a name in
    ``table`` its class with the defaults; a subclass of ``base`` an instance; any other
    callable itself.

    Raises
    ------
    ValueError
        For anything else, in Keras's wording.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return from_serialized(identifier, classes, kind)
    if isinstance(identifier, str):
        return lookup(identifier, table, kind)()
    if isinstance(identifier, type) and issubclass(identifier, base):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")

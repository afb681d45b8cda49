"""The thin JSON layer under the generated models (``_generated.py``).

Every generated model is a frozen dataclass deriving from :class:`Model`, with
snake_case attributes; on the wire the names are camelCase (``risk_score`` ↔
``riskScore``, ``from_`` ↔ ``from``). Decoding follows each class's type hints, so
nested models, lists, maps and optionals need no per-class code; a required field the
JSON lacks is an error, not a silent ``None``.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Any, Callable, Dict, List, Tuple, Type, TypeVar, cast

__all__ = ["Model", "wire_name", "encode"]

M = TypeVar("M", bound="Model")

_Decoder = Callable[[Any], Any]
# Per class: (attribute, wire name, decoder, required).
_Plan = List[Tuple[str, str, _Decoder, bool]]
_PLANS: Dict[type, _Plan] = {}


def wire_name(attribute: str) -> str:
    """``risk_score`` → ``riskScore``; a trailing ``_`` (``from_``) is dropped."""
    head, *rest = attribute.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _identity(value: Any) -> Any:
    return value


def _decoder(hint: Any) -> _Decoder:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            decode = _decoder(inner[0])
            return lambda v: None if v is None else decode(v)
        return _identity
    if origin in (list, List):
        item = _decoder(args[0]) if args else _identity
        return lambda v: [item(x) for x in v]
    if origin in (dict, Dict):
        value = _decoder(args[1]) if len(args) == 2 else _identity
        return lambda v: {k: value(x) for k, x in v.items()}
    if isinstance(hint, type) and issubclass(hint, Model):
        model: Type[Model] = hint
        return lambda v: model.from_dict(v)
    return _identity


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        plan = [
            (
                f.name,
                wire_name(f.name),
                _decoder(hints[f.name]),
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            )
            for f in dataclasses.fields(cls)
        ]
        _PLANS[cls] = plan
    return plan


def encode(value: Any, *, keep_none: bool = False) -> Any:
    """A model (or a list/dict of them) → JSON-ready data. ``None`` fields are left out
    (the core then applies its defaults) unless ``keep_none``."""
    if isinstance(value, Model):
        return {
            key: encode(item, keep_none=keep_none)
            for name, key, _, _ in _plan(type(value))
            for item in (getattr(value, name),)
            if keep_none or item is not None
        }
    if isinstance(value, (list, tuple)):
        items = cast(List[Any], value)
        return [encode(v, keep_none=keep_none) for v in items]
    if isinstance(value, dict):
        entries = cast(Dict[str, Any], value)
        return {k: encode(v, keep_none=keep_none) for k, v in entries.items()}
    return value


class Model:
    """Base of every generated model: built from and turned into the API's JSON."""

    __slots__ = ()

    @classmethod
    def from_dict(cls: Type[M], data: Any) -> M:
        """Build from the API's JSON object (camelCase keys)."""
        if not isinstance(data, dict):
            raise TypeError(f"{cls.__name__}: expected a JSON object, got {type(data).__name__}")
        obj = cast(Dict[str, Any], data)
        kwargs: Dict[str, Any] = {}
        for name, key, decode, required in _plan(cls):
            if key in obj:
                kwargs[name] = decode(obj[key])
            elif required:
                raise ValueError(f"{cls.__name__}: the response lacks `{key}`")
        return cls(**kwargs)

    @classmethod
    def from_json(cls: Type[M], text: str) -> M:
        """Build from the API's JSON text."""
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> Dict[str, Any]:
        """The API's JSON object (camelCase keys, ``None`` as ``null``) — the inverse of
        :meth:`from_dict`."""
        out: Dict[str, Any] = encode(self, keep_none=True)
        return out

    def to_json(self) -> str:
        """The API's JSON text."""
        return json.dumps(self.to_dict())

    def __bool__(self) -> bool:
        """A verdict (``VerifyResult``, ``ChainReport``, ``SidecarReport``) is truthy when
        ``ok``; every other model is truthy."""
        ok = getattr(self, "ok", None)
        return ok if isinstance(ok, bool) else True

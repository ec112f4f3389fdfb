"""Doc extensions that survive serialisation: ``Doc.to_bytes``, ``DocBin`` and
``nlp.pipe(texts, n_process=2)``, which ships documents between processes as msgpack.

``doc._.quotes`` holds :class:`~quoteattr.types.Quote` objects, ``doc._.speech_cues``
:class:`~quoteattr.types.Cue` and ``doc._.entities`` :class:`~quoteattr.entities.Entity`: plain
attrs classes that msgpack cannot encode. They are registered with srsly (spaCy's serialiser)
as tagged dicts built by their own ``to_dict``/``from_dict``, nothing else: decoding never
imports or calls anything named by the data.
"""

from __future__ import annotations

from typing import Any, Callable

import srsly

from ..entities.entity import Entity
from ..types import Cue, Quote

_TAG = "__quoteattr__"
_KINDS: dict[str, tuple[type[Any], Callable[[dict], Any]]] = {
    "quote": (Quote, Quote.from_dict),
    "cue": (Cue, Cue.from_dict),
    "entity": (Entity, lambda d: Entity(**d)),
}


@srsly.msgpack_encoders("quoteattr_values")
def encode(obj: Any, chain: Callable | None = None) -> Any:
    for kind, (cls, _) in _KINDS.items():
        if isinstance(obj, cls):
            return {_TAG: kind, "value": obj.to_dict()}
    return obj if chain is None else chain(obj)


@srsly.msgpack_decoders("quoteattr_values")
def decode(obj: Any, chain: Callable | None = None) -> Any:
    if isinstance(obj, dict) and obj.get(_TAG) in _KINDS:
        return _KINDS[obj[_TAG]][1](obj["value"])
    return obj if chain is None else chain(obj)

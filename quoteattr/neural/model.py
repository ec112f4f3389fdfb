"""The scoring model both trained components share: pooled span pairs plus rule features.

Input: a :class:`PairBatch` (documents, and per document the token spans ``a`` and ``b`` of
each pair and its feature vector). ``tok2vec`` (in the shipped pipeline, a listener of the
shared ``Transformer``) gives one vector per token; each span is mean-pooled, and the pair is
``[a, b, a * b, features]``, scored by a small feed-forward net. The speaker linker uses one
output (a score per candidate, normalised per quotation by the component); the stance
classifier uses three (favor, against, neutral).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import attrs
import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Model, Relu, chain
from thinc.types import Floats2d


@attrs.frozen(slots=True)
class PairBatch:
    docs: Sequence[Doc]
    spans: Sequence[numpy.ndarray]  # per doc: int array (n_pairs, 4): a_start, a_end, b_start, b_end (tokens)
    features: Sequence[numpy.ndarray]  # per doc: float32 array (n_pairs, n_features)


@registry.architectures("quoteattr.PairScorer.v1")
def build_pair_scorer(
    tok2vec: Model[list[Doc], list[Floats2d]],
    width: int,
    n_features: int,
    hidden_width: int = 64,
    n_out: int = 1,
    dropout: float = 0.1,
) -> Model[PairBatch, Floats2d]:
    """``width``: the tok2vec output width (the encoder's hidden size, 256 for the shipped
    encoder, 768 for a base-size BERT). ``n_features``: the length of the feature vectors."""
    mlp: Model[Floats2d, Floats2d] = chain(
        Relu(nO=hidden_width, nI=3 * width + n_features, dropout=dropout), Linear(nO=n_out, nI=hidden_width)
    )
    return Model(
        "quoteattr_pair_scorer",
        _forward,
        init=_init,
        layers=[tok2vec, mlp],
        refs={"tok2vec": tok2vec, "mlp": mlp},
        dims={"nO": n_out},
        attrs={"width": width, "n_features": n_features},
    )


def _init(model: Model, X: PairBatch | None = None, Y=None) -> None:
    model.get_ref("tok2vec").initialize(X=list(X.docs) if X is not None else None)
    model.get_ref("mlp").initialize()


def _pool(vectors: Floats2d, spans: numpy.ndarray, col: int, width: int) -> numpy.ndarray:
    out = numpy.zeros((len(spans), width), dtype="float32")
    for k, (s, e) in enumerate(spans[:, col : col + 2]):
        if e > s:
            out[k] = vectors[s:e].mean(axis=0)
    return out


def _forward(model: Model, inputs: PairBatch, is_train: bool) -> tuple[Floats2d, Callable]:
    width = model.attrs["width"]
    tok2vec, mlp = model.get_ref("tok2vec"), model.get_ref("mlp")
    tokvecs, bp_tokvecs = tok2vec(list(inputs.docs), is_train)
    host = [model.ops.to_numpy(v) for v in tokvecs]
    for v in host:
        if v.ndim != 2 or (v.shape[0] and v.shape[1] != width):
            raise ValueError(f"quoteattr.PairScorer.v1: the tok2vec layer gives vectors of width "
                             f"{v.shape[-1]}, the config says width = {width}")
    a_parts, b_parts = [], []
    for v, spans in zip(host, inputs.spans):
        a_parts.append(_pool(v, spans, 0, width))
        b_parts.append(_pool(v, spans, 2, width))
    n_feat = model.attrs["n_features"]
    A = numpy.concatenate(a_parts) if a_parts else numpy.zeros((0, width), "float32")
    B = numpy.concatenate(b_parts) if b_parts else numpy.zeros((0, width), "float32")
    F = numpy.concatenate(inputs.features).astype("float32") if inputs.features else numpy.zeros((0, n_feat), "float32")
    X = model.ops.asarray2f(cast(Floats2d, numpy.hstack([A, B, A * B, F])))
    Y, bp_mlp = mlp(X, is_train)

    def backprop(dY: Floats2d) -> PairBatch:
        dX = model.ops.to_numpy(bp_mlp(dY))
        dA = dX[:, :width] + dX[:, 2 * width : 3 * width] * B
        dB = dX[:, width : 2 * width] + dX[:, 2 * width : 3 * width] * A
        d_tok, row = [], 0
        for v, spans in zip(host, inputs.spans):
            d = numpy.zeros_like(v)
            for k, (a0, a1, b0, b1) in enumerate(spans):
                if a1 > a0:
                    d[a0:a1] += dA[row + k] / (a1 - a0)
                if b1 > b0:
                    d[b0:b1] += dB[row + k] / (b1 - b0)
            row += len(spans)
            d_tok.append(model.ops.asarray2f(d))
        bp_tokvecs(d_tok)
        return inputs

    return Y, backprop

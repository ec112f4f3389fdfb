"""``quoteattr.Examples.v1``: the corpus reader of the training configs.

It reads a ``DocBin`` written by :mod:`quoteattr.training.data` (documents already run through
the rule layer, gold in ``user_data``) and yields ``Example(predicted, reference)`` pairs whose
predicted side keeps the rule layer's annotations, so that training does not rerun it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import registry

from ..errors import CorpusError
from ..pipeline.components import register_extensions


@registry.readers("quoteattr.Examples.v1")
def create_reader(path: Path | None, limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    def read(nlp: Language) -> Iterable[Example]:
        if path is None or not Path(path).is_file():
            raise CorpusError(f"training data not found: {path} (quoteattr train writes it)")
        register_extensions()
        from ..entities.component import register_extensions as entity_extensions

        entity_extensions()
        docs = DocBin(store_user_data=True).from_disk(path).get_docs(nlp.vocab)
        for n, doc in enumerate(docs):
            if limit and n >= limit:
                return
            yield Example(doc.copy(), doc)

    return read

"""Saving pipelines with a manifest, and checking a pipeline folder before spaCy reads it.

:func:`save` writes a spaCy pipeline with ``nlp.to_disk`` and then a manifest,
``quoteattr-manifest.json``, that lists every file of the folder with its size and SHA-256.
:func:`verify` checks a folder against its manifest before anything in it is parsed:

* the manifest is present and well formed, and every path in it stays inside the folder;
* every listed file is there (else *missing*), has its recorded size (else *truncated*, or
  *has grown*) and its recorded SHA-256 (else *modified*);
* no file is in the folder that the manifest does not list, and nothing is a symbolic link;
* no file is in a format that can run code when it is read: pickle (``.pkl``, ``.pt``,
  ``.joblib`` ..., or any file that starts with a pickle header) or a PyTorch ``torch.save``
  archive (a zip with a ``.pkl`` member), on its own or embedded in another file the way
  ``thinc``'s PyTorch shim and ``spacy-transformers`` embed ``torch.save`` bytes in msgpack;
* the config does not *source* components from another folder.

Every failure is a :class:`~quoteattr.errors.ModelLoadError` that names the file. The
manifest proves integrity (nothing was truncated, corrupted or edited after saving), not
authorship: whoever can rewrite the folder can rewrite the manifest. Pass the digest that
:func:`save` returned, from a channel you trust, as ``load(path, sha256=...)`` to pin it.
See "Robustness and trust model" in the README.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import warnings
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import InputTypeError, InputValueError, ModelLoadError

MANIFEST = "quoteattr-manifest.json"
MANIFEST_FORMAT = "quoteattr-manifest/1"
#: File name endings of formats that are unpickled when read. Refused wherever they appear.
PICKLE_SUFFIXES = frozenset(
    ".pkl .pickle .pck .pcl .p .pt .pth .ckpt .joblib .jbl .dill .cloudpickle .sav .mar".split()
)
_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


# What a pickle must do to run code: import a name and call it.
_CODE_OPCODES = frozenset({"GLOBAL", "STACK_GLOBAL", "REDUCE", "INST", "OBJ", "NEWOBJ", "NEWOBJ_EX", "BUILD"})
# The magic number torch.save's legacy (pre-zip) format pickles first.
_TORCH_LEGACY_MAGIC = b"\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19"
# A protocol 0/1 GLOBAL opcode: "c" module NEWLINE name NEWLINE.
_TEXT_GLOBAL = re.compile(rb"c[A-Za-z_][\w.]{0,100}\n[A-Za-z_][\w.]{0,100}\n")


# Opcodes a real pickle begins with after its protocol header (FRAME, a container, a MARK,
# a GLOBAL, a memo, a small value): other byte pairs \x80 \x02..\x05 in binary data are
# not tried.
_FIRST_OPCODES = frozenset(b"\x95}](cqK\x8cCXUN\x88\x89\x8a\x93J")


def _is_code_pickle(data: bytes | io.BytesIO, at: int = 0) -> bool:
    """Does a pickle stream that runs code (imports and calls) start at byte ``at``?"""
    import pickletools

    stream = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    stream.seek(at)
    seen = set()
    try:
        with warnings.catch_warnings():  # genops decodes string opcodes of random bytes
            warnings.simplefilter("ignore")
            ops = list(_ops(pickletools.genops(stream)))
    except Exception:  # noqa: BLE001 - not a (complete) pickle
        return False
    for name in ops:
        seen.add(name)
        if name == "STOP":
            return bool(seen & _CODE_OPCODES)
    return False


def _ops(gen: Any, limit: int = 1_000_000) -> Any:
    """Opcode names of a pickle stream, up to its STOP (or ``limit`` opcodes)."""
    for k, (opcode, _, _) in enumerate(gen):
        yield opcode.name
        if opcode.name == "STOP" or k >= limit:
            return


def unsafe_reason(path: Path) -> str | None:
    """Why reading ``path`` could unpickle objects (run code), or ``None`` if it cannot.

    Recognised: a pickle file of any protocol (0-5), a pickle embedded in another format
    (msgpack bytes of thinc or spacy-transformers), torch.save's zip format (a ``.pkl``
    member) and its legacy format (its magic number), and file names of pickle formats.
    """
    if path.suffix.lower() in PICKLE_SUFFIXES:
        return f"its name ends in {path.suffix!r}, a pickle format"
    with open(path, "rb") as fh:
        head = fh.read(2)
        if len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
            return "it is a pickle (it starts with a pickle protocol header)"
        fh.seek(0)
        if _is_code_pickle(fh.read(1 << 16)):
            return "it is a pickle (protocol 0 or 1)"
        fh.seek(0)
        tail = b""
        for block in iter(lambda: fh.read(_CHUNK), b""):
            data = tail + block
            # A zip local file header followed by a member whose name ends in .pkl: the
            # torch.save format (also when embedded in msgpack by thinc/spacy-transformers).
            at = data.find(b"PK\x03\x04")
            while at >= 0:
                name_len = int.from_bytes(data[at + 26 : at + 28], "little")
                name = data[at + 30 : at + 30 + name_len]
                if name.endswith(b".pkl"):
                    return f"it holds a torch.save archive (member {name.decode(errors='replace')!r}), which is pickled"
                at = data.find(b"PK\x03\x04", at + 4)
            if _TORCH_LEGACY_MAGIC in data:
                return "it holds a legacy torch.save payload, which is pickled"
            # An embedded pickle: a protocol 2-5 header, or (in a binary file) a protocol 0/1
            # GLOBAL, from which a whole pickle that imports and calls can be read.
            stream = io.BytesIO(data)
            for m in re.finditer(rb"\x80[\x02-\x05]", data):
                nxt = data[m.end() : m.end() + 1]
                if nxt and nxt[0] in _FIRST_OPCODES and _is_code_pickle(stream, m.start()):
                    return f"it holds a pickle at byte {m.start()}"
            if not _is_text(block):
                for m in _TEXT_GLOBAL.finditer(data):
                    start = max(0, m.start() - 64)
                    if any(_is_code_pickle(stream, k) for k in range(start, m.start() + 1)):
                        return f"it holds a pickle (protocol 0 or 1) near byte {m.start()}"
            tail = data[-300:]  # a header cut by the block boundary is seen in the next round
    return None


def _is_text(block: bytes) -> bool:
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(block) - 4  # only a character cut at the block's end
    return True


def _listed_files(folder: Path) -> list[str]:
    """Every file below ``folder`` except the manifest, as sorted POSIX relative paths."""
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            p = Path(root, name)
            if p.is_symlink():
                raise ModelLoadError(
                    f"{p} is a symbolic link: a pipeline folder must hold its files itself; "
                    "replace the link by the file or save the pipeline again"
                )
        for name in files:
            rel = Path(root, name).relative_to(folder).as_posix()
            if rel != MANIFEST:
                out.append(rel)
    return sorted(out)


def save(nlp: Any, path: str | os.PathLike[str], *, overwrite: bool = False) -> str:
    """Save ``nlp`` to the folder ``path`` with a manifest; return the manifest's SHA-256.

    The folder must not exist or be empty; with ``overwrite=True`` a folder that holds an
    earlier quoteattr save (it has a manifest) is replaced. Raises
    :class:`~quoteattr.errors.InputValueError` when a component writes a pickle file, which
    :func:`quoteattr.load` would refuse.

    >>> import quoteattr, tempfile, os
    >>> folder = os.path.join(tempfile.mkdtemp(), "pipeline")
    >>> digest = quoteattr.save(quoteattr.load("rules"), folder)
    >>> quoteattr.load(folder, sha256=digest).pipe_names[0]
    'quoteattr_quote_marks'
    """
    from spacy.language import Language

    if not isinstance(nlp, Language):
        raise InputTypeError(
            f"save() needs a spaCy Language (from quoteattr.load()), not {type(nlp).__name__}"
        )
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
    folder = Path(path)
    if folder.exists():
        if not folder.is_dir():
            raise InputValueError(f"{folder} is a file: save the pipeline to a folder")
        if any(folder.iterdir()):
            if not (overwrite and (folder / MANIFEST).is_file()):
                raise InputValueError(
                    f"{folder} is not empty: save to a new folder"
                    + (" (overwrite=True replaces only an earlier quoteattr save)" if overwrite
                       else ", or pass overwrite=True to replace an earlier quoteattr save")
                )
            shutil.rmtree(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)  # models/quotes-v1: models/ is made too
    except OSError as exc:
        raise InputValueError(f"cannot create the folder {folder.parent}: {exc.strerror or exc}") from None
    nlp.to_disk(folder)
    _transformers_as_safetensors(nlp, folder)
    files = {}
    for rel in _listed_files(folder):
        p = folder / rel
        why = unsafe_reason(p)
        if why is not None:
            raise InputValueError(
                f"the pipeline wrote {p}, and {why}: quoteattr.load() refuses pickled files; "
                "make the component serialise with msgpack/JSON/safetensors"
            )
        files[rel] = {"size": p.stat().st_size, "sha256": _sha256(p)}
    from . import __version__

    manifest = {"format": MANIFEST_FORMAT, "quoteattr": __version__, "files": files}
    data = (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    (folder / MANIFEST).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _transformers_as_safetensors(nlp: Any, folder: Path) -> None:
    """Rewrite each ``spacy-transformers`` component's weights, which spaCy writes as
    ``torch.save`` bytes, as a Hugging Face folder with ``model.safetensors``: spacy-transformers
    reads such a folder back with ``from_pretrained``, which never unpickles."""
    for name, proc in nlp.pipeline:
        if type(proc).__name__ != "Transformer" or not hasattr(proc.model, "transformer"):
            continue
        target = folder / name / "model"
        if target.is_file():
            target.unlink()
        target.mkdir(parents=True, exist_ok=True)
        proc.model.transformer.save_pretrained(target, safe_serialization=True)
        proc.model.tokenizer.save_pretrained(target)
        head = getattr(proc.model.transformer, "quoteattr_mlm_head", None)
        if head:
            _with_mlm_head(target, head)


def _with_mlm_head(target: Path, head: dict[str, Any]) -> None:
    """Rewrite the base model saved in ``target`` as a masked language model's weights (the
    base under ``bert.``, the head's ``cls.`` tensors beside it), as ``BertForMaskedLM`` saves
    them: ``AutoModel`` still loads the base from it (spacy-transformers does), and
    ``AutoModelForMaskedLM`` the whole."""
    from safetensors.torch import load_file, save_file

    weights = target / "model.safetensors"
    state = {f"bert.{k}": v for k, v in load_file(str(weights)).items()}
    state.update({k: v.contiguous() for k, v in head.items()})
    save_file(state, str(weights), metadata={"format": "pt"})
    config_file = target / "config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["architectures"] = ["BertForMaskedLM"]
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _manifest(folder: Path, sha256: str | None) -> dict[str, dict[str, Any]]:
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise ModelLoadError(
            f"{mpath} is missing: quoteattr loads only pipelines saved with "
            "quoteattr.save(nlp, path); if you trust this folder, load it with spacy.load() "
            "and save it again with quoteattr.save()"
        )
    data = mpath.read_bytes()
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256.lower():
        raise ModelLoadError(
            f"{mpath} does not have the SHA-256 you gave ({sha256}): the folder is not the "
            "pipeline you expect; get it again from its source"
        )
    try:
        manifest = json.loads(data)
        files = manifest["files"]
        ok = manifest["format"] == MANIFEST_FORMAT and isinstance(files, dict) and all(
            isinstance(v, dict) and isinstance(v.get("size"), int) and isinstance(v.get("sha256"), str)
            for v in files.values()
        )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ModelLoadError(
            f"{mpath} is not a valid quoteattr manifest ({MANIFEST_FORMAT}): it is corrupted; "
            "save the pipeline again with quoteattr.save()"
        )
    for rel in files:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in rel:
            raise ModelLoadError(
                f"{mpath} lists {rel!r}, a path outside the folder: the manifest was tampered with"
            )
    return files


def verify(path: str | os.PathLike[str], sha256: str | None = None) -> None:
    """Check the pipeline folder ``path`` against its manifest (see the module docstring).

    Raises :class:`~quoteattr.errors.ModelLoadError` naming the first file that is missing,
    truncated, modified, unlisted, a link, or in a pickle format.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ModelLoadError(
            f"{folder} is not a folder: give the folder that quoteattr.save() wrote"
        )
    files = _manifest(folder, sha256)
    present = _listed_files(folder)
    for rel in present:
        if rel not in files:
            raise ModelLoadError(
                f"{folder / rel} is not listed in {MANIFEST}: it was added after saving; "
                "remove it, or save the pipeline again"
            )
    for rel, want in sorted(files.items()):
        p = folder / rel
        if not p.is_file():
            raise ModelLoadError(
                f"{p} is missing (listed in {MANIFEST}): the copy of the pipeline is "
                "incomplete; copy the whole folder again"
            )
        size = p.stat().st_size
        if size < want["size"]:
            raise ModelLoadError(
                f"{p} is truncated ({size:,} of {want['size']:,} bytes): copy the pipeline again"
            )
        if size > want["size"]:
            raise ModelLoadError(
                f"{p} has grown ({size:,} bytes, {want['size']:,} when saved): it was modified "
                "after saving; copy the pipeline again from its source"
            )
        if _sha256(p) != want["sha256"]:
            raise ModelLoadError(
                f"{p} does not match its SHA-256 in {MANIFEST}: it was modified or corrupted "
                "after saving; copy the pipeline again from its source"
            )
        why = unsafe_reason(p)
        if why is not None:
            raise ModelLoadError(
                f"{p} is refused because {why}: quoteattr never unpickles files from a "
                "pipeline folder; see 'Robustness and trust model' in the README"
            )
    _check_config(folder)


def _check_config(folder: Path) -> None:
    """Refuse a config that sources components from another folder (read without checks)."""
    cfg = folder / "config.cfg"
    if not cfg.is_file():
        raise ModelLoadError(f"{cfg} is missing: this is not a spaCy pipeline folder")
    from spacy.util import load_config

    try:
        config = load_config(cfg, interpolate=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a broken file
        raise ModelLoadError(f"{cfg} cannot be parsed ({exc}): save the pipeline again") from exc
    for name, comp in (config.get("components") or {}).items():
        if isinstance(comp, dict) and "source" in comp:
            raise ModelLoadError(
                f"{cfg}: component {name!r} is sourced from {comp['source']!r}, outside the "
                "checked folder; save the assembled pipeline with quoteattr.save()"
            )

"""The package's modules import only downward, and each one imports on its own.

The layers, lowest first (a module may import its own layer and those below):

0. facts and values: errors, normalize, arabic, types, data, checks, spans, guard
1. data-driven building blocks: lexicon, rules.marks, rules.config, the entity finder,
   the corpus reader, stand-off gold and drafts, the scorer
2. the rule layer's steps: rules.view .. rules.naming, rules.attribution
3. the stance rules
4. spaCy components: pipeline.*, entities.component
5. trained components and safe loading: neural.*, safeload
6. the public API and training: api, training.*
7. what sits on the API: cli, dask, tabular, visualize, evaluation (its evaluate()), the package
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "quoteattr"

LAYERS = {
    0: ["errors", "normalize", "arabic", "types", "data", "checks", "spans", "guard"],
    1: ["lexicon", "lexicon.morphology", "rules.marks", "rules.config", "entities.entity", "entities.gazetteer",
        "entities.finder", "entities.mine", "entities", "evaluation.corpus", "evaluation.gold",
        "evaluation.drafts", "evaluation.scorer", "rules"],
    2: ["rules.view", "rules.cues", "rules.phrases", "rules.content", "rules.speakers", "rules.naming",
        "rules.attribution"],
    3: ["stance", "stance.lexicon", "stance.subjects", "stance.rules"],
    4: ["pipeline", "pipeline.state", "pipeline.serialize", "pipeline.components", "entities.component"],
    5: ["neural", "neural.components", "neural.features", "neural.model", "neural.reader", "safeload"],
    6: ["api", "training", "training.data", "training.encoder", "training.pretrain", "training.train",
        "training.corpus"],
    7: ["cli", "dask", "tabular", "visualize", "evaluation", "__init__", "__main__", "serve"],
}
LAYER_OF = {name: layer for layer, names in LAYERS.items() for name in names}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "models" not in p.parts)


def imported(path: Path, top_only: bool = False) -> set[str]:
    """The package modules ``path`` imports: anywhere in it, or (``top_only``) in its
    module-level statements only (what runs when it is imported)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = module_name(path)
    package = own.split(".") if path.name == "__init__.py" else own.split(".")[:-1]
    if own == "__init__":
        package = []
    nodes = tree.body if top_only else list(ast.walk(tree))
    out = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("quoteattr"):
                target = node.module[len("quoteattr"):].lstrip(".")
            else:
                continue
            names = [target] if node.module else []
            for alias in node.names:  # "from . import state": the names may be modules
                candidate = f"{target}.{alias.name}" if target else alias.name
                names.append(candidate if candidate in LAYER_OF else target)
            out.update(_known(n) for n in names if n)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("quoteattr."):
                    out.add(_known(alias.name[len("quoteattr."):]))
    out.discard(own)
    return out


def _known(target: str) -> str:
    """The module of ``target`` that has a layer (``rules.view.TextView`` → ``rules.view``)."""
    while target not in LAYER_OF and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def test_every_module_has_a_layer():
    missing = [module_name(p) for p in modules() if module_name(p) not in LAYER_OF]
    assert missing == [], f"add these modules to a layer in {__file__}: {missing}"


def test_no_module_imports_a_higher_layer():
    upward = []
    for path in modules():
        name = module_name(path)
        for target in imported(path):
            if target in LAYER_OF and LAYER_OF[target] > LAYER_OF[name]:
                upward.append(f"{name} (layer {LAYER_OF[name]}) imports {target} (layer {LAYER_OF[target]})")
    assert upward == []


def test_the_module_level_import_graph_has_no_cycle():
    edges = {module_name(p): imported(p, top_only=True) for p in modules()}
    cycles: list[list[str]] = []
    seen: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> None:
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            visit(nxt)
        stack.pop()

    for node in sorted(edges):
        visit(node)
    # A package that imports its own submodules, which import a sibling through it, is how
    # Python packages work, not a cycle between layers: keep cycles that leave a package.
    def package_of(n: str) -> str:
        return n if (PACKAGE / n.replace(".", "/")).is_dir() else n.rsplit(".", 1)[0] if "." in n else ""

    real = [c for c in cycles if len({package_of(n) for n in c} - {""}) > 1 or not any(
        (PACKAGE / n.replace(".", "/")).is_dir() for n in c)]
    assert real == []


@pytest.mark.parametrize("name", sorted(n for n in LAYER_OF if n not in ("__init__", "__main__", "serve")))
def test_each_module_imports_in_a_fresh_interpreter(name):
    if not (PACKAGE / (name.replace(".", "/") + ".py")).exists() and not (PACKAGE / name.replace(".", "/")).is_dir():
        pytest.skip(f"quoteattr.{name} does not exist (yet)")
    out = subprocess.run([sys.executable, "-c", f"import quoteattr.{name}"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]

"""The shape of the code, held by tests: dependencies run one way, modules and functions stay small,
and everything the compiled kernels are built from is watched by the kernel cache."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from trainzip import kernel_cache
from trainzip.models.context_mixing.registers import REGISTERS, RegisterFile

PACKAGE = Path(kernel_cache.__file__).resolve().parent
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The trainzip modules ``path`` imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    known = {_name(p) for p in MODULES}
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # a submodule by its own name, a name from a module by the module's
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {name for name in found if name in known}


GRAPH = {_name(path): _imports(path, top_level_only=True) for path in MODULES}
IMPORTS_ANYWHERE = {_name(path): _imports(path, top_level_only=False) for path in MODULES}  # in functions too


def test_models_know_nothing_of_coding():
    """No module under models/ imports the entropy coders or the codec, anywhere in it."""
    for path in (PACKAGE / "models").rglob("*.py"):
        for name in _imports(path, top_level_only=False):
            assert not name.startswith(("trainzip.coding", "trainzip.codec")), f"{_name(path)} imports {name}"


def test_coding_and_the_container_know_nothing_of_models_or_networks():
    """The entropy coders and the file format sit below everything that learns."""
    for folder in ("coding", "container"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for name in _imports(path, top_level_only=False):
                assert not name.startswith(("trainzip.models", "trainzip.codec", "trainzip.labels")), \
                    f"{_name(path)} imports {name}"


def test_labels_do_not_depend_on_the_probe():
    """A file format (label streams) must not depend on an analysis tool (probing): the block
    schedules they share live below both."""
    for path in (PACKAGE / "labels").rglob("*.py"):
        assert not any(name.startswith("trainzip.probing") for name in _imports(path, top_level_only=False))


def test_no_import_cycle():
    """trainzip's modules import each other in no cycle, wherever the import stands: one made through
    an import inside a function is a cycle too, only hidden (a package imported by its own submodules
    does not count). Importing a heavy library inside a function, for start-up speed, is no concern here."""
    visiting, done = set(), set()

    def visit(module: str, trail: list[tuple[str, str]]) -> None:  # (module, how it imports the next)
        if module in done:
            return
        if module in visiting:
            cycle = trail[[name for name, _ in trail].index(module):]
            pytest.fail("import cycle: " + "".join(f"{name} {arrow} " for name, arrow in cycle) + module)
        visiting.add(module)
        for imported in sorted(IMPORTS_ANYWHERE.get(module, ())):
            if imported != module and not module.startswith(imported + "."):  # a submodule's own package
                visit(imported, trail + [(module, "->" if imported in GRAPH[module] else "-(in a function)->")])
        visiting.discard(module)
        done.add(module)

    for module in IMPORTS_ANYWHERE:
        visit(module, [])


@pytest.mark.parametrize("path", MODULES, ids=[_name(p) for p in MODULES])
def test_modules_and_functions_stay_small(path):
    """No module over 400 lines, no function over 60: one job each."""
    source = path.read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno - node.lineno + 1 <= MAX_FUNCTION_LINES, node.name


def _defines_kernels(path: Path) -> bool:
    source = path.read_text()
    return "numba.njit" in source or "@kernel" in source


def test_the_kernel_cache_watches_everything_a_kernel_is_built_from():
    """Numba's cache checks only a kernel's own file; a kernel that inlines a helper or freezes a
    table from another trainzip module must have every such module watched by `kernel_cache`."""
    watched = {path.resolve() for path in kernel_cache.kernel_sources()}
    for path in MODULES:
        if not _defines_kernels(path):
            continue
        closure, frontier = set(), [_name(path)]
        while frontier:
            for imported in GRAPH.get(frontier.pop(), ()):
                if imported not in closure and imported != "trainzip.kernel_cache":  # the watcher itself
                    closure.add(imported)
                    frontier.append(imported)
        files = {p.resolve() for p in MODULES if _name(p) in closure and p.name != "__init__.py"}
        if files:
            assert {path.resolve()} | files <= watched, f"{_name(path)} builds on unwatched {files - watched}"


def test_registers_never_overlap():
    """Every column of the register file belongs to exactly one named register."""
    owners = [None] * REGISTERS.columns
    for name, first, width in REGISTERS.fields:
        for column in range(first, first + width):
            assert owners[column] is None, f"{name} overlaps {owners[column]}"
            owners[column] = name
    assert None not in owners


def test_a_register_is_declared_once_with_a_width():
    """The allocator refuses a name twice, or a register of no width."""
    registers = RegisterFile()
    assert registers.allocate(("a", 2), ("b", 1)) == (0, 2)
    with pytest.raises(ValueError):
        registers.allocate(("a", 1))
    with pytest.raises(ValueError):
        registers.allocate(("c", 0))


def test_the_register_layout_is_the_same_from_any_entry_point():
    """Compiled kernels keep register offsets as constants, and a process may load them from the
    cache: every process must lay the register file out alike, whichever module it imports first
    (the package's `__init__` imports the components in one fixed order)."""
    import json
    import subprocess
    import sys

    layouts = []
    for first in ("sse", "state", "history", "registers"):
        program = (f"import trainzip.models.context_mixing.{first}, json; "
                   "from trainzip.models.context_mixing.registers import REGISTERS; print(json.dumps(REGISTERS.fields))")
        layouts.append(json.loads(subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                                                 check=True).stdout))
    assert all(layout == layouts[0] for layout in layouts)
    assert [name for name, _, _ in layouts[0]] == [name for name, _, _ in REGISTERS.fields]

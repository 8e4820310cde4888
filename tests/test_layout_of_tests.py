"""The suite's own layout: test modules share code through tests/helpers/ (and fixtures
in conftest.py, which pytest loads), never by importing one another, and bench/ imports
nothing from tests/. Read from the source, so an import inside a function counts too."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

TESTS = Path(__file__).resolve().parent
BENCH = TESTS.parent / "bench"


def module_name(path):
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


# conftest.py is pytest's to load, for its fixtures; modules import helpers instead.
TEST_MODULES = {module_name(path) for path in TESTS.rglob("test_*.py")} | {
    "tests.conftest"
}


def imports(source, package):
    """(line, dotted name) of every module `source` imports, in the package `package`;
    for `from a import b`, both a and a.b, since b may be a module."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + [base] if base else parts)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def is_test_module(name):
    """`name` is a test module, something in one, or one's bare name (as a test
    folder on sys.path would let it be imported)."""
    first = name.partition(".")[0]
    return any(
        name == module
        or name.startswith(f"{module}.")
        or first == module.rpartition(".")[2]
        for module in TEST_MODULES
    )


def forbidden_imports(paths, forbidden):
    """`file:line imports name` for each import in `paths` of a module `forbidden`
    names, once a statement."""
    found = {}
    for path in sorted(paths):
        package = module_name(path).rpartition(".")[0]
        for line, name in imports(path.read_text(encoding="utf-8"), package):
            if forbidden(name):
                found.setdefault(f"{path.relative_to(TESTS.parent)}:{line}", name)
    return [f"{place} imports {name}" for place, name in found.items()]


class LayoutOfTestsTests(SimpleTestCase):
    def test_no_module_in_tests_imports_a_test_module(self):
        found = forbidden_imports(TESTS.rglob("*.py"), is_test_module)
        self.assertEqual(found, [], "\n".join(found))

    def test_bench_imports_nothing_from_tests(self):
        found = forbidden_imports(
            BENCH.glob("*.py"), lambda name: name.partition(".")[0] == "tests"
        )
        self.assertEqual(found, [], "\n".join(found))

    def test_every_folder_of_tests_is_a_package(self):
        # Without __init__.py, two test modules of one name in two folders clash.
        folders = {path.parent for path in TESTS.rglob("*.py")}
        self.assertEqual(
            sorted(
                str(folder.relative_to(TESTS.parent))
                for folder in folders
                if not (folder / "__init__.py").exists()
            ),
            [],
        )

    def test_the_check_sees_each_way_of_importing_a_test_module(self):
        self.assertIn("tests.factsheets.test_admin", TEST_MODULES)
        for source, refused in [
            ("from tests.factsheets.test_admin import sheet_form_data", True),
            ("from tests.factsheets import test_print", True),
            ("import tests.factsheets.test_workflow", True),
            ("from .test_admin import sheet_form_data", True),
            ("from ..factsheets import test_admin", True),
            ("from test_admin import sheet_form_data", True),
            ("from tests.conftest import missing", True),
            (
                "def later():\n    from tests.factsheets.test_workflow import snapshot",
                True,
            ),
            ("from tests.helpers.admin_forms import change_data, snapshot", False),
            ("from tests.helpers import printing", False),
            ("from factsheets.models import FactSheet", False),
            ("import pytest", False),
        ]:
            with self.subTest(source=source):
                names = [name for _, name in imports(source, "tests.factsheets")]
                self.assertEqual(any(map(is_test_module, names)), refused, names)

"""make test-bare's selection: the modules and variants that use ../shared, and nothing that does not."""

from __future__ import annotations

from pathlib import Path

from tests.support.bare import depends_on_shared

TESTS = Path(__file__).resolve().parents[1]


def test_modules_naming_the_reference_data_and_upstream_variants_are_selected() -> None:
    assert depends_on_shared("tests/contract/test_spec_parity.py::x", TESTS / "contract" / "test_spec_parity.py")
    assert depends_on_shared("tests/simulator/test_against_openapi.py::x",
                             TESTS / "simulator" / "test_against_openapi.py")
    fuzz = TESTS / "contract" / "test_fuzz.py"
    assert depends_on_shared("tests/contract/test_fuzz.py::test_operation[upstream-spec-compute:listSkus]", fuzz)


def test_what_reads_nothing_of_it_is_left_to_make_test() -> None:
    unit = TESTS / "unit" / "test_authz.py"
    assert not depends_on_shared("tests/unit/test_authz.py::test_x", unit)
    fuzz = TESTS / "contract" / "test_fuzz.py"
    assert not depends_on_shared("tests/contract/test_fuzz.py::test_operation[own-spec-compute:listSkus]", fuzz)

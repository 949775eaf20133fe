"""Schemathesis' stateful mode over the links it infers (PUT → GET/DELETE …) for the APIs the engine
serves: sequences of create, read, update, delete and actions, with every check of the stateless run."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.contract.conftest import FuzzTarget, fuzz_settings
from tests.contract.test_fuzz import SUPPORTED, _prepare, check_response

STEPS = int(os.environ.get("SECA_FUZZ_STATEFUL_STEPS", "6"))
EXAMPLES = int(os.environ.get("SECA_FUZZ_STATEFUL_EXAMPLES", "6"))


@pytest.mark.parametrize("api", ["workspace", "storage", "compute"])
def test_stateful(target: FuzzTarget, api: str) -> None:
    schema = target.schemas[api]
    token = target.token

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            self._headers, self._replaced = _prepare(case, token)
            case.headers = {**(case.headers or {}), **self._headers}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            operation_id = case.operation.definition.raw["operationId"]
            supported = (f"seca.{api}/v1", operation_id) in SUPPORTED
            check_response(case, response, self._headers, supported=supported, public=False,
                           tenant_replaced=self._replaced)

    Machine.run(settings=fuzz_settings(max_examples=EXAMPLES, stateful_step_count=STEPS))

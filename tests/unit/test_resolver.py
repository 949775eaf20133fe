import pytest

from secapi_hetzner.app.resolver import snake_case


@pytest.mark.parametrize(("operation_id", "name"), [
    ("listRegions", "list_regions"),
    ("createOrUpdateBlock-Storage", "create_or_update_block_storage"),
    ("listSecurity-Group-Rules", "list_security_group_rules"),
    ("StartInstance", "start_instance"),
    ("getRoute-Table", "get_route_table"),
    ("listInternet-Nat-Gateway-Instances", "list_internet_nat_gateway_instances"),
    ("getSku", "get_sku"),
])
def test_handler_names(operation_id: str, name: str) -> None:
    assert snake_case(operation_id) == name


"""The shared catalog as plain data: locations, server types and their offer per location, system images.

Values follow the public Hetzner Cloud catalog closely enough for clients to behave as in production:
real location ids and coordinates, real-sized server types, per-location availability, an offer whose
deprecation is announced (cpx11 in sin), a retired one (cpx11 in nbg1), two sold-out offers (cax41 in
hel1, ccx63 in sin) and a deprecated image.
Dates are days (UTC midnight).
"""

from __future__ import annotations

from typing import Final, NamedTuple

EU: Final = ("fsn1", "nbg1", "hel1")
US: Final = ("ash", "hil")
ALL: Final = (*EU, *US, "sin")


class LocationRow(NamedTuple):
    id: int
    name: str
    description: str
    country: str
    city: str
    latitude: float
    longitude: float
    network_zone: str
    price_factor: float  # server prices relative to the EU
    included_tb: float  # included traffic per server, TB
    price_per_tb: float  # EUR net per extra TB


EUC: Final = "eu-central"
APS: Final = "ap-southeast"

# fmt: off
LOCATIONS: Final = (
    LocationRow(1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein", 50.47612, 12.370071, EUC, 1, 20, 1),
    LocationRow(2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg", 49.452102, 11.076665, EUC, 1, 20, 1),
    LocationRow(3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki", 60.169855, 24.938379, EUC, 1, 20, 1),
    LocationRow(4, "ash", "Ashburn, VA", "US", "Ashburn, VA", 39.045821, -77.487073, "us-east", 1.2, 1, 1),
    LocationRow(5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR", 45.54222, -122.95192, "us-west", 1.2, 1, 1),
    LocationRow(6, "sin", "Singapore", "SG", "Singapore", 1.283333, 103.833333, APS, 1.35, 0.5, 7.4),
)
# fmt: on


class TypeRow(NamedTuple):
    id: int
    name: str
    description: str
    category: str
    cores: int
    memory: float
    disk: int
    cpu_type: str
    architecture: str
    monthly_eur: float
    locations: tuple[str, ...]
    recommended_in: tuple[str, ...]


COST: Final = "cost_optimized"
REGULAR: Final = "regular_purpose"
GENERAL: Final = "general_purpose"
SHARED: Final = "shared"
DEDICATED: Final = "dedicated"

# fmt: off
SERVER_TYPES: Final = (
    TypeRow(114, "cx23", "CX23", COST, 2, 4, 40, SHARED, "x86", 3.49, EU, EU),
    TypeRow(115, "cx33", "CX33", COST, 4, 8, 80, SHARED, "x86", 5.49, EU, EU),
    TypeRow(116, "cx43", "CX43", COST, 8, 16, 160, SHARED, "x86", 9.49, EU, EU),
    TypeRow(117, "cx53", "CX53", COST, 16, 32, 320, SHARED, "x86", 17.49, EU, EU),
    TypeRow(22, "cpx11", "CPX 11", REGULAR, 2, 2, 40, SHARED, "x86", 4.99, ALL, US),
    TypeRow(23, "cpx21", "CPX 21", REGULAR, 3, 4, 80, SHARED, "x86", 8.99, ALL, (*US, "sin")),
    TypeRow(24, "cpx31", "CPX 31", REGULAR, 4, 8, 160, SHARED, "x86", 15.99, ALL, (*US, "sin")),
    TypeRow(25, "cpx41", "CPX 41", REGULAR, 8, 16, 240, SHARED, "x86", 29.99, ALL, (*US, "sin")),
    TypeRow(26, "cpx51", "CPX 51", REGULAR, 16, 32, 360, SHARED, "x86", 60.49, ALL, (*US, "sin")),
    TypeRow(45, "cax11", "CAX11", COST, 2, 4, 40, SHARED, "arm", 3.95, EU, EU),
    TypeRow(93, "cax21", "CAX21", COST, 4, 8, 80, SHARED, "arm", 6.49, EU, EU),
    TypeRow(94, "cax31", "CAX31", COST, 8, 16, 160, SHARED, "arm", 12.49, EU, EU),
    TypeRow(95, "cax41", "CAX41", COST, 16, 32, 320, SHARED, "arm", 24.49, EU, ("fsn1", "nbg1")),
    TypeRow(96, "ccx13", "CCX13 Dedicated CPU", GENERAL, 2, 8, 80, DEDICATED, "x86", 12.49, ALL, ALL),
    TypeRow(97, "ccx23", "CCX23 Dedicated CPU", GENERAL, 4, 16, 160, DEDICATED, "x86", 24.49, ALL, ALL),
    TypeRow(98, "ccx33", "CCX33 Dedicated CPU", GENERAL, 8, 32, 240, DEDICATED, "x86", 48.49, ALL, ALL),
    TypeRow(99, "ccx43", "CCX43 Dedicated CPU", GENERAL, 16, 64, 360, DEDICATED, "x86", 96.49, ALL, ALL),
    TypeRow(100, "ccx53", "CCX53 Dedicated CPU", GENERAL, 32, 128, 600, DEDICATED, "x86", 192.49, ALL, EU),
    TypeRow(101, "ccx63", "CCX63 Dedicated CPU", GENERAL, 48, 192, 960, DEDICATED, "x86", 288.49, ALL, EU),
)
# fmt: on

# (server type, location) offers that are sold out: listed, but available=false.
SOLD_OUT: Final = frozenset({("cax41", "hel1"), ("ccx63", "sin")})
# (server type, location) offers being phased out: (announced, unavailable_after). Once unavailable_after
# has passed, the offer is still listed but no longer orderable (cpx11 in nbg1: retired in 2025).
DEPRECATED_OFFERS: Final = {("cpx11", "sin"): ("2026-09-01", "2027-03-01"),
                            ("cpx11", "nbg1"): ("2025-06-01", "2025-12-01")}


class ImageRow(NamedTuple):
    name: str
    description: str
    os_flavor: str
    os_version: str
    x86_id: int
    arm_id: int
    rapid_deploy: bool
    created: str
    deprecated: str | None = None
    unavailable_after: str = ""


# fmt: off
SYSTEM_IMAGES: Final = (
    ImageRow("ubuntu-20.04", "Ubuntu 20.04", "ubuntu", "20.04", 15512617, 103908130, False, "2020-04-23",
             "2025-06-01", "2025-09-01"),
    ImageRow("ubuntu-22.04", "Ubuntu 22.04", "ubuntu", "22.04", 67794396, 103908070, True, "2022-04-21"),
    ImageRow("ubuntu-24.04", "Ubuntu 24.04", "ubuntu", "24.04", 161547269, 161547270, True, "2024-04-25"),
    ImageRow("debian-12", "Debian 12", "debian", "12", 114690387, 114690389, True, "2023-06-13"),
    ImageRow("debian-13", "Debian 13", "debian", "13", 310557660, 310557661, True, "2025-08-12"),
    ImageRow("fedora-42", "Fedora 42", "fedora", "42", 226531510, 226531511, False, "2025-04-16"),
    ImageRow("rocky-9", "Rocky Linux 9", "rocky", "9", 76766499, 103908069, False, "2022-07-14"),
    ImageRow("rocky-10", "Rocky Linux 10", "rocky", "10", 265436543, 265436544, False, "2025-06-12"),
    ImageRow("alma-9", "AlmaLinux 9", "alma", "9", 76180454, 103908068, False, "2022-07-14"),
    ImageRow("alma-10", "AlmaLinux 10", "alma", "10", 265436545, 265436546, False, "2025-06-12"),
    ImageRow("centos-stream-9", "CentOS Stream 9", "centos", "9", 59752342, 103907373, False, "2021-12-03"),
)
# fmt: on
SYSTEM_IMAGE_DISK_GB: Final = 5

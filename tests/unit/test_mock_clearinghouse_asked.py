"""What the mock clearinghouse reads of the person an inquiry asks about."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.mock_clearinghouse.asked import asked_in_270, asked_in_json
from adapters.x12.tokens import X12Error
from verifier.domain.identity import Who


def inquiry_270(member_id: str) -> str:
    """A small 270 asking about JANE DOE (1985-03-15), its group number between NM1 and DMG."""
    return (
        "ISA*00*          *00*          *ZZ*EXAMPLERECOV   *ZZ*ACMEHEALTH     "
        "*261127*0930*^*00501*000000001*0*T*:~"
        "GS*HS*EXAMPLERECOV*ACMEHEALTH*20261127*0930*1*X*005010X279A1~"
        "ST*270*0001*005010X279A1~BHT*0022*13*REF1*20261127*0930~"
        "HL*1**20*1~NM1*PR*2*ACME HEALTH PLAN*****PI*ACME1~"
        "HL*2*1*21*1~NM1*1P*2*EXAMPLE RECOVERY*****XX*1234567893~"
        f"HL*3*2*22*0~NM1*IL*1*DOE*JANE****MI*{member_id}~REF*6P*G1~DMG*D8*19850315~"
        "EQ*30~SE*12*0001~GE*1*1~IEA*1*000000001~"
    )


def test_a_270_gives_its_subscriber_with_the_member_id_and_date_of_birth() -> None:
    asked = asked_in_270(inquiry_270("MOCK-HMO"))
    assert asked.subscriber == Who("JANE", "DOE", date(1985, 3, 15), "MOCK-HMO")
    assert (asked.member_id, asked.patient) == ("MOCK-HMO", None)


def test_a_270_gives_its_dependent_from_nm1_03_and_its_own_dmg() -> None:
    inquiry = (
        inquiry_270("MOCK-DEPENDENT")
        .replace("HL*3*2*22*0~", "HL*3*2*22*1~")
        .replace("EQ*30~", "HL*4*3*23*0~NM1*03*1*DOE*SAM~DMG*D8*20120601~INS*N*19~EQ*30~")
    )
    asked = asked_in_270(inquiry)
    assert asked.subscriber == Who("JANE", "DOE", date(1985, 3, 15), "MOCK-DEPENDENT")
    assert asked.patient == Who("SAM", "DOE", date(2012, 6, 1), None)


def test_an_unreadable_date_of_birth_is_left_out() -> None:
    asked = asked_in_270(inquiry_270("MOCK-HMO").replace("DMG*D8*19850315", "DMG*D8*19851315"))
    assert asked.subscriber is not None and asked.subscriber.date_of_birth is None


def test_text_that_is_no_interchange_raises() -> None:
    with pytest.raises(X12Error):
        asked_in_270("not an interchange")


def test_a_json_request_gives_its_subscriber_and_first_dependent() -> None:
    asked = asked_in_json(
        {
            "subscriber": {"memberId": " MOCK-HMO ", "firstName": "JANE", "dateOfBirth": "x"},
            "dependents": [{"firstName": "SAM", "lastName": "DOE", "dateOfBirth": "20120601"}],
        }
    )
    assert asked.subscriber == Who("JANE", None, None, "MOCK-HMO")
    assert asked.patient == Who("SAM", "DOE", date(2012, 6, 1), None)
    assert asked_in_json({"subscriber": {"memberId": " "}}).member_id is None


def test_the_repr_shows_no_one() -> None:
    assert "JANE" not in repr(asked_in_270(inquiry_270("MOCK-HMO")))

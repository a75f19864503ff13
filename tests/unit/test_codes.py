"""The X12 code tables carry the 005010X279A1 codes and names, not a lookalike list's."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from verifier.domain import codes

ALL_TABLES: dict[str, Mapping[str, str]] = {
    "ELIGIBILITY_CODES": codes.ELIGIBILITY_CODES,
    "COVERAGE_LEVELS": codes.COVERAGE_LEVELS,
    "SERVICE_TYPES": codes.SERVICE_TYPES,
    "INSURANCE_TYPES": codes.INSURANCE_TYPES,
    "TIME_PERIODS": codes.TIME_PERIODS,
    "QUANTITY_QUALIFIERS": codes.QUANTITY_QUALIFIERS,
    "DELIVERY_QUANTITY_QUALIFIERS": codes.DELIVERY_QUANTITY_QUALIFIERS,
    "DELIVERY_UNITS": codes.DELIVERY_UNITS,
    "NETWORK_INDICATORS": codes.NETWORK_INDICATORS,
    "AUTHORIZATION_INDICATORS": codes.AUTHORIZATION_INDICATORS,
    "REJECTION_REASONS": codes.REJECTION_REASONS,
    "FOLLOW_UP_ACTIONS": codes.FOLLOW_UP_ACTIONS,
    "ENTITY_ROLES": codes.ENTITY_ROLES,
    "DATE_QUALIFIERS": codes.DATE_QUALIFIERS,
    "PLACES_OF_SERVICE": codes.PLACES_OF_SERVICE,
    "REFERENCE_QUALIFIERS": codes.REFERENCE_QUALIFIERS,
}


def _codes(spec: str) -> set[str]:
    return set(spec.split())


# Element 1365 in 005010, written out independently of the module: 1-99 without 29 and 31,
# then the alphanumeric codes (no AP, no BO).
EXPECTED_SERVICE_TYPES = {str(n) for n in range(1, 100) if n not in (29, 31)} | _codes(
    "A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AQ AR"
    " B1 B2 B3 BA BB BC BD BE BF BG BH BI BJ BK BL BM BN BP BQ BR BS BT BU BV BW BX BY BZ"
    " C1 CA CB CC CD CE CF CG CH CI CJ CK CL CM CN CO CP CQ"
    " DG DM DS GF GN GY IC MH NI ON PT PU RN RT TC TN UC"
)


# --- Service type codes (EB03 / EQ01) -------------------------------------------------------


def test_a8_is_psychiatric_outpatient_not_partial_hospitalization() -> None:
    assert codes.SERVICE_TYPES["A8"] == "Psychiatric - Outpatient"
    assert "partial" not in codes.SERVICE_TYPES["A8"].lower()


def test_bb_is_psychiatric_partial_hospitalization() -> None:
    assert codes.SERVICE_TYPES["BB"] == "Partial Hospitalization (Psychiatric)"


def test_partial_hospitalization_has_exactly_one_service_type_code() -> None:
    partial = [c for c, name in codes.SERVICE_TYPES.items() if "partial" in name.lower()]
    assert partial == ["BB"]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("30", "Health Benefit Plan Coverage"),
        ("MH", "Mental Health"),
        ("A4", "Psychiatric"),
        ("A5", "Psychiatric - Room and Board"),
        ("A6", "Psychotherapy"),
        ("A7", "Psychiatric - Inpatient"),
        ("BC", "Day Care (Psychiatric)"),
        ("RT", "Residential Psychiatric Treatment"),
        ("AI", "Substance Abuse"),
        ("AJ", "Alcoholism"),
        ("AK", "Drug Addiction"),
        ("22", "Social Work"),
        ("CQ", "Case Management"),
    ],
)
def test_behavioral_health_service_types_have_their_standard_names(code: str, name: str) -> None:
    assert codes.SERVICE_TYPES[code] == name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("CA", "Private Duty Nursing - Inpatient"),
        ("CB", "Private Duty Nursing - Home"),
        ("CC", "Surgical Benefits - Professional (Physician)"),
        ("CD", "Surgical Benefits - Facility"),
        ("CE", "Mental Health Provider - Inpatient"),
        ("CF", "Mental Health Provider - Outpatient"),
        ("CG", "Mental Health Facility - Inpatient"),
        ("CH", "Mental Health Facility - Outpatient"),
        ("CI", "Substance Abuse Facility - Inpatient"),
        ("CJ", "Substance Abuse Facility - Outpatient"),
    ],
)
def test_codes_ca_through_cj_are_present_which_pyx12s_list_lacks(code: str, name: str) -> None:
    assert codes.SERVICE_TYPES[code] == name


def test_77_is_otological_exam_and_7_is_anesthesia_not_a_truncated_77() -> None:
    assert codes.SERVICE_TYPES["77"] == "Otological Exam"
    assert codes.SERVICE_TYPES["7"] == "Anesthesia"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("59", "Licensed Ambulance"),
        ("60", "General Benefits"),
        ("61", "In-vitro Fertilization"),
        ("62", "MRI/CAT Scan"),
        ("63", "Donor Procedures"),
        ("64", "Acupuncture"),
        ("65", "Newborn Care"),
        ("66", "Pathology"),
        ("67", "Smoking Cessation"),
    ],
)
def test_59_to_67_are_x12_service_types_not_pverify_practice_types(code: str, name: str) -> None:
    assert codes.SERVICE_TYPES[code] == name


def test_no_numeric_service_type_is_a_behavioral_health_benefit_except_social_work() -> None:
    words = ("substance", "mental", "psych", "alcohol", "drug addiction")
    numeric = {c: n for c, n in codes.SERVICE_TYPES.items() if c.isdigit()}
    assert [c for c, n in numeric.items() if any(w in n.lower() for w in words)] == []


def test_service_types_are_the_full_005010_list_and_nothing_else() -> None:
    assert set(codes.SERVICE_TYPES) == EXPECTED_SERVICE_TYPES
    assert len(codes.SERVICE_TYPES) == 187


def test_there_is_no_intensive_outpatient_service_type_in_005010() -> None:
    names = " ".join(codes.SERVICE_TYPES.values()).lower()
    assert "intensive outpatient" not in names


# --- EB01, EB02, EB04 ------------------------------------------------------------------------


def test_eb01_i_is_non_covered() -> None:
    assert codes.ELIGIBILITY_CODES["I"] == "Non-Covered"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("1", "Active Coverage"),
        ("5", "Active - Pending Investigation"),
        ("6", "Inactive"),
        ("7", "Inactive - Pending Eligibility Update"),
        ("8", "Inactive - Pending Investigation"),
        ("A", "Co-Insurance"),
        ("B", "Co-Payment"),
        ("C", "Deductible"),
        ("F", "Limitations"),
        ("G", "Out of Pocket (Stop Loss)"),
        ("L", "Primary Care Provider"),
        ("R", "Other or Additional Payor"),
        ("U", "Contact Following Entity for Eligibility or Benefit Information"),
        ("X", "Health Care Facility"),
        ("CB", "Coverage Basis"),
        ("MC", "Managed Care Coordinator"),
    ],
)
def test_eb01_codes_have_their_standard_names(code: str, name: str) -> None:
    assert codes.ELIGIBILITY_CODES[code] == name


def test_eb01_holds_exactly_the_codes_the_implementation_guide_allows() -> None:
    expected = {str(n) for n in range(1, 9)} | _codes(
        "A B C CB D E F G H I J K L M MC N O P Q R S T U V W X Y"
    )
    assert set(codes.ELIGIBILITY_CODES) == expected


def test_coverage_levels_are_the_nine_eb02_codes() -> None:
    assert set(codes.COVERAGE_LEVELS) == _codes("CHD DEP ECH EMP ESP FAM IND SPC SPO")
    assert codes.COVERAGE_LEVELS["IND"] == "Individual"
    assert codes.COVERAGE_LEVELS["FAM"] == "Family"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("C1", "Commercial"),
        ("HM", "Health Maintenance Organization (HMO)"),
        ("PR", "Preferred Provider Organization (PPO)"),
        ("PS", "Point of Service (POS)"),
        ("MA", "Medicare Part A"),
        ("MB", "Medicare Part B"),
        ("MC", "Medicaid"),
        ("CO", "Consolidated Omnibus Budget Reconciliation Act (COBRA)"),
        ("QM", "Qualified Medicare Beneficiary"),
    ],
)
def test_insurance_types_have_their_standard_names(code: str, name: str) -> None:
    assert codes.INSURANCE_TYPES[code] == name


def test_insurance_types_are_the_45_codes_the_implementation_guide_allows() -> None:
    expected = _codes(
        "12 13 14 15 16 41 42 43 47 AP C1 CO CP D DB EP FF GP HM HN HS IN IP LC LD LI LT"
        " MA MB MC MH MI MP OT PE PL PP PR PS QM RP SP TF WC WU"
    )
    assert set(codes.INSURANCE_TYPES) == expected
    assert len(expected) == 45


def test_eb04_mh_is_medigap_part_a_not_mental_health() -> None:
    assert codes.INSURANCE_TYPES["MH"] == "Medigap Part A"
    assert codes.SERVICE_TYPES["MH"] == "Mental Health"


# --- EB06, EB09, EB11, EB12, HSD ---------------------------------------------------------------


def test_eb06_29_is_remaining_and_23_is_calendar_year() -> None:
    assert codes.TIME_PERIODS["29"] == "Remaining"
    assert codes.TIME_PERIODS["23"] == "Calendar Year"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("7", "Day"),
        ("22", "Service Year"),
        ("24", "Year to Date"),
        ("27", "Visit"),
        ("32", "Lifetime"),
        ("33", "Lifetime Remaining"),
        ("35", "Week"),
    ],
)
def test_eb06_time_periods_have_their_standard_names(code: str, name: str) -> None:
    assert codes.TIME_PERIODS[code] == name


def test_eb06_holds_exactly_the_time_period_codes_of_the_guide() -> None:
    expected = {"6", "7", "13"} | {str(n) for n in range(21, 37)}
    assert set(codes.TIME_PERIODS) == expected


def test_eb09_quantity_qualifiers_cover_visits_days_and_quantity_used() -> None:
    assert codes.QUANTITY_QUALIFIERS["VS"] == "Visits"
    assert codes.QUANTITY_QUALIFIERS["DY"] == "Days"
    assert codes.QUANTITY_QUALIFIERS["99"] == "Quantity Used"
    assert set(codes.QUANTITY_QUALIFIERS) == _codes(
        "8H 99 CA CE D3 DB DY HS LA LE M2 MN P6 QA S7 S8 VS YY"
    )


def test_hsd_tables_hold_the_delivery_qualifiers_and_units() -> None:
    assert set(codes.DELIVERY_QUANTITY_QUALIFIERS) == _codes("DY FL HS MN VS")
    assert set(codes.DELIVERY_UNITS) == _codes("DA MO VS WK YR")
    assert codes.DELIVERY_UNITS["WK"] == "Week"


def test_eb12_network_indicators_distinguish_in_out_and_not_applicable() -> None:
    assert set(codes.NETWORK_INDICATORS) == _codes("Y N W U")
    assert "in network" in codes.NETWORK_INDICATORS["Y"].lower()
    assert "out of network" in codes.NETWORK_INDICATORS["N"].lower()
    assert "not applicable" in codes.NETWORK_INDICATORS["W"].lower()


def test_eb11_authorization_indicators_are_yes_no_unknown() -> None:
    assert set(codes.AUTHORIZATION_INDICATORS) == _codes("Y N U")
    assert "not required" in codes.AUTHORIZATION_INDICATORS["N"]
    assert "not required" not in codes.AUTHORIZATION_INDICATORS["Y"]


# --- AAA -----------------------------------------------------------------------------------------


def test_aaa_77_is_subscriber_found_patient_not_found() -> None:
    assert codes.REJECTION_REASONS["77"] == "Subscriber found, patient not found"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("42", "Unable to Respond at Current Time"),
        ("72", "Invalid/Missing Subscriber/Insured ID"),
        ("73", "Invalid/Missing Subscriber/Insured Name"),
        ("75", "Subscriber/Insured Not Found"),
        ("79", "Invalid Participant Identification"),
        ("80", "No Response received - Transaction Terminated"),
        ("T4", "Payer Name or Identifier Missing"),
        ("AG", "Invalid/Missing Procedure Code(s)"),
    ],
)
def test_rejection_reasons_have_their_standard_names(code: str, name: str) -> None:
    assert codes.REJECTION_REASONS[code].lower() == name.lower()


def test_rejection_reasons_cover_every_aaa03_code_in_the_reference() -> None:
    expected = (
        _codes("04 15 33 35 97 98 T4 AA AE AF AG AO CI E8 IA MA")
        | {str(n) for n in range(41, 59)}
        | {str(n) for n in range(60, 81)}
    )
    assert set(codes.REJECTION_REASONS) == expected


def test_follow_up_actions_are_the_eight_aaa04_codes() -> None:
    assert set(codes.FOLLOW_UP_ACTIONS) == _codes("C N P R S W X Y")
    assert codes.FOLLOW_UP_ACTIONS["C"] == "Please correct and resubmit"
    assert codes.FOLLOW_UP_ACTIONS["N"] == "Resubmission not allowed"


@pytest.mark.parametrize(
    ("code", "clearinghouse_text"),
    [
        ("C", "Please Correct and Resubmit"),
        ("N", "Resubmission Not Allowed"),
        ("R", "Resubmission Allowed"),
        ("S", "Do Not Resubmit; Inquiry Initiated to a Third Party"),
        ("W", "Please Wait 30 Days and Resubmit"),
        ("X", "Please Wait 10 Days and Resubmit"),
        ("Y", "Do Not Resubmit; We Will Hold Your Request and Respond Again Shortly"),
    ],
)
def test_follow_up_actions_match_the_standard_wording_ignoring_case(
    code: str, clearinghouse_text: str
) -> None:
    assert codes.FOLLOW_UP_ACTIONS[code].lower() == clearinghouse_text.lower()


# --- 2120 entities, dates, places, references ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("P3", "Primary Care Provider"),
        ("PR", "Payer"),
        ("PRP", "Primary Payer"),
        ("X3", "Utilization Management Organization"),
        ("Y2", "Managed Care Organization"),
        ("VN", "Vendor"),
        ("1P", "Provider"),
        ("1I", "Preferred Provider Organization (PPO)"),
    ],
)
def test_benefit_related_entity_roles_have_their_standard_names(code: str, name: str) -> None:
    assert codes.ENTITY_ROLES[code] == name


def test_entity_roles_are_the_25_codes_the_guide_allows_in_loop_2120() -> None:
    assert set(codes.ENTITY_ROLES) == _codes(
        "13 1I 1P 2B 36 73 FA GP GW I3 IL LR OC P3 P4 P5 PR PRP SEP TTP VER VN VY X3 Y2"
    )


@pytest.mark.parametrize("table_name", ["ENTITY_ROLES", "FOLLOW_UP_ACTIONS"])
def test_names_that_are_mapped_back_to_codes_are_unique_ignoring_case(table_name: str) -> None:
    names = [name.lower() for name in ALL_TABLES[table_name].values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("291", "Plan"),
        ("346", "Plan Begin"),
        ("347", "Plan End"),
        ("356", "Eligibility Begin"),
        ("357", "Eligibility End"),
        ("348", "Benefit Begin"),
        ("349", "Benefit End"),
        ("435", "Admission"),
        ("472", "Service"),
        ("636", "Date of Last Update"),
    ],
)
def test_date_qualifiers_keep_their_leading_zeros_and_names(code: str, name: str) -> None:
    assert codes.DATE_QUALIFIERS[code] == name
    assert "096" in codes.DATE_QUALIFIERS
    assert "96" not in codes.DATE_QUALIFIERS


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("02", "telehealth"),
        ("10", "telehealth"),
        ("11", "office"),
        ("51", "inpatient psychiatric"),
        ("52", "partial hospitalization"),
        ("53", "community mental health"),
        ("55", "residential substance abuse"),
        ("57", "non-residential substance abuse"),
        ("58", "opioid"),
        ("99", "other"),
    ],
)
def test_places_of_service_relevant_to_behavioral_health(code: str, fragment: str) -> None:
    assert fragment in codes.PLACES_OF_SERVICE[code].lower()


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("18", "Plan Number"),
        ("1L", "Group or Policy Number"),
        ("6P", "Group Number"),
        ("9F", "Referral Number"),
        ("G1", "Prior Authorization Number"),
        ("N6", "Plan Network Identification Number"),
        ("F6", "Health Insurance Claim (HIC) Number"),
        ("SY", "Social Security Number"),
    ],
)
def test_reference_qualifiers_have_their_standard_names(code: str, name: str) -> None:
    assert codes.REFERENCE_QUALIFIERS[code] == name


def test_reference_qualifiers_spell_group_policy_as_1l_not_il() -> None:
    assert "1L" in codes.REFERENCE_QUALIFIERS
    assert "IL" not in codes.REFERENCE_QUALIFIERS


# --- Table hygiene -------------------------------------------------------------------------------


@pytest.mark.parametrize("table_name", sorted(ALL_TABLES))
def test_every_code_and_name_is_a_trimmed_non_empty_string(table_name: str) -> None:
    for code, name in ALL_TABLES[table_name].items():
        assert code and code == code.strip() and code == code.upper(), (table_name, code)
        assert name and name == name.strip(), (table_name, code, name)


# --- describe() ----------------------------------------------------------------------------------


def test_describe_returns_the_meaning_of_a_known_code() -> None:
    assert codes.describe(codes.SERVICE_TYPES, "A8") == "Psychiatric - Outpatient"
    assert codes.describe(codes.ELIGIBILITY_CODES, "I") == "Non-Covered"


def test_describe_names_an_unknown_code_instead_of_raising() -> None:
    assert codes.describe(codes.SERVICE_TYPES, "ZZ") == "code ZZ"
    assert codes.describe(codes.REJECTION_REASONS, "59") == "code 59"


@pytest.mark.parametrize("code", [None, "", "   "])
def test_describe_returns_none_when_there_is_no_code(code: str | None) -> None:
    assert codes.describe(codes.SERVICE_TYPES, code) is None


def test_describe_tolerates_padding_and_lower_case_from_sloppy_payers() -> None:
    assert codes.describe(codes.SERVICE_TYPES, " a8 ") == "Psychiatric - Outpatient"


def test_describe_never_raises_on_a_value_of_the_wrong_type() -> None:
    assert codes.describe(codes.SERVICE_TYPES, 30) == "Health Benefit Plan Coverage"  # type: ignore[arg-type]
    assert codes.describe(codes.SERVICE_TYPES, ["A8"]) == "code ['A8']"  # type: ignore[arg-type]

"""Writes the synthetic demo directory, an Open Referral HSDS 3.0 CSV set, to
``hsds_demo/`` beside this file (run it again after changing the table below).

Every organisation, address, phone number and web address is made up: phone numbers
are in the 555-01xx range reserved for fiction, addresses on invented streets, emails
and websites under example.org. Table and column names are HSDS 3.0's (tabular form):
organizations, services, locations, addresses, service_at_locations, phones, languages,
schedules, taxonomy_terms and attributes (a service's category is an attribute whose
taxonomy term's code is one of ``referrals.models.ServiceCategory``).

    .venv/bin/python referrals/data/build_hsds_demo.py
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

OUT = Path(__file__).with_name("hsds_demo")
NS = uuid.UUID("6f1c3a52-7d4e-4c8b-9a51-0c2d7e9b4f10")
TAXONOMY = "casemgmt service categories"
CATEGORIES = {
    "housing": "Housing",
    "withdrawal_management": "Withdrawal management",
    "residential": "Residential treatment",
    "outpatient_sud": "Outpatient substance use treatment",
    "mat": "Medication for addiction treatment",
    "psychiatry": "Psychiatry",
    "primary_care": "Primary care",
    "peer_support": "Peer support",
    "mutual_help": "Mutual-help groups",
    "employment": "Employment",
    "legal": "Legal",
    "food": "Food",
    "transport": "Transport",
    "other": "Other",
}
CITY, STATE = "Riverside", "OH"
STREETS = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Ginkgo", "Hazel", "Juniper"]
WEEKDAYS = "Mon-Fri 8:30-17:00"

# (organisation, description, [(service, category, languages, eligibility, wait, hours)])
ORGS: list[tuple[str, str, list[tuple[str, str, str, str, str, str]]]] = [
    (
        "Harbor Light Housing Alliance",
        "Supportive and transitional housing.",
        [
            (
                "Housing First apartments",
                "housing",
                "English;Spanish",
                "Adults with a serious mental illness or substance use disorder who are homeless",
                "6-week wait",
                WEEKDAYS,
            ),
            (
                "Rapid rehousing",
                "housing",
                "English",
                "Households homeless for under 90 days",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Maple Street Shelter Network",
        "Emergency shelter and housing navigation.",
        [
            (
                "Emergency night shelter",
                "housing",
                "English;Spanish;Arabic",
                "Adults 18+; no sobriety requirement",
                "Beds nightly from 18:00",
                "Daily 18:00-08:00",
            ),
        ],
    ),
    (
        "Keystone Recovery Residences",
        "Certified recovery homes.",
        [
            (
                "Recovery housing",
                "housing",
                "English",
                "Adults in recovery from substance use",
                "3 beds open",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Bridgeway Tenant Support",
        "Keeping people housed.",
        [
            (
                "Eviction prevention and tenancy support",
                "housing",
                "English;Haitian Creole",
                "Tenants with a notice to quit",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Stillwater Withdrawal Center",
        "Medically monitored withdrawal management.",
        [
            (
                "Medically monitored withdrawal (ASAM 3.7-WM)",
                "withdrawal_management",
                "English;Spanish",
                "Adults in alcohol or opioid withdrawal",
                "Same-day admission",
                "24 hours",
            ),
        ],
    ),
    (
        "Riverside General Hospital",
        "Acute care hospital.",
        [
            (
                "Inpatient withdrawal management",
                "withdrawal_management",
                "English;Spanish;Vietnamese",
                "Adults needing hospital-level withdrawal care",
                "",
                "24 hours",
            ),
            (
                "Primary care clinic",
                "primary_care",
                "English;Spanish;Vietnamese",
                "All ages; sliding fee",
                "2-week wait",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Clearwater Ambulatory Detox",
        "Outpatient withdrawal management.",
        [
            (
                "Ambulatory withdrawal management (ASAM 2-WM)",
                "withdrawal_management",
                "English",
                "Adults with stable housing and support",
                "",
                "Mon-Sat 8:00-16:00",
            ),
        ],
    ),
    (
        "Cedar Ridge Treatment Center",
        "Residential substance use treatment.",
        [
            (
                "Residential treatment, 28 days (ASAM 3.5)",
                "residential",
                "English;Spanish",
                "Adults 18+ with a substance use disorder",
                "2 beds, 1-week wait",
                "24 hours",
            ),
        ],
    ),
    (
        "New Horizons Women's Residence",
        "Residential treatment for women and their children.",
        [
            (
                "Women and children residential program",
                "residential",
                "English;Spanish",
                "Pregnant and parenting women",
                "4-week wait",
                "24 hours",
            ),
        ],
    ),
    (
        "Summit Dual Recovery House",
        "Co-occurring residential care.",
        [
            (
                "Co-occurring residential treatment (ASAM 3.5)",
                "residential",
                "English",
                "Adults with co-occurring mental illness and substance use",
                "3-week wait",
                "24 hours",
            ),
        ],
    ),
    (
        "Lakeside Counseling Associates",
        "Outpatient counselling.",
        [
            (
                "Intensive outpatient program",
                "outpatient_sud",
                "English;Spanish",
                "Adults 18+",
                "1-week wait",
                "Mon-Thu 17:30-20:30",
            ),
            (
                "Individual and group counselling",
                "outpatient_sud",
                "English;Spanish",
                "Adults 18+; Medicaid accepted",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Pathways Outpatient Recovery",
        "Outpatient substance use treatment.",
        [
            (
                "Outpatient substance use treatment (ASAM 1)",
                "outpatient_sud",
                "English;Arabic",
                "Adults and young adults 16+",
                "",
                "Mon-Fri 9:00-19:00",
            ),
        ],
    ),
    (
        "Second Wind Family Services",
        "Family recovery support.",
        [
            (
                "Family recovery counselling",
                "outpatient_sud",
                "English;Vietnamese",
                "Families of people with a substance use disorder",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Beacon Opioid Treatment Program",
        "Methadone and buprenorphine.",
        [
            (
                "Methadone treatment (OTP)",
                "mat",
                "English;Spanish",
                "Adults with opioid use disorder",
                "Same-week intake",
                "Mon-Sat 5:30-13:00",
            ),
            (
                "Buprenorphine induction",
                "mat",
                "English;Spanish",
                "Adults with opioid use disorder",
                "Walk-in",
                "Mon-Fri 8:00-15:00",
            ),
        ],
    ),
    (
        "Northgate Bridge Clinic",
        "Low-barrier medication for addiction treatment.",
        [
            (
                "Low-barrier buprenorphine (OBOT)",
                "mat",
                "English;Haitian Creole",
                "Adults; no insurance needed",
                "Walk-in",
                "Mon-Fri 10:00-18:00",
            ),
        ],
    ),
    (
        "Willow Health Partners",
        "Community health centre.",
        [
            (
                "Naltrexone and acamprosate clinic",
                "mat",
                "English;Spanish",
                "Adults with alcohol or opioid use disorder",
                "",
                WEEKDAYS,
            ),
            (
                "Integrated primary care",
                "primary_care",
                "English;Spanish",
                "All ages; sliding fee",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Eastside Psychiatric Associates",
        "Outpatient psychiatry.",
        [
            (
                "Psychiatric evaluation and medication management",
                "psychiatry",
                "English;Spanish",
                "Adults 18+",
                "3-week wait",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Riverbend Community Mental Health",
        "Community mental health centre.",
        [
            (
                "Assertive community treatment team",
                "psychiatry",
                "English;Spanish;Arabic",
                "Adults with a serious mental illness and frequent hospital use",
                "Waitlist",
                WEEKDAYS,
            ),
            (
                "Crisis stabilisation unit",
                "psychiatry",
                "English;Spanish",
                "Adults in a mental health crisis",
                "",
                "24 hours",
            ),
        ],
    ),
    (
        "Bright Mind Telepsychiatry",
        "Psychiatry by video.",
        [
            (
                "Telepsychiatry",
                "psychiatry",
                "English;Vietnamese",
                "Adults with a smartphone or computer",
                "1-week wait",
                "Mon-Sat 8:00-20:00",
            ),
        ],
    ),
    (
        "Hillcrest First Episode Program",
        "Coordinated specialty care.",
        [
            (
                "First-episode psychosis program",
                "psychiatry",
                "English",
                "Ages 15-30 within 2 years of a first psychosis",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Good Shepherd Free Clinic",
        "Free primary care.",
        [
            (
                "Free primary care clinic",
                "primary_care",
                "English;Spanish;Haitian Creole",
                "Uninsured adults",
                "Walk-in Tuesday evenings",
                "Tue 17:00-20:00",
            ),
        ],
    ),
    (
        "Mobile Health Outreach Van",
        "Street medicine.",
        [
            (
                "Street medicine and wound care",
                "primary_care",
                "English;Spanish",
                "People living outside",
                "",
                "Mon, Wed, Fri 9:00-13:00",
            ),
        ],
    ),
    (
        "Open Door Peer Center",
        "Peer-run recovery community centre.",
        [
            (
                "Peer recovery coaching",
                "peer_support",
                "English;Spanish",
                "Anyone in or seeking recovery",
                "",
                "Daily 9:00-21:00",
            ),
            (
                "Warmline",
                "peer_support",
                "English",
                "Anyone who needs to talk",
                "",
                "Daily 16:00-24:00",
            ),
        ],
    ),
    (
        "Phoenix Rising Peer Network",
        "Peer support for mental health recovery.",
        [
            (
                "Wellness recovery action plan groups",
                "peer_support",
                "English",
                "Adults with a mental health condition",
                "",
                "Tue and Thu 14:00-16:00",
            ),
        ],
    ),
    (
        "Compass Veterans Peer Support",
        "Peer support by and for veterans.",
        [
            (
                "Veteran peer mentors",
                "peer_support",
                "English",
                "Veterans and their families",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Riverside Intergroup",
        "Local mutual-help meeting list.",
        [
            (
                "Twelve-step meetings list",
                "mutual_help",
                "English;Spanish",
                "Anyone with a desire to stop drinking or using",
                "",
                "Meetings daily",
            ),
        ],
    ),
    (
        "SMART Recovery Riverside",
        "Self-management and recovery training.",
        [
            (
                "SMART Recovery meetings",
                "mutual_help",
                "English",
                "Adults",
                "",
                "Mon and Wed 18:30",
            ),
        ],
    ),
    (
        "Dual Recovery Circle",
        "Mutual help for co-occurring conditions.",
        [
            (
                "Dual recovery anonymous meetings",
                "mutual_help",
                "English",
                "People with co-occurring mental illness and substance use",
                "",
                "Fri 19:00",
            ),
        ],
    ),
    (
        "WorkBridge Supported Employment",
        "Individual placement and support (IPS).",
        [
            (
                "IPS supported employment",
                "employment",
                "English;Spanish",
                "Adults with a serious mental illness who want to work",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Second Chance Jobs Project",
        "Jobs for people with records.",
        [
            (
                "Re-entry job readiness",
                "employment",
                "English",
                "Adults released in the past year",
                "Cohort starts monthly",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Riverside Adult Learning Center",
        "Adult education.",
        [
            (
                "GED and job skills classes",
                "employment",
                "English;Spanish;Arabic",
                "Adults 18+",
                "",
                "Mon-Thu 9:00-20:00",
            ),
        ],
    ),
    (
        "Community Legal Aid of Riverside",
        "Free civil legal help.",
        [
            (
                "Benefits and housing legal help",
                "legal",
                "English;Spanish",
                "Income under 200% of the poverty line",
                "2-week wait",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Recovery Court Navigators",
        "Treatment court support.",
        [
            (
                "Treatment court navigation",
                "legal",
                "English",
                "Adults referred by the municipal or county court",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Clean Slate Expungement Clinic",
        "Record sealing.",
        [
            (
                "Record sealing clinic",
                "legal",
                "English;Spanish",
                "Adults with a criminal record",
                "Monthly clinic",
                "First Saturday 10:00-14:00",
            ),
        ],
    ),
    (
        "Riverside Community Food Bank",
        "Food pantry network.",
        [
            (
                "Client-choice food pantry",
                "food",
                "English;Spanish;Vietnamese;Arabic",
                "Residents of the county",
                "",
                "Tue-Sat 10:00-16:00",
            ),
        ],
    ),
    (
        "St. Brigid's Community Kitchen",
        "Hot meals.",
        [
            ("Free hot meals", "food", "English;Spanish", "Anyone", "", "Daily 11:30-13:00"),
        ],
    ),
    (
        "Ride Together Transit Assistance",
        "Rides to care.",
        [
            (
                "Rides to medical and treatment appointments",
                "transport",
                "English;Spanish",
                "Medicaid members and uninsured adults",
                "Book 48 hours ahead",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "County Transit Reduced Fare Office",
        "Reduced bus fares.",
        [
            (
                "Reduced-fare bus pass",
                "transport",
                "English;Spanish;Vietnamese",
                "Adults with a disability or low income",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Lifeline Benefits Navigators",
        "Help with benefits.",
        [
            (
                "Medicaid and SNAP enrolment help",
                "other",
                "English;Spanish;Haitian Creole",
                "Anyone",
                "",
                WEEKDAYS,
            ),
        ],
    ),
    (
        "Harm Reduction Riverside",
        "Syringe services and naloxone.",
        [
            (
                "Syringe services and naloxone",
                "other",
                "English;Spanish",
                "Anyone who uses drugs",
                "",
                "Mon-Sat 10:00-18:00",
            ),
        ],
    ),
    (
        "Sunrise Drop-In Center",
        "Day centre.",
        [
            (
                "Day drop-in: showers, laundry, mail",
                "other",
                "English",
                "Adults",
                "",
                "Daily 8:00-15:00",
            ),
        ],
    ),
]


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NS, "/".join(parts)))


def _slug(name: str) -> str:
    return "".join(c.lower() if c.isalnum() else "-" for c in name).strip("-").replace("--", "-")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    tables: dict[str, list[dict[str, str]]] = {
        name: []
        for name in (
            "organizations",
            "services",
            "locations",
            "addresses",
            "service_at_locations",
            "phones",
            "languages",
            "schedules",
            "taxonomy_terms",
            "attributes",
        )
    }
    for code, label in CATEGORIES.items():
        tables["taxonomy_terms"].append(
            {
                "id": _id("term", code),
                "code": code,
                "name": label,
                "description": label,
                "taxonomy": TAXONOMY,
            }
        )
    phone = 100
    for n, (org, description, services) in enumerate(ORGS):
        org_id = _id("org", org)
        slug = _slug(org)
        tables["organizations"].append(
            {
                "id": org_id,
                "name": org,
                "alternate_name": "",
                "description": description,
                "email": f"intake@{slug}.example.org",
                "website": f"https://{slug}.example.org/",
            }
        )
        location_id = _id("location", org)
        tables["locations"].append(
            {
                "id": location_id,
                "location_type": "physical",
                "organization_id": org_id,
                "name": org,
                "description": "",
            }
        )
        tables["addresses"].append(
            {
                "id": _id("address", org),
                "location_id": location_id,
                "address_1": f"{100 + 37 * n} {STREETS[n % len(STREETS)]} Street",
                "address_2": "",
                "city": CITY,
                "state_province": STATE,
                "postal_code": f"4{5100 + n:04d}",
                "country": "US",
                "address_type": "physical",
            }
        )
        tables["phones"].append(
            {
                "id": _id("phone", org),
                "organization_id": org_id,
                "service_id": "",
                "number": f"555-01{phone % 100:02d}",
                "type": "voice",
                "description": "Main line",
            }
        )
        phone += 1
        for m, (name, category, languages, eligibility, wait, hours) in enumerate(services):
            service_id = _id("service", org, name)
            # Verified in the past year, except every seventh service (to show the warning).
            verified = "2025-03-01" if (n + m) % 7 == 6 else f"2026-{1 + (n + m) % 11:02d}-15"
            tables["services"].append(
                {
                    "id": service_id,
                    "organization_id": org_id,
                    "name": name,
                    "alternate_name": "",
                    "description": description,
                    "url": "",
                    "email": "",
                    "status": "temporarily closed" if (n, m) == (33, 0) else "active",
                    "interpretation_services": "Phone interpreters on request",
                    "application_process": "Call or walk in; a referral from a case manager "
                    "speeds intake.",
                    "fees_description": "",
                    "wait_time": wait,
                    "eligibility_description": eligibility,
                    "assured_date": verified,
                }
            )
            tables["service_at_locations"].append(
                {
                    "id": _id("sal", org, name),
                    "service_id": service_id,
                    "location_id": location_id,
                    "description": "",
                }
            )
            if m:  # a second service has its own line
                tables["phones"].append(
                    {
                        "id": _id("phone", org, name),
                        "organization_id": "",
                        "service_id": service_id,
                        "number": f"555-01{phone % 100:02d}",
                        "type": "voice",
                        "description": name,
                    }
                )
                phone += 1
            for language in languages.split(";"):
                tables["languages"].append(
                    {
                        "id": _id("language", org, name, language),
                        "service_id": service_id,
                        "name": language,
                        "code": "",
                    }
                )
            tables["schedules"].append(
                {"id": _id("schedule", org, name), "service_id": service_id, "description": hours}
            )
            tables["attributes"].append(
                {
                    "id": _id("attribute", org, name),
                    "link_id": service_id,
                    "link_type": "category",
                    "link_entity": "service",
                    "taxonomy_term_id": _id("term", category),
                    "value": "",
                }
            )
    for name, rows in tables.items():
        with (OUT / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        print(f"{name}.csv: {len(rows)} rows")


if __name__ == "__main__":
    main()

"""A short pick-list of common behavioral-health medications (free text is allowed).

Flags follow SAMHSA's classification: medications for opioid use disorder (TIP 63,
2021: buprenorphine, methadone, naltrexone) and for alcohol use disorder (TIP 49 /
2015 update: acamprosate, disulfiram, naltrexone)."""

MOUD = "moud"
PSYCH = "psych"

MEDICATIONS: list[tuple[str, str]] = [
    # Medications for addiction treatment
    ("Buprenorphine/naloxone", MOUD),
    ("Buprenorphine", MOUD),
    ("Buprenorphine extended-release injection", MOUD),
    ("Methadone", MOUD),
    ("Naltrexone", MOUD),
    ("Naltrexone extended-release injection", MOUD),
    ("Acamprosate", MOUD),
    ("Disulfiram", MOUD),
    # Psychiatric medications
    ("Sertraline", PSYCH),
    ("Fluoxetine", PSYCH),
    ("Escitalopram", PSYCH),
    ("Citalopram", PSYCH),
    ("Bupropion", PSYCH),
    ("Venlafaxine", PSYCH),
    ("Duloxetine", PSYCH),
    ("Mirtazapine", PSYCH),
    ("Trazodone", PSYCH),
    ("Aripiprazole", PSYCH),
    ("Aripiprazole long-acting injection", PSYCH),
    ("Olanzapine", PSYCH),
    ("Quetiapine", PSYCH),
    ("Risperidone", PSYCH),
    ("Paliperidone palmitate injection", PSYCH),
    ("Clozapine", PSYCH),
    ("Haloperidol", PSYCH),
    ("Lithium", PSYCH),
    ("Lamotrigine", PSYCH),
    ("Valproate (divalproex)", PSYCH),
    ("Prazosin", PSYCH),
    ("Hydroxyzine", PSYCH),
    ("Gabapentin", ""),
    ("Clonidine", ""),
    ("Nicotine replacement (patch)", ""),
    ("Varenicline", ""),
]

FLAGS = {name.lower(): flag for name, flag in MEDICATIONS}


def flags_for(name: str) -> tuple[bool, bool]:
    """(is_moud, is_psychiatric) for a name on the list; (False, False) otherwise."""
    flag = FLAGS.get((name or "").strip().lower(), "")
    return flag == MOUD, flag == PSYCH

"""What a physical-therapy clinic that offers dry needling sees, as synthetic-data weights.

Condition codes follow the clinical dossier §8c/§12 (ICD-10-CM). Weights and age ranges are
plausible for an outpatient musculoskeletal caseload; they are synthetic-data choices, not
clinical facts, and no screen shows them.
"""

from __future__ import annotations

from typing import NamedTuple


class ConditionTemplate(NamedTuple):
    key: str
    reason: str
    codes: tuple[tuple[str, str], ...]  # alternatives; one is picked (laterality, subtype)
    weight: int
    age_range: tuple[int, int]
    female_share: float


CONDITIONS: tuple[ConditionTemplate, ...] = (
    ConditionTemplate("low_back_pain", "Low back pain", (
        ("M54.50", "Low back pain, unspecified"),
        ("M54.59", "Other low back pain"),
        ("M62.830", "Muscle spasm of back"),
    ), 24, (22, 80), 0.52),
    ConditionTemplate("sciatica", "Back pain with sciatica", (
        ("M54.41", "Lumbago with sciatica, right side"),
        ("M54.42", "Lumbago with sciatica, left side"),
        ("M54.31", "Sciatica, right side"),
        ("M54.32", "Sciatica, left side"),
    ), 9, (28, 78), 0.48),
    ConditionTemplate("neck_pain", "Neck pain", (
        ("M54.2", "Cervicalgia"),
        ("M79.12", "Myalgia of auxiliary muscles, head and neck"),
    ), 18, (20, 75), 0.62),
    ConditionTemplate("muscle_strain", "Muscle strain", (
        ("S39.012A", "Strain of muscle, fascia and tendon of lower back, initial encounter"),
        ("S16.1XXA", "Strain of muscle, fascia and tendon at neck level, initial encounter"),
    ), 8, (16, 60), 0.42),
    ConditionTemplate("shoulder_pain", "Shoulder pain", (
        ("M25.511", "Pain in right shoulder"),
        ("M25.512", "Pain in left shoulder"),
    ), 10, (25, 80), 0.5),
    ConditionTemplate("rotator_cuff", "Rotator cuff pain", (
        ("M75.41", "Impingement syndrome of right shoulder"),
        ("M75.42", "Impingement syndrome of left shoulder"),
        ("M75.101", "Unspecified rotator cuff tear or rupture of right shoulder, not specified as traumatic"),
        ("M75.102", "Unspecified rotator cuff tear or rupture of left shoulder, not specified as traumatic"),
    ), 8, (35, 82), 0.47),
    ConditionTemplate("knee_pain", "Knee pain", (
        ("M25.561", "Pain in right knee"),
        ("M25.562", "Pain in left knee"),
    ), 9, (18, 82), 0.55),
    ConditionTemplate("hip_pain", "Hip pain", (
        ("M25.551", "Pain in right hip"),
        ("M25.552", "Pain in left hip"),
    ), 6, (30, 85), 0.6),
    ConditionTemplate("plantar_heel_pain", "Plantar heel pain (plantar fasciitis)", (
        ("M72.2", "Plantar fascial fibromatosis"),
    ), 8, (25, 70), 0.6),
)

GIVEN_FEMALE = (
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
    "Emily", "Elizabeth", "Sofia", "Avery", "Ella", "Scarlett", "Grace", "Chloe", "Victoria", "Riley",
    "Aria", "Lily", "Aisha", "Zoe", "Nora", "Hannah", "Maria", "Priya", "Mei", "Fatima", "Ana", "Linda",
    "Susan", "Karen", "Nancy", "Margaret", "Sandra", "Ashley", "Dorothy", "Carol", "Ruth", "Sharon",
)
GIVEN_MALE = (
    "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry", "Theodore",
    "Jack", "Levi", "Alexander", "Jackson", "Mateo", "Daniel", "Michael", "Mason", "Sebastian", "Ethan",
    "Logan", "Owen", "Samuel", "Jacob", "Omar", "Wei", "Raj", "Diego", "Kwame", "Ivan", "Robert", "John",
    "David", "Richard", "Joseph", "Thomas", "Charles", "Christopher", "Mark", "Paul", "Steven", "Kenneth",
)
FAMILY = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel",
    "Kim", "Chen", "Singh", "Okafor", "Kowalski", "Novak", "Schmidt", "Rossi", "Dubois", "Haddad", "Sato",
)
STREETS = ("Oak St", "Maple Ave", "Cedar Rd", "Pine Ln", "Elm St", "Lakeview Dr", "Hillcrest Rd", "River Rd",
           "Park Ave", "Sunset Blvd", "Main St", "Church St", "Mill Rd", "Meadow Way", "Station Rd")
TOWNS = ("Springfield", "Riverton", "Fairview", "Greenville", "Madison", "Clinton", "Franklin", "Salem")

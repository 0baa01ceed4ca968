from __future__ import annotations

from collections import Counter
from datetime import date

from dryneedling.patients.validation import ICD10_RE, MRN_RE
from dryneedling.synthetic.catalogue import CONDITIONS
from dryneedling.synthetic.generator import generate_patients

TODAY = date(2026, 11, 1)


def test_same_seed_same_patients_other_seed_other_patients():
    first = list(generate_patients(count=200, seed=7, today=TODAY))
    assert first == list(generate_patients(count=200, seed=7, today=TODAY))
    assert first != list(generate_patients(count=200, seed=8, today=TODAY))


def test_records_are_valid_and_realistic():
    patients = list(generate_patients(count=3000, seed=1, today=TODAY))
    assert len({p.mrn for p in patients}) == 3000
    ages = [(TODAY - p.date_of_birth).days / 365.25 for p in patients]
    assert min(ages) >= 13 and max(ages) < 90
    assert 40 <= sum(ages) / len(ages) <= 55
    sexes = Counter(p.sex for p in patients)
    assert 0.5 < sexes["female"] / 3000 < 0.6
    keys = Counter()
    for patient in patients:
        assert MRN_RE.match(patient.mrn)
        for episode in patient.episodes:
            keys[episode.condition_key] += 1
            assert episode.start_date <= TODAY
            assert episode.end_date is None or episode.start_date <= episode.end_date <= TODAY
            assert (episode.status == "discharged") == (episode.end_date is not None)
            for code, text in episode.conditions:
                assert ICD10_RE.match(code) and text
    # Every condition the source article lists shows up.
    assert set(keys) == {c.key for c in CONDITIONS}
    assert keys["low_back_pain"] > keys["hip_pain"]

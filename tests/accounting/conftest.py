from __future__ import annotations

import pytest

from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def signed_session(alice, episode):  # type: ignore[no-untyped-def]
    """A completed session of the episode (one muscle needled) whose note Alice signs."""
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_sign
    from tests.followup.test_services import complete_session

    session = complete_session(alice, episode)
    note = Note.objects.for_record(session).get(session=session)
    note_sign(actor=alice, session_id=session.pk, expected_version=note.version)
    session.refresh_from_db()
    return session


@pytest.fixture
def fee_20560(dana):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.services.fees import fee_set

    fee_set(actor=dana, code="20560", amount="85.00")
    fee_set(actor=dana, code="20561", amount="110.00")

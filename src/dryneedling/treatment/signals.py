"""Keeps `Session.main_technique` true to the session's insertions whatever writes them (the
service, an import, a test's fixture): on every save and delete of an insertion. Bulk loads, which
send no signals, set it themselves (synthetic.treatment_loader).

Also makes a parent come again under the API's `updated_since` when what the API nests in it
changes (issue 13): a session with its points and side effects, a note with its amendments. (The
main-technique update stamps the session too: a clinic-scoped update() of a `patients.models.Touched`
model stamps `updated_at`.)"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from dryneedling.treatment.models import AdverseEvent, Insertion, Note, NoteAmendment, Session, main_technique_of


@receiver(post_save, sender=Insertion, dispatch_uid="dryneedling.treatment.main_technique_saved")
@receiver(post_delete, sender=Insertion, dispatch_uid="dryneedling.treatment.main_technique_deleted")
def session_main_technique_refresh(sender: type[Insertion], instance: Insertion, **kwargs: Any) -> None:
    if getattr(instance, "main_technique_kept", False):  # insertion_record set it with the version (issue 14)
        return
    techniques = Insertion.objects.for_record(instance).filter(session_id=instance.session_id)
    main = main_technique_of(techniques.values_list("technique", flat=True))
    Session.objects.for_record(instance).filter(pk=instance.session_id).update(main_technique=main)


@receiver(post_save, sender=AdverseEvent, dispatch_uid="dryneedling.treatment.side_effect_touches_session")
@receiver(post_delete, sender=AdverseEvent, dispatch_uid="dryneedling.treatment.side_effect_gone_touches_session")
def session_touch(sender: type[AdverseEvent], instance: AdverseEvent, **kwargs: Any) -> None:
    Session.objects.for_record(instance).filter(pk=instance.session_id).update(updated_at=timezone.now())


@receiver(post_save, sender=NoteAmendment, dispatch_uid="dryneedling.treatment.amendment_touches_note")
def note_touch(sender: type[NoteAmendment], instance: NoteAmendment, **kwargs: Any) -> None:
    Note.objects.for_record(instance).filter(pk=instance.note_id).update(updated_at=timezone.now())

"""Keeps `Session.main_technique` true to the session's insertions whatever writes them (the
service, an import, a test's fixture): on every save and delete of an insertion. Bulk loads, which
send no signals, set it themselves (synthetic.treatment_loader)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dryneedling.treatment.models import Insertion, Session, main_technique_of


@receiver(post_save, sender=Insertion, dispatch_uid="dryneedling.treatment.main_technique_saved")
@receiver(post_delete, sender=Insertion, dispatch_uid="dryneedling.treatment.main_technique_deleted")
def session_main_technique_refresh(sender: type[Insertion], instance: Insertion, **kwargs: Any) -> None:
    techniques = Insertion.objects.for_record(instance).filter(session_id=instance.session_id)
    main = main_technique_of(techniques.values_list("technique", flat=True))
    Session.objects.for_record(instance).filter(pk=instance.session_id).update(main_technique=main)

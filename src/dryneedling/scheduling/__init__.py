"""The appointment book: appointment types, clinicians' working hours, appointments, reminders, feeds."""

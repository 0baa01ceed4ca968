"""The care flow: what spans the apps of one patient's path through the practice.

Plain modules, services and read-only gates, no models. `treatment`, `safetyrecords` and `followup`
stay independent of each other's higher parts; this layer calls them in the order the practice
follows (credentials and open follow-ups before a session starts; the note's draft and the
check-ins when it completes; the follow-up of a serious side effect when it is recorded) and the
web views call this layer. See docs/decisions.md, "Layering: the care flow above treatment and
followup (issue 9)"; tests/test_layering.py holds the order.
"""

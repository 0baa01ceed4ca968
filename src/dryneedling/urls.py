from django.urls import path
from django.views.generic import RedirectView

from dryneedling.web import views_admin, views_auth, views_intake, views_kb, views_patients

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="patient-list", permanent=False), name="home"),
    path("healthz", views_auth.healthz, name="healthz"),
    path("accounts/login/", views_auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", views_auth.LogoutView.as_view(), name="logout"),
    path("patients/", views_patients.patient_list, name="patient-list"),
    path("patients/new/", views_patients.patient_create, name="patient-create"),
    path("patients/<int:patient_id>/", views_patients.patient_detail, name="patient-detail"),
    path("patients/<int:patient_id>/edit/", views_patients.patient_edit, name="patient-edit"),
    path("patients/<int:patient_id>/episodes/new/", views_patients.episode_create, name="episode-create"),
    path("episodes/<int:episode_id>/edit/", views_patients.episode_edit, name="episode-edit"),
    path("patients/<int:patient_id>/intake/", views_intake.intake_create, name="intake-create"),
    path("clinic/audit/", views_admin.audit_list, name="audit-list"),
    path("kb/", views_kb.kb_index, name="kb-index"),
    path("kb/muscles/<slug:muscle_id>/", views_kb.kb_muscle, name="kb-muscle"),
    path("kb/conditions/<slug:condition_id>/", views_kb.kb_condition, name="kb-condition"),
    path("kb/contraindications/", views_kb.kb_contraindications, name="kb-contraindications"),
    path("kb/side-effects/", views_kb.kb_side_effects, name="kb-side-effects"),
    path("kb/evidence/", views_kb.kb_evidence, name="kb-evidence"),
]

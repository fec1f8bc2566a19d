from django.urls import path

from staffing.views import booking, calendars, day, disruptions, feeds, planner, rota
from staffing.views import calls as call_views

app_name = "staffing"

urlpatterns = [
    # rota
    path("professionnels/", rota.professional_list, name="professional_list"),
    path("professionnels/nouveau/", rota.professional_edit, name="professional_create"),
    path("professionnels/<int:pk>/modifier/", rota.professional_edit, name="professional_update"),
    path("roulement/", rota.rota, name="rota"),
    path("roulement/nouvelle-regle/", rota.rule_edit, name="rule_create"),
    path("roulement/regles/<int:pk>/", rota.rule_edit, name="rule_update"),
    path("roulement/regles/<int:pk>/desactiver/", rota.rule_deactivate, name="rule_deactivate"),
    path("roulement/generer/", rota.generate_now, name="generate_now"),
    path("roulement/salles/", rota.room_options, name="room_options"),
    path("permanences/nouvelle/", rota.permanence_create, name="permanence_create"),
    path("permanences/<int:pk>/", rota.permanence_detail, name="permanence_detail"),
    path("permanences/<int:pk>/annuler/", disruptions.permanence_cancel, name="permanence_cancel"),
    path("absences/", rota.absences, name="absences"),
    # disruptions (issue 12): preview, confirm, then the "à rappeler" queue
    path("permanences/<int:pk>/raccourcir/", disruptions.permanence_shorten, name="permanence_shorten"),
    path("absences/nouvelle/", disruptions.absence_create, name="absence_create"),
    path("locaux/<int:premises_pk>/fermetures/nouvelle/", disruptions.closure_create, name="closure_create"),
    path("professionnels/<int:pk>/arreter/", disruptions.professional_deactivate, name="professional_deactivate"),
    path("a-rappeler/", disruptions.call_back_queue, name="call_back_queue"),
    path("a-rappeler/<int:pk>/traite/", disruptions.call_back_done, name="call_back_done"),
    # calendars
    path("calendrier/locaux/<int:pk>/", calendars.premises_week, name="premises_week"),
    path("calendrier/professionnels/<int:pk>/", calendars.professional_week, name="professional_week"),
    path("calendrier/mois/", calendars.territory_month, name="territory_month"),
    path("mon-agenda/", calendars.my_agenda, name="my_agenda"),
    path("couverture/", calendars.coverage, name="coverage"),
    # iCal subscriptions (token only: URL names contain "ical" so the login walk skips them)
    path("abonnements/", feeds.calendar_links, name="calendar_links"),
    path("abonnements/nouveau/", feeds.calendar_link_renew, name="calendar_link_renew"),
    path("abonnements/<int:pk>/revoquer/", feeds.calendar_link_revoke, name="calendar_link_revoke"),
    path("ical/professionnels/<str:token>.ics", feeds.ical_professional, name="ical_professional"),
    path("ical/locaux/<str:token>.ics", feeds.ical_premises, name="ical_premises"),
    # unscheduled-care line: free SNP times and booking from a call, line dashboard
    path("appels/<int:call_pk>/creneaux/", call_views.call_snp_slots, name="call_snp_slots"),
    path("appels/<int:call_pk>/reserver/", call_views.call_book, name="call_book"),
    path("appels/tableau-de-bord/", call_views.call_dashboard, name="call_dashboard"),
    path("appels/sas/", call_views.call_sas_bookings, name="call_sas_bookings"),
    # booking, scheduler and the day's work
    path("rendez-vous/patients/<int:pk>/", booking.book_for_patient, name="book_for_patient"),
    path("rendez-vous/patients/<int:pk>/confirmer/", booking.book_confirm, name="book_confirm"),
    path("rendez-vous/patients/<int:pk>/consultations/", booking.patient_consultations, name="patient_consultations"),
    path("consultations/<int:pk>/", booking.consultation_detail, name="consultation_detail"),
    path("consultations/<int:pk>/annuler/", booking.consultation_cancel, name="consultation_cancel"),
    path("consultations/<int:pk>/absent/", booking.consultation_no_show, name="consultation_no_show"),
    path("consultations/<int:pk>/arrivee/", booking.consultation_arrived, name="consultation_arrived"),
    path("consultations/<int:pk>/sms/", booking.consultation_send_sms, name="consultation_send_sms"),
    path("consultations/<int:pk>/compte-rendu/", day.consultation_outcome, name="consultation_outcome"),
    path("propositions/<int:pk>/confirmer/", booking.proposal_confirm, name="proposal_confirm"),
    path("propositions/<int:pk>/refuser/", booking.proposal_reject, name="proposal_reject"),
    path("planification/", booking.scheduler, name="scheduler"),
    path("planification/lancer/", booking.scheduler_run, name="scheduler_run"),
    # capacity planner (issue 11)
    path("projection/", planner.planner, name="planner"),
    path("projection/regle/", planner.planner_rule_preview, name="planner_rule_preview"),
    path("projection/<int:pk>/", planner.planner_result, name="planner_result"),
    path("ma-journee/", day.practitioner_day, name="practitioner_day"),
    path("journee/", day.secretary_day, name="secretary_day"),
]

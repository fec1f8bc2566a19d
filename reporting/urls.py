from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("portail/", views.portal, name="portal"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("carte/", views.territory_map, name="territory_map"),
    path("mensuels/", views.report_list, name="report_list"),
    path("mensuels/generer/", views.generate_report, name="generate_report"),
    path("mensuels/<int:pk>/<str:fmt>/", views.report_download, name="report_download"),
    path("financements/", views.funding_list, name="funding_list"),
    path("financements/export.xlsx", views.funding_export, name="funding_export"),
    path("financements/nouvelle/", views.funding_line_edit, name="funding_line_create"),
    path("financements/<int:pk>/", views.funding_line_detail, name="funding_line_detail"),
    path("financements/<int:pk>/modifier/", views.funding_line_edit, name="funding_line_edit"),
    path("financements/<int:line_pk>/depenses/nouvelle/", views.expense_edit, name="expense_create"),
    path("financements/<int:line_pk>/depenses/<int:pk>/", views.expense_edit, name="expense_edit"),
    path("financements/<int:line_pk>/depenses/<int:pk>/supprimer/", views.expense_delete, name="expense_delete"),
]

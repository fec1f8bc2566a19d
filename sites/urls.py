from django.urls import path

from sites import views

app_name = "sites"

urlpatterns = [
    path("", views.territory, name="territory"),
    path("locaux/", views.premises_list, name="premises_list"),
    path("locaux/nouveau/", views.premises_edit, name="premises_create"),
    path("locaux/<int:pk>/", views.premises_detail, name="premises_detail"),
    path("locaux/<int:pk>/modifier/", views.premises_edit, name="premises_update"),
    path("locaux/<int:premises_pk>/salles/nouvelle/", views.room_edit, name="room_create"),
    path("locaux/<int:premises_pk>/salles/<int:pk>/", views.room_edit, name="room_update"),
    path("fermetures/<int:pk>/supprimer/", views.closure_delete, name="closure_delete"),
]

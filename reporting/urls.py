from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("portail/", views.portal, name="portal"),
]

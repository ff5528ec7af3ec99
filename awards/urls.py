from django.urls import path

from awards import views

app_name = "awards"

urlpatterns = [path("", views.index, name="index")]

"""Django login views (sample for AR107): limits applied where the project applies them.

The password form limits attempts in its own ``clean()`` (a token bucket per address), and the class
view's GET only shows the form; only the view that checks a password with no limit is reported.
"""

from django import forms
from django.contrib.auth import authenticate, login
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View

from .models import TokenBucket


class EmailPasswordForm(forms.Form):
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput)

    def clean(self):
        email = self.cleaned_data.get("email", "")
        if not TokenBucket.authorize_login_password(email):
            raise forms.ValidationError("Too many attempts, please try again later.")
        self.user = authenticate(email=email, password=self.cleaned_data.get("password"))
        if self.user is None:
            raise forms.ValidationError("Incorrect email or password.")
        return self.cleaned_data


def login_view(request):
    form = EmailPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect("home")
    return render(request, "login.html", {"form": form})


class StaffLoginView(View):
    def get(self, request):
        return render(request, "staff_login.html", {"form": AuthenticationForm(request)})

    def post(self, request):  # expect: AR107
        form = AuthenticationForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.get_user())
            return redirect("staff-home")
        return render(request, "staff_login.html", {"form": form})


urlpatterns = [
    path("login/", login_view),
    path("staff/login/", StaffLoginView.as_view()),
]

from django import forms


class ReturnRequestForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, max_length=2000)

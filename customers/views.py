from django.shortcuts import render


def customer_list(request, pk=None):
    return render(request, "base.html")

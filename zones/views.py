from django.shortcuts import render


def zone_list(request, pk=None):
    return render(request, "base.html")

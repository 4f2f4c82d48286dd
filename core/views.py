from django.shortcuts import render


def import_list(request):
    return render(request, "base.html")


def outbox(request):
    return render(request, "base.html")

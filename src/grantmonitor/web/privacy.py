"""A participant's data on request (right of access) and erasing an identity.

For the promoter's own staff only (``permissions.can_view_identities``): the page shows the
name and contact details the promoter keeps, a download of everything held about the person
(recorded in the audit trail) and the erasure, which asks for a reason and a confirmation.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grantmonitor.accounts import permissions
from grantmonitor.register.gdpr import participant_erase_identity, participant_export
from grantmonitor.register.identity import identity_get
from grantmonitor.register.models import Participant
from grantmonitor.register.selectors import participant_get
from grantmonitor.web.views import _allow


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        max_length=300,
        help_text=gettext_lazy("E.g. the participant's request of 3 May, by letter."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the name, the contact details, the reference and the reasons "
            "of referrals are erased for good."
        )
    )


def _participant(request, pk: int) -> Participant:
    try:
        participant = participant_get(pk=pk)
    except Participant.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    _allow(permissions.can_view_identities(request.user, participant.project))
    return participant


def _page(request, participant: Participant, form: EraseForm, status: int = 200):
    return render(
        request,
        "web/privacy/participant.html",
        {
            "participant": participant,
            "identity": identity_get(participant, user=request.user),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def participant_privacy(request, pk: int):
    return _page(request, _participant(request, pk), EraseForm())


@login_required
@require_GET
def participant_export_json(request, pk: int):
    participant = _participant(request, pk)
    response = HttpResponse(
        participant_export(participant, actor=request.user),
        content_type="application/json; charset=utf-8",
    )
    filename = f"participant-{participant.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def participant_erase(request, pk: int):
    participant = _participant(request, pk)
    _allow(permissions.can_edit_register(request.user, participant.project))
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _page(request, participant, form, status=400)
    participant_erase_identity(participant, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(
        request,
        _(
            "The identity of participant #%(pk)s is erased; the anonymous records and the "
            "figures computed from them stay."
        )
        % {"pk": participant.pk},
    )
    return redirect("web:participant-privacy", pk=participant.pk)


urlpatterns = [
    path("participants/<int:pk>/privacy/", participant_privacy, name="participant-privacy"),
    path("participants/<int:pk>/export.json", participant_export_json, name="participant-export"),
    path("participants/<int:pk>/erase/", participant_erase, name="participant-erase"),
]

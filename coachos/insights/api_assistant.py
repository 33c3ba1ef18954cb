"""POST /api/v1/assistant/messages and /assistant/proposals/{id}/accept (and /reject)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router
from pydantic import ConfigDict

from coachos.common.api import require_perm
from coachos.common.problems import problem_response
from coachos.common.schema import Schema
from coachos.scheduling.api.common import problems
from coachos.tenancy.roles import Perm

from . import ai_gateway, assistant
from .models import AssistantConversation, Proposal

router = Router(tags=["assistant"])


class AssistantMessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=assistant.MAX_TEXT)
    conversation: int | None = Field(None, ge=1, le=2**63 - 1, description="Continue this conversation of yours.")


class ProposalOut(Schema):
    id: int
    summary: str = Field(description="What will happen, to whom.")
    action: str = Field(description="reschedule_session, cancel_session or message_clients.")
    status: str


class AssistantReplyOut(Schema):
    conversation: int
    reply: str
    proposals: list[ProposalOut]


class DecisionOut(Schema):
    id: int
    action: str
    status: str = Field(description="accepted, rejected or failed.")
    result: dict[str, Any]


def _proposal_out(p: Proposal) -> dict[str, Any]:
    return {"id": p.pk, "summary": p.summary, "action": p.action, "status": p.status}


def _unavailable(exc: assistant.AssistantUnavailable) -> HttpResponse:
    return problem_response(503, "Assistant unavailable", str(exc), code=exc.code)


@router.post("/assistant/messages", response={200: AssistantReplyOut, **problems(403, 404, 422, 502, 503)},
             summary="Ask the assistant", description="Reads answer at once; changes come back as proposals to "
             "accept. 503 (problem details saying how to configure it) when no model is configured or the business "
             "has not turned the assistant on.")
def assistant_message(request: HttpRequest, payload: AssistantMessageIn) -> Any:
    require_perm(request, Perm.BACKOFFICE)
    membership = request.membership  # type: ignore[attr-defined]
    conversation = None
    if payload.conversation is not None:
        conversation = get_object_or_404(AssistantConversation.objects.filter(membership=membership), pk=payload.conversation)
    try:
        answer = assistant.message_send(membership=membership, user=request.auth, text=payload.text,
                                        conversation=conversation)
    except assistant.AssistantUnavailable as exc:
        return _unavailable(exc)
    except ai_gateway.GatewayError:
        return problem_response(502, "The language model did not answer", "Try again in a moment.")
    except ValueError as exc:
        raise ValidationError({"text": [str(exc)]})
    return {"conversation": answer.conversation.pk, "reply": answer.reply,
            "proposals": [_proposal_out(p) for p in answer.proposals]}


def _decide(request: HttpRequest, proposal_id: int, accept: bool) -> Any:
    require_perm(request, Perm.BACKOFFICE)
    membership = request.membership  # type: ignore[attr-defined]
    proposal = get_object_or_404(Proposal.objects.filter(membership=membership), pk=proposal_id)
    try:
        decided = assistant.proposal_decide(proposal=proposal, membership=membership, user=request.auth, accept=accept)
    except ValueError as exc:
        return problem_response(409, "Conflict", str(exc), code="decided")
    return {"id": decided.pk, "action": decided.action, "status": decided.status, "result": decided.result}


@router.post("/assistant/proposals/{proposal_id}/accept", response={200: DecisionOut, **problems(403, 404, 409)},
             summary="Accept a proposal: only now does the change happen (as you, with your permissions)")
def proposal_accept(request: HttpRequest, proposal_id: int) -> Any:
    return _decide(request, proposal_id, True)


@router.post("/assistant/proposals/{proposal_id}/reject", response={200: DecisionOut, **problems(403, 404, 409)},
             summary="Reject a proposal: nothing happens")
def proposal_reject(request: HttpRequest, proposal_id: int) -> Any:
    return _decide(request, proposal_id, False)

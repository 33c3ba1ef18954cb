"""The one gateway to language models: Anthropic (Messages, tool use) and OpenAI or any OpenAI-compatible
server (chat completions, tool calls) through their official SDKs.

Off until the platform configures it: ``AI_PROVIDER`` (``anthropic`` | ``openai``), ``AI_API_KEY``,
``AI_BASE_URL`` (an OpenAI-compatible server such as a self-hosted model, or a stand-in), ``AI_MODEL``.
A base URL alone is enough for an OpenAI-compatible server that needs no key. Each business must also
opt in (``InsightsSettings.assistant_enabled``).

Every request is logged by its id, the provider and the token counts — never by content.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("coachos.insights.ai")

DEFAULT_MODELS = {"anthropic": "claude-sonnet-5-5", "openai": "gpt-4o-mini"}
MAX_TOKENS = 1024
TIMEOUT_SECONDS = 30.0


class NotConfigured(Exception):
    """No model is configured on the platform."""


class GatewayError(Exception):
    """The provider failed or answered something we cannot read."""


@dataclass(frozen=True)
class Config:
    provider: str
    api_key: str
    base_url: str
    model: str


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass
class Reply:
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    request_id: str = ""


def config() -> Config | None:
    """The platform's model configuration, or None when the assistant is off."""
    provider = os.environ.get("AI_PROVIDER", "").strip().lower()
    key = os.environ.get("AI_API_KEY", "").strip()
    base_url = os.environ.get("AI_BASE_URL", "").strip()
    if not provider:
        provider = "anthropic" if key.startswith("sk-ant-") else "openai"
    if provider not in DEFAULT_MODELS or not (key or (base_url and provider == "openai")):
        return None
    return Config(provider=provider, api_key=key or "not-needed", base_url=base_url,
                  model=os.environ.get("AI_MODEL", "").strip() or DEFAULT_MODELS[provider])


def configured() -> bool:
    return config() is not None


# Conversation turns are kept in one neutral shape and translated per provider:
#   {"role": "user", "text": ...}
#   {"role": "assistant", "text": ..., "tool_calls": [{"id", "name", "arguments"}]}
#   {"role": "tool", "id": ..., "name": ..., "content": <JSON-able>}

def chat(*, system: str, turns: list[dict[str, Any]], tools: list[ToolSpec], cfg: Config | None = None) -> Reply:
    cfg = cfg or config()
    if cfg is None:
        raise NotConfigured
    request_id = uuid.uuid4().hex[:16]
    try:
        reply = _anthropic(cfg, system, turns, tools) if cfg.provider == "anthropic" else \
            _openai(cfg, system, turns, tools)
    except (NotConfigured, GatewayError):
        raise
    except Exception as exc:  # the SDKs raise their own errors: the type is enough, never the content
        logger.warning("ai request failed", extra={"request_id": request_id, "provider": cfg.provider,
                                                   "error": type(exc).__name__})
        raise GatewayError(type(exc).__name__) from exc
    reply.request_id = request_id
    logger.info("ai request", extra={"request_id": request_id, "provider": cfg.provider,
                                     "input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens,
                                     "tool_calls": len(reply.tool_calls)})
    return reply


def _anthropic(cfg: Config, system: str, turns: list[dict[str, Any]], tools: list[ToolSpec]) -> Reply:
    import anthropic

    client = anthropic.Anthropic(api_key=cfg.api_key, base_url=cfg.base_url or None, timeout=TIMEOUT_SECONDS,
                                 max_retries=0)
    messages: list[dict[str, Any]] = []
    for turn in turns:
        if turn["role"] == "user":
            messages.append({"role": "user", "content": turn["text"]})
        elif turn["role"] == "assistant":
            content: list[dict[str, Any]] = [{"type": "text", "text": turn["text"]}] if turn.get("text") else []
            content += [{"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["arguments"]}
                        for c in turn.get("tool_calls", [])]
            messages.append({"role": "assistant", "content": content})
        else:
            block = {"type": "tool_result", "tool_use_id": turn["id"], "content": json.dumps(turn["content"])}
            if messages and messages[-1]["role"] == "user" and isinstance(messages[-1]["content"], list):
                messages[-1]["content"].append(block)
            else:
                messages.append({"role": "user", "content": [block]})
    response = client.messages.create(
        model=cfg.model, max_tokens=MAX_TOKENS, system=system, messages=messages,  # type: ignore[arg-type]
        tools=[{"name": t.name, "description": t.description, "input_schema": t.parameters}  # type: ignore[misc]
               for t in tools])
    text, calls = [], []
    for part in response.content:
        if part.type == "text":
            text.append(part.text)
        elif part.type == "tool_use":
            calls.append(ToolCall(id=part.id, name=part.name, arguments=dict(part.input or {})))
    usage = response.usage
    return Reply(text="\n".join(text), tool_calls=calls, input_tokens=usage.input_tokens,
                 output_tokens=usage.output_tokens)


def _openai(cfg: Config, system: str, turns: list[dict[str, Any]], tools: list[ToolSpec]) -> Reply:
    import openai

    client = openai.OpenAI(api_key=cfg.api_key, base_url=cfg.base_url or None, timeout=TIMEOUT_SECONDS,
                           max_retries=0)
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for turn in turns:
        if turn["role"] == "user":
            messages.append({"role": "user", "content": turn["text"]})
        elif turn["role"] == "assistant":
            message: dict[str, Any] = {"role": "assistant", "content": turn.get("text") or None}
            if turn.get("tool_calls"):
                message["tool_calls"] = [{"id": c["id"], "type": "function",
                                          "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                                         for c in turn["tool_calls"]]
            messages.append(message)
        else:
            messages.append({"role": "tool", "tool_call_id": turn["id"], "content": json.dumps(turn["content"])})
    response = client.chat.completions.create(
        model=cfg.model, messages=messages, max_tokens=MAX_TOKENS,  # type: ignore[arg-type]
        tools=[{"type": "function", "function": {"name": t.name, "description": t.description,  # type: ignore[misc]
                                                 "parameters": t.parameters}} for t in tools])
    if not response.choices:
        raise GatewayError("no choices")
    choice = response.choices[0].message
    calls = []
    for call in choice.tool_calls or []:
        try:
            arguments = json.loads(call.function.arguments or "{}")  # type: ignore[union-attr]
        except ValueError:
            arguments = {"_unreadable": True}
        calls.append(ToolCall(id=call.id, name=call.function.name, arguments=arguments if isinstance(arguments, dict)  # type: ignore[union-attr]
                              else {"_unreadable": True}))
    usage = response.usage
    return Reply(text=choice.content or "", tool_calls=calls,
                 input_tokens=usage.prompt_tokens if usage else 0, output_tokens=usage.completion_tokens if usage else 0)

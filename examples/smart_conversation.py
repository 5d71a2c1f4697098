"""SmartConversation (SmartRoutingChatSession): multi-turn chat, routed turn by turn.

The pattern (both router guides): the session keeps the whole history (after an optional
system prompt), sends all of it with ``model: "@edenai"`` on every turn, appends the
assistant's answer, and records which model the router chose for each turn; ``reset()``
clears the history but keeps the system prompt.

The one added line: ``routing_otel.label(conversation_id=session_id)`` at the start of each
turn, with the id the application already has for the conversation. Each turn becomes one
``chat @edenai`` span with its own served model and ``gen_ai.conversation.id``: the
semantic conventions link a conversation's turns by that id, which also works in a web app
where every turn is a separate request (and a separate trace).

Run it: ``python examples/smart_conversation.py``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import requests

import routing_otel

API_KEY = os.environ.get("EDENAI_API_KEY", "")
BASE_URL = os.environ.get("EDENAI_BASE_URL", "https://api.edenai.run/v3/llm")


class SmartConversation:
    """A chat session whose every turn is routed, with the full history sent each time."""

    def __init__(
        self,
        api_key: str,
        system_prompt: str | None = None,
        candidates: list[str] | None = None,
        base_url: str = BASE_URL,
    ) -> None:
        self.api_key = api_key
        self.url = f"{base_url}/chat/completions"
        self.system_prompt = system_prompt
        self.candidates = candidates
        self.messages: list[dict[str, str]] = []
        self.models_used: list[str | None] = []
        if system_prompt:
            self.messages.append({"role": "system", "content": system_prompt})

    def send(self, message: str) -> str:
        """Add ``message`` to the history, route the whole history, keep the answer."""
        self.messages.append({"role": "user", "content": message})
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload: dict[str, Any] = {"model": "@edenai", "messages": self.messages, "stream": True}
        if self.candidates:
            payload["router_candidates"] = self.candidates
        response = requests.post(self.url, headers=headers, json=payload, stream=True)

        selected_model = None
        full_response = ""
        for line in response.iter_lines():
            if line:
                line_str = line.decode("utf-8")
                if line_str.startswith("data: ") and line_str != "data: [DONE]":
                    data = json.loads(line_str[6:])
                    if not selected_model and "model" in data:
                        selected_model = data["model"]
                    content = data.get("choices", [{}])[0].get("delta", {}).get("content", "")
                    full_response += content

        self.messages.append({"role": "assistant", "content": full_response})
        self.models_used.append(selected_model)
        return full_response

    def reset(self) -> None:
        """Forget the conversation, keeping the system prompt."""
        self.messages = self.messages[:1] if self.system_prompt else []
        self.models_used = []


def main(session_id: str = "support-session-42") -> dict[str, Any]:
    """A three-turn conversation, then a reset."""
    conversation = SmartConversation(
        API_KEY,
        system_prompt="You are a concise assistant for backend developers.",
        candidates=["openai/gpt-4o", "anthropic/claude-sonnet-4-5", "google/gemini-2.0-flash"],
    )
    for question in [
        "What is a message queue?",
        "How is it different from a pub/sub topic?",
        "Which one would you pick for order events, and why?",
    ]:
        # The app's own id for the conversation: label each turn's call with it.
        routing_otel.label(conversation_id=session_id)  # routing-otel: added
        answer = conversation.send(question)
        print(f"[{conversation.models_used[-1]}] {answer[:60]}...")
    result = {
        "session_id": session_id,
        "models_used": list(conversation.models_used),
        "history_length": len(conversation.messages),
    }
    conversation.reset()
    result["history_after_reset"] = len(conversation.messages)
    return result


if __name__ == "__main__":
    from _run import run

    run(__file__)

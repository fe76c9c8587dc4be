"""The Supervisor-like answer as an MLflow ChatAgent model (models-from-code), for `mlflow models serve`.

Logged by tests/test_real_producers.py with `mlflow.pyfunc.save_model(python_model=<this file>)`;
a Databricks `agent/v2/chat` endpoint serves this kind of model.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any

import mlflow
from mlflow.pyfunc import ChatAgent
from mlflow.types.agent import ChatAgentChunk, ChatAgentMessage, ChatAgentResponse, ChatContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
import supervisor  # a sibling file, not a package


class SupervisorChatAgent(ChatAgent):
    def _messages(self, question: str) -> list[ChatAgentMessage]:
        call = {
            "id": supervisor.CALL_ID,
            "type": "function",
            "function": {
                "name": supervisor.GENIE_TOOL,
                "arguments": '{"genie_query": "Total net revenue by region"}',
            },
        }
        return [
            ChatAgentMessage(
                role="assistant",
                content="".join(supervisor.NARRATION),
                id=str(uuid.uuid4()),
                tool_calls=[call],
            ),
            ChatAgentMessage(
                role="tool",
                content=supervisor.TABLE,
                name=supervisor.GENIE_TOOL,
                tool_call_id=supervisor.CALL_ID,
                id=str(uuid.uuid4()),
            ),
            ChatAgentMessage(role="assistant", content="".join(supervisor.ANSWER), id=str(uuid.uuid4())),
        ]

    def predict(
        self,
        messages: list[ChatAgentMessage],
        context: ChatContext | None = None,
        custom_inputs: dict[str, Any] | None = None,
    ) -> ChatAgentResponse:
        question = supervisor.last_user_text([m.model_dump() for m in messages])
        return ChatAgentResponse(messages=self._messages(question))

    def predict_stream(
        self,
        messages: list[ChatAgentMessage],
        context: ChatContext | None = None,
        custom_inputs: dict[str, Any] | None = None,
    ) -> Generator[ChatAgentChunk, None, None]:
        for message in self.predict(messages, context, custom_inputs).messages:
            yield ChatAgentChunk(delta=message)


mlflow.models.set_model(SupervisorChatAgent())

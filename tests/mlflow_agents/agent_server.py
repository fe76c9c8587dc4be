"""MLflow's `AgentServer` serving the Supervisor-like ResponsesAgent: `python agent_server.py PORT`.

Run as a child process by tests/test_real_producers.py (the server's `@stream` registration is
process-global). Streams `POST /invocations` the way Databricks' agent templates do.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from mlflow.genai.agent_server import AgentServer, stream
from mlflow.pyfunc import ResponsesAgent
from mlflow.types.responses import (
    ResponsesAgentRequest,
    ResponsesAgentResponse,
    ResponsesAgentStreamEvent,
    output_to_responses_items_stream,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import supervisor  # a sibling file, not a package


class Supervisor(ResponsesAgent):
    def predict(self, request: ResponsesAgentRequest) -> ResponsesAgentResponse:
        items = [e.item for e in self.predict_stream(request) if e.type == "response.output_item.done"]
        return ResponsesAgentResponse(output=items)

    def predict_stream(self, request: ResponsesAgentRequest) -> Iterator[ResponsesAgentStreamEvent]:
        question = supervisor.last_user_text([item.model_dump() for item in request.input])
        yield from output_to_responses_items_stream(supervisor.narration_chunks())
        output = self.create_function_call_output_item(call_id=supervisor.CALL_ID, output=supervisor.TABLE)
        yield ResponsesAgentStreamEvent(type="response.output_item.done", item=output)
        if "fail" in question:
            raise RuntimeError(supervisor.FAILURE)
        yield from output_to_responses_items_stream(supervisor.answer_chunks())


AGENT = Supervisor()


@stream()
def answer(request: ResponsesAgentRequest) -> Iterator[ResponsesAgentStreamEvent]:
    yield from AGENT.predict_stream(request)


if __name__ == "__main__":
    server = AgentServer("ResponsesAgent")
    uvicorn.run(server.app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")

//! Todaygent: LLM providers, the agent loop, the chat API.

//! The MCP server at `/mcp`: the tool registry over Streamable HTTP, as an OAuth
//! protected resource (RFC 9728).

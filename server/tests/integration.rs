//! The backend's integration tests, linked into one test binary.
//!
//! Each module below was its own test crate; one binary links the server once
//! instead of forty times, which is most of a clean build's time and disk.
//! `refresh_hygiene` stays a separate binary: it installs a process-wide log
//! subscriber and must not capture the other tests' logs.

mod auth_support;
mod demo_as_support;
mod llm_support;
mod mcp_support;
mod refresh_support;
mod sim_support;

mod activity_trail;
mod agent_adversarial;
mod agent_confirm;
mod agent_loop;
mod agent_no_llm;
mod agent_providers;
mod api_compression;
mod auth_discovery;
mod auth_exchange;
mod auth_extractor;
mod auth_jwks;
mod auth_session;
mod auth_validate;
mod dayplan_api;
mod decisions_api;
mod decisions_wire;
mod demo_as_authorize;
mod demo_as_discovery;
mod demo_as_exchange;
mod demo_as_token;
mod mcp_auth;
mod mcp_exchange;
mod mcp_oauth;
mod mcp_tools;
mod plan_demo_day;
mod refresh_demo;
mod refresh_faults;
mod refresh_openapi;
mod source_github;
mod source_gmail;
mod source_google_calendar;
mod source_google_drive;
mod source_granola;
mod source_linear;
mod source_slack;
mod store_sqlite;
mod tools_registry;

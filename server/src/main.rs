//! `plan-my-today`: runs the backend (demo mode when no config file is given).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use pmt_server::config::{Config, Overrides};

/// Plan My Today's token-mediating backend and PWA server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file; without one the backend runs in demo mode.
    #[arg(long, env = "PMT_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (demo mode: loopback only).
    #[arg(long, env = "PMT_LISTEN")]
    listen: Option<SocketAddr>,
    /// Port to listen on.
    #[arg(long, env = "PMT_PORT")]
    port: Option<u16>,
    /// Directory for persistent state.
    #[arg(long, env = "PMT_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The built PWA to serve.
    #[arg(long, env = "PMT_STATIC_DIR")]
    static_dir: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let overrides = Overrides {
        listen: cli.listen,
        port: cli.port,
        data_dir: cli.data_dir,
        static_dir: cli.static_dir,
    };
    let config = match &cli.config {
        Some(path) => Config::from_file(path, &overrides)?,
        None => Config::demo(&overrides)?,
    };
    let mode = if config.demo {
        "demo mode"
    } else {
        "configured"
    };
    let server = pmt_server::spawn(config).await?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "Plan My Today is running at {}/ ({mode}; data in {})",
            server.config.public_url,
            server.config.data_dir.display()
        );
    }
    tokio::select! {
        result = server.task => result.context("server task")?.context("server")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

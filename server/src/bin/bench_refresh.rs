//! `bench-refresh`: what a refresh costs, printed as figures (not a test).
//!
//! Starts the demo server in-process on loopback with a throw-away data directory,
//! makes every simulator answer each request after 200 ms and the authorization
//! server answer each token exchange after 150 ms, signs in as Dana through the real
//! authorization-code + PKCE flow, then measures:
//!
//! 1. each source's path alone (exchange + fetch), and the slowest of them;
//! 2. a full refresh with the sources concurrent, and its ratio to the slowest path;
//! 3. the same refresh with the sources one after another, and its ratio;
//! 4. the CPU cost beyond provider latency of a 1,000-task refresh: build (score, link,
//!    sort) + store;
//! 5. a cached `GET /api/tasks` (store read + decisions + scoring + JSON over HTTP).
//!
//! Run: `cargo run --release -p pmt-server --bin bench-refresh [-- --runs 5]`.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use clap::Parser;
use pmt_server::auth::{unix_now, AuthUser};
use pmt_server::config::{Config, Overrides};
use pmt_server::plan::snapshot;
use pmt_server::plan::Decisions;
use pmt_server::refresh::{self, RunContext, Schedule};
use pmt_server::secret::BearerToken;
use pmt_server::simulators::Fault;
use pmt_server::sources::{Me, Today};
use pmt_wire::{Person, Signals, Snapshot, Source, SourceState, SourceStatus, Task, TaskKind};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Measures the refresh of the demo server.
#[derive(Debug, Parser)]
#[command(about)]
struct Args {
    /// Measured runs of each figure (the median is printed).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Latency of every simulated provider answer, milliseconds.
    #[arg(long, default_value_t = 200)]
    provider_ms: u64,
    /// Latency of every token exchange, milliseconds.
    #[arg(long, default_value_t = 150)]
    exchange_ms: u64,
    /// Tasks in the generated fetch of the CPU figure.
    #[arg(long, default_value_t = 1000)]
    tasks: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runs = args.runs.max(1);
    let data_dir =
        std::env::temp_dir().join(format!("pmt-bench-{}-{}", std::process::id(), unix_now()));
    let result = bench(&args, runs, &data_dir).await;
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

async fn bench(args: &Args, runs: usize, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let mut config = Config::demo(&Overrides {
        port: Some(0),
        data_dir: Some(data_dir.to_owned()),
        static_dir: Some(data_dir.join("no-static")),
        ..Overrides::default()
    })?;
    // Provider latency is per request and some sources page: give every path room.
    for source in &mut config.sources {
        source.timeout = Duration::from_secs(60);
    }
    let server = pmt_server::spawn(config).await?;
    let demo = server.demo.clone().context("demo mode")?;
    let state = server.state.clone();
    let token = sign_in(&server.config).await?;
    let claims = state.auth.validate_bearer(&token).await?;
    let user = AuthUser {
        claims,
        token: BearerToken::new(token.clone()),
    };

    // Warm-up at full speed (discovery, JWKS, connection pools).
    let warm = refresh::refresh(&state, &user, None).await?;
    let failed: Vec<String> = warm
        .sources
        .iter()
        .filter_map(|s| match &s.state {
            SourceState::Failed { reason } => Some(format!("{}: {reason}", s.source.as_str())),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        bail!("some sources fail even without latency: {failed:?}");
    }

    for source in Source::PROVIDERS {
        demo.simulators.set_fault(
            source,
            Fault {
                latency_ms: args.provider_ms,
                ..Fault::default()
            },
        );
    }
    demo.auth_server
        .set_exchange_latency(Duration::from_millis(args.exchange_ms));

    println!("bench-refresh: demo server on {}", server.addr);
    println!(
        "sources: {} (the seven providers; the config allows one entry per kind, so an \
         eighth source would be a second instance of a kind, which is refused)",
        server.config.enabled_sources().count()
    );
    println!(
        "latency: {} ms per provider answer, {} ms per token exchange; {runs} runs, medians",
        args.provider_ms, args.exchange_ms
    );
    println!();

    // 1. Each source alone.
    let now = unix_now();
    let ctx = RunContext {
        auth: state.auth.clone(),
        http: state.http.clone(),
        subject: user.token.clone(),
        today: Today::at(now, &server.config.time_zone).unwrap_or_else(|_| Today::utc(now)),
        me: Me {
            email: user.claims.email.clone(),
            name: user.claims.name.clone(),
        },
        trail: refresh::ui_trail(&state, &user),
    };
    let mut slowest = (Duration::ZERO, Source::Gmail);
    let mut sum = Duration::ZERO;
    println!("single source path (exchange + fetch):");
    for source in server.config.enabled_sources() {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let run = refresh::run::run(&ctx, source).await;
            if let Err(e) = &run.result {
                bail!("{} failed: {e}", source.kind.as_str());
            }
            times.push(run.duration);
        }
        let m = median(&mut times);
        println!("  {:<16} {:>8}", source.kind.as_str(), ms(m));
        sum += m;
        if m > slowest.0 {
            slowest = (m, source.kind);
        }
    }
    println!("  {:<16} {:>8}", "sum", ms(sum));
    println!();

    // 2 and 3. Full refreshes.
    let concurrent = time_refreshes(&state, &user, Schedule::Concurrent, runs).await?;
    let sequential = time_refreshes(&state, &user, Schedule::Sequential, runs).await?;
    let ratio = |d: Duration| d.as_secs_f64() / slowest.0.as_secs_f64();
    println!(
        "slowest single source path ({}):      {:>8}",
        slowest.1.as_str(),
        ms(slowest.0)
    );
    println!(
        "concurrent refresh (wall):                {:>8}   ratio to slowest path {:.2} (target <= 1.10)",
        ms(concurrent),
        ratio(concurrent)
    );
    println!(
        "sequential refresh (wall):                {:>8}   ratio to slowest path {:.2}, to concurrent {:.2}",
        ms(sequential),
        ratio(sequential),
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
    println!();

    // Back to full speed for the CPU figures.
    for source in Source::PROVIDERS {
        demo.simulators.set_fault(source, Fault::default());
    }
    demo.auth_server.set_exchange_latency(Duration::ZERO);

    // 4. Build + store of a generated 1,000-task fetch.
    let today = ctx.today.clone();
    let fetched = generated_fetch(args.tasks, &today);
    let weights = &server.config.scoring;
    let sub = &user.claims.sub;
    let iterations = (runs * 10).max(20);
    let (mut build_times, mut store_times, mut encode_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut built = Snapshot::default();
    for _ in 0..iterations {
        let started = Instant::now();
        built = snapshot::build(
            fetched.clone(),
            &[],
            &Decisions::default(),
            &today,
            weights,
            unix_now(),
        );
        build_times.push(started.elapsed());
        let started = Instant::now();
        let json = serde_json::to_vec(&built)?;
        encode_times.push(started.elapsed());
        std::hint::black_box(json);
        let started = Instant::now();
        state.store.save_snapshot(sub, &built).await?;
        store_times.push(started.elapsed());
    }
    let links: usize = built.tasks.iter().map(|t| t.links.len()).sum();
    let build = median(&mut build_times);
    let store = median(&mut store_times);
    let encode = median(&mut encode_times);
    println!(
        "CPU beyond provider latency, {} tasks ({} links), {iterations} iterations:",
        built.tasks.len(),
        links
    );
    println!("  build (score + link + sort)   {:>8}", ms(build));
    println!(
        "  store (JSON + SQLite commit)  {:>8}   of which JSON encoding {}",
        ms(store),
        ms(encode)
    );
    println!(
        "  total                         {:>8}   (target <= 5 ms)",
        ms(build + store)
    );
    // A refresh where a source is in an outage also reads the previous snapshot back.
    let mut load_times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        std::hint::black_box(state.store.load_snapshot(sub).await?);
        load_times.push(started.elapsed());
    }
    println!(
        "  + on an outage: previous snapshot read back (SQLite + JSON) {}",
        ms(median(&mut load_times))
    );
    println!();

    // 5. Cached reads.
    let http = reqwest::Client::new();
    let url = format!("{}/api/tasks", server.config.public_url);
    let read = |http: reqwest::Client, url: String, token: String| async move {
        let started = Instant::now();
        let body = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        anyhow::Ok((started.elapsed(), body.len()))
    };
    let reads = (runs * 20).max(50);
    let mut big = Vec::with_capacity(reads);
    let mut size_big = 0;
    for _ in 0..reads {
        let (t, n) = read(http.clone(), url.clone(), token.clone()).await?;
        big.push(t);
        size_big = n;
    }
    refresh::refresh(&state, &user, None).await?;
    let mut small = Vec::with_capacity(reads);
    let mut size_small = 0;
    for _ in 0..reads {
        let (t, n) = read(http.clone(), url.clone(), token.clone()).await?;
        small.push(t);
        size_small = n;
    }
    println!("cached GET /api/tasks over loopback HTTP ({reads} reads, no provider called):");
    println!(
        "  demo day ({} KB)              {:>8}",
        size_small / 1024,
        ms(median(&mut small))
    );
    println!(
        "  {} tasks ({} KB)           {:>8}",
        built.tasks.len(),
        size_big / 1024,
        ms(median(&mut big))
    );
    server.task.abort();
    Ok(())
}

async fn time_refreshes(
    state: &pmt_server::AppState,
    user: &AuthUser,
    schedule: Schedule,
    runs: usize,
) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let snapshot =
            refresh::refresh_with(state, user, None, schedule, refresh::ui_trail(state, user))
                .await?;
        times.push(started.elapsed());
        if let Some(s) = snapshot
            .sources
            .iter()
            .find(|s| matches!(s.state, SourceState::Failed { .. }))
        {
            bail!(
                "{schedule:?} refresh: {} failed: {:?}",
                s.source.as_str(),
                s.state
            );
        }
    }
    Ok(median(&mut times))
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A fetch of `n` tasks spread over the seven sources, with refs that overlap the way
/// a working day's do (issue keys named in PRs, chat and notes; docs in mail and
/// meetings) so cross-referencing has real work.
fn generated_fetch(n: usize, today: &Today) -> Vec<(SourceStatus, Vec<Task>)> {
    let kinds = [
        (Source::GoogleCalendar, TaskKind::Meeting),
        (Source::Gmail, TaskKind::Email),
        (Source::GoogleDrive, TaskKind::DocComment),
        (Source::Linear, TaskKind::Issue),
        (Source::Github, TaskKind::Review),
        (Source::Slack, TaskKind::Mention),
        (Source::Granola, TaskKind::MeetingNoteItem),
    ];
    let mut by_source: Vec<(SourceStatus, Vec<Task>)> = kinds
        .iter()
        .map(|(source, _)| {
            (
                SourceStatus {
                    source: *source,
                    state: SourceState::Ok {
                        count: 0,
                        skipped: 0,
                    },
                    duration_ms: 0,
                    fetched_at: today.now,
                },
                Vec::new(),
            )
        })
        .collect();
    for i in 0..n {
        let slot = i % kinds.len();
        let (source, kind) = kinds[slot];
        // About one task in three names something another task names too, as on the
        // demo day (an issue in a PR, a chat and a note; a doc in a mail and a meeting).
        let issue = format!("linear:ENG-{}", i % 600);
        let mut refs = vec![issue.clone()];
        if i % 5 == 0 {
            refs.push(format!("gdoc:doc{}", i % 150));
        }
        if kind == TaskKind::Meeting || kind == TaskKind::MeetingNoteItem {
            refs.push(format!("meeting:topic {}", i % 120));
        }
        let offset = i64::try_from(i % 600).unwrap_or(0) * 60;
        let task = Task {
            snippet: Some("Generated for the benchmark; long enough to look real.".into()),
            url: Some(format!("https://example.com/{}/{i}", source.as_str())),
            people: vec![Person {
                name: "Grace Hopper".into(),
                handle: Some("grace@example.com".into()),
            }],
            signals: Signals {
                due: (i % 4 == 0).then_some(today.start + offset),
                starts_at: (kind == TaskKind::Meeting).then_some(today.start + offset),
                ends_at: (kind == TaskKind::Meeting).then_some(today.start + offset + 1800),
                updated_at: Some(today.now - offset * 10),
                waiting_on_me: i % 5 == 0,
                direct_mention: i % 7 == 0,
                rsvp_needed: false,
                starred: i % 11 == 0,
                source_priority: (source == Source::Linear)
                    .then_some(u8::try_from(i % 4 + 1).unwrap_or(4)),
            },
            refs,
            ..Task::new(
                source,
                &format!("item-{i}"),
                kind,
                format!("Item {i} about {issue}"),
            )
        };
        by_source[slot].1.push(task);
    }
    for (status, tasks) in &mut by_source {
        status.state = SourceState::Ok {
            count: tasks.len(),
            skipped: 0,
        };
    }
    by_source
}

/// Signs in as Dana through the demo authorization server: authorize (PKCE S256) →
/// consent → code → token, as the browser and the backend do.
async fn sign_in(config: &Config) -> anyhow::Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect_uri = config.redirect_uri();
    let issuer = &config.auth.issuer;
    let page = http
        .get(format!("{issuer}/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", config.auth.client_id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", "openid profile email"),
            ("state", "bench"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("resource", config.auth.resource.as_str()),
        ])
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let marker = r#"name="request" value=""#;
    let start = page.find(marker).context("consent form")? + marker.len();
    let end = page[start..].find('"').context("consent form")?;
    let request = &page[start..start + end];
    let consent = http
        .post(format!("{issuer}/consent"))
        .form(&[("request", request), ("decision", "allow")])
        .send()
        .await?;
    let location = consent
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("consent redirect")?;
    let code = url::Url::parse(location)?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .context("code in the redirect")?;
    let token: serde_json::Value = http
        .post(format!("{issuer}/token"))
        .basic_auth(
            &config.auth.client_id,
            Some(config.auth.client_secret.expose()),
        )
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    token["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("access_token")
}

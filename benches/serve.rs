//! A load test of the workbench on loopback, bounded in count and time (about a minute): many
//! clients deciding one tip each, one long stream, and then clients sending more than the
//! limits allow, with the server's peak memory read before and after. Figures and the command
//! are in docs/performance.md.
//!
//! `cargo bench --bench serve` (it starts the `rectify` binary that cargo builds for benches).

#[path = "../tests/support/http.rs"]
mod http;
mod support;

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{Server, request};

const BINARY: &str = env!("CARGO_BIN_EXE_rectify");

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: then it does nothing.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let server = Server::start(Path::new(BINARY), root, &["--scheme", "schemes/"]);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    println!("server: rectify serve --scheme schemes/ ({cores} cores, --max-concurrent {cores})");
    println!("peak memory at start: {} MiB", peak_mib(server.pid()));

    let bodies: Vec<String> = {
        let mut rng = support::Rng::new(7);
        (0..512)
            .map(|id| {
                let tip = support::tip(&mut rng, id, 1000);
                format!("{{\"tip\":{}}}", tip.trim_end())
            })
            .collect()
    };
    let bodies = Arc::new(bodies);
    for clients in [cores, 16, 64] {
        one_tip_each(&server, &bodies, clients, 2_000);
    }
    println!(
        "peak memory after the one-tip runs: {} MiB",
        peak_mib(server.pid())
    );

    let corpus = support::tips(20_000, 1000, 11);
    let started = Instant::now();
    let answer = request(
        &server.address,
        "POST",
        "/api/eval/stream",
        &[],
        corpus.as_bytes(),
    );
    let elapsed = started.elapsed();
    assert_eq!(answer.status, 200);
    let lines = answer.body.iter().filter(|b| **b == b'\n').count();
    assert_eq!(lines, 20_000);
    println!(
        "stream: 20,000 tips of 1 KB in {:.2} s: {:.0} tips/s ({:.1} MB/s in)",
        elapsed.as_secs_f64(),
        20_000.0 / elapsed.as_secs_f64(),
        corpus.len() as f64 / elapsed.as_secs_f64() / 1e6
    );
    // The same corpus through `rectify eval`, in the same run, for the ratio.
    let file =
        std::env::temp_dir().join(format!("rectify-serve-bench-{}.jsonl", std::process::id()));
    std::fs::write(&file, &corpus).unwrap();
    let started = Instant::now();
    let eval = std::process::Command::new(BINARY)
        .args(["eval", "-q", "--scheme", "schemes/"])
        .arg(&file)
        .current_dir(root)
        .output()
        .unwrap();
    let by_eval = started.elapsed();
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        eval.stdout, answer.body,
        "the stream answers what eval prints"
    );
    println!(
        "rectify eval on the same corpus: {:.2} s; the stream takes {:.2}× its time",
        by_eval.as_secs_f64(),
        elapsed.as_secs_f64() / by_eval.as_secs_f64()
    );
    println!(
        "peak memory after the stream: {} MiB",
        peak_mib(server.pid())
    );

    overload(&server);
    println!(
        "peak memory after the overload: {} MiB",
        peak_mib(server.pid())
    );
}

/// `clients` threads deciding `total` tips between them, one request each; a client told 429
/// comes back after 5 ms.
fn one_tip_each(server: &Server, bodies: &Arc<Vec<String>>, clients: usize, total: usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (next, refused, latencies) = (next.clone(), refused.clone(), latencies.clone());
            let (address, bodies) = (server.address.clone(), bodies.clone());
            std::thread::spawn(move || {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return;
                    }
                    let body = &bodies[n % bodies.len()];
                    loop {
                        let sent = Instant::now();
                        let answer = request(
                            &address,
                            "POST",
                            "/api/eval",
                            &[("Content-Type", "application/json")],
                            body.as_bytes(),
                        );
                        match answer.status {
                            200 => {
                                latencies.lock().unwrap().push(sent.elapsed());
                                break;
                            }
                            429 => {
                                refused.fetch_add(1, Ordering::Relaxed);
                                std::thread::sleep(Duration::from_millis(5));
                            }
                            other => panic!("answered {other}: {}", answer.text()),
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let elapsed = started.elapsed();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "one tip per request, {clients:>2} clients: {total} tips in {:.2} s: {:.0} requests/s; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms; {} answered 429 and retried",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.90).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        refused.load(Ordering::Relaxed)
    );
}

/// 128 clients at once: 64 each declaring a body four times the limit and then sending as much
/// of it as the server takes (413 before a byte is read), and 64 streaming 64 MiB without a
/// line break (429 beyond the work allowed; the others end their stream with an error record
/// at the size limit). Memory must not grow with what was sent.
fn overload(server: &Server) {
    let before = peak_mib(server.pid());
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..128)
        .map(|client| {
            let (address, statuses, sent) = (server.address.clone(), statuses.clone(), sent.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&address).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                let head = if client % 2 == 0 {
                    format!(
                        "POST /api/eval/stream HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\n\r\n",
                        128u64 << 20
                    )
                } else {
                    format!(
                        "POST /api/eval/stream HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n\r\n"
                    )
                };
                stream.write_all(head.as_bytes()).unwrap();
                let chunk = vec![b' '; 1 << 20];
                let framed = [format!("{:x}\r\n", chunk.len()).into_bytes(), chunk.clone(), b"\r\n".to_vec()].concat();
                // Up to 64 MiB each, or until the server stops taking it.
                for _ in 0..64 {
                    let piece = if client % 2 == 0 { &chunk } else { &framed };
                    if stream.write_all(piece).is_err() {
                        break;
                    }
                    sent.fetch_add(piece.len(), Ordering::Relaxed);
                }
                let _ = stream.write_all(b"0\r\n\r\n");
                // A connection the server closed before the client had sent all counts as 0.
                let status = http::try_read_response(&mut stream).map_or(0, |answer| answer.status);
                *statuses.lock().unwrap().entry(status).or_default() += 1;
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    println!(
        "overload: 128 clients sent {:.0} MiB in {:.1} s; answers by status {:?}; peak memory {} MiB before, {} MiB after",
        sent.load(Ordering::Relaxed) as f64 / (1 << 20) as f64,
        started.elapsed().as_secs_f64(),
        statuses.lock().unwrap(),
        before,
        peak_mib(server.pid())
    );
}

/// The process's peak resident memory, in MiB.
fn peak_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

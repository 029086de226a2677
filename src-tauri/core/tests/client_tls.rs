//! #13.11: corporate networks. The client trusts the operating system's
//! certificate store in addition to the bundled roots (a TLS-inspecting proxy
//! re-signs with the company's CA, which IT installs in the OS store; here it
//! is given through `SSL_CERT_FILE`), and goes through `HTTPS_PROXY` unless
//! `NO_PROXY` names the host.
//!
//! One test in its own binary: it sets process-wide environment variables.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use genesys_core::genesys::{
    Client, ClientConfig, Credentials, Environment, FetchOptions, FetchRequest, Filters, Strategy,
};
use genesys_sim::{Sim, SimConfig, TlsFiles};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A test CA and a certificate for localhost / 127.0.0.1 signed by it.
fn test_pki() -> (String, TlsFiles) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Example Corp TLS Inspection CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    (
        ca_cert.pem(),
        TlsFiles {
            cert_pem: leaf_cert.pem().into_bytes(),
            key_pem: leaf_key.serialize_pem().into_bytes(),
        },
    )
}

/// A minimal HTTP CONNECT proxy on loopback; counts tunnels opened.
async fn connect_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let count = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut line = String::new();
                if client.read_line(&mut line).await.is_err() {
                    return;
                }
                let target = match line.split_whitespace().collect::<Vec<_>>()[..] {
                    ["CONNECT", target, _] => target.to_string(),
                    _ => return,
                };
                loop {
                    let mut h = String::new();
                    match client.read_line(&mut h).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) if h == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let Ok(mut upstream) = TcpStream::connect(&target).await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let mut client = client.into_inner();
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (format!("http://{addr}"), tunnels)
}

fn client(sim: &Sim) -> Client {
    let mut cfg = ClientConfig::new(
        Environment::parse(&sim.base_url()).unwrap(),
        Credentials::new(
            sim.config().client_id.clone(),
            sim.config().client_secret.clone(),
        ),
    );
    cfg.retry.max_retries = 1;
    cfg.retry.base_delay = Duration::from_millis(5);
    cfg.job_polling.initial = Duration::from_millis(20);
    Client::new(cfg).unwrap()
}

#[tokio::test]
async fn trusts_the_os_store_and_honours_https_proxy_and_no_proxy() {
    let (ca_pem, files) = test_pki();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("corporate-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let (proxy, tunnels) = connect_proxy().await;
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(var);
    }
    // The OS store, as rustls-native-certs reads it on Linux.
    std::env::set_var("SSL_CERT_FILE", &ca_file);
    std::env::set_var("HTTPS_PROXY", &proxy);

    let start = chrono::Utc::now() - chrono::Duration::days(3);
    let sim = Sim::start(SimConfig {
        conversations: 500,
        start,
        days: 2,
        rate_limit: None,
        job_delays: Duration::from_millis(20),
        tls: Some(files),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));

    // Through the proxy, over TLS signed by the corporate CA.
    let c = client(&sim);
    c.test_connection().await.unwrap();
    let from = sim.config().start;
    let mut fetch = c
        .fetch(
            FetchRequest {
                from,
                to: from + chrono::Duration::days(2),
                filters: Filters::default(),
                strategy: Strategy::Async,
            },
            FetchOptions::default(),
        )
        .unwrap();
    let mut n = 0;
    while let Some(conv) = fetch.next().await {
        conv.unwrap();
        n += 1;
    }
    let want = sim.dataset().ground_truth(
        from,
        from + chrono::Duration::days(2),
        &serde_json::json!({}),
    );
    assert_eq!(n, want.len());
    let through_proxy = tunnels.load(Ordering::SeqCst);
    assert!(through_proxy >= 1, "the proxy was used");

    // NO_PROXY names the host: straight there.
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let c = client(&sim);
    c.test_connection().await.unwrap();
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        through_proxy,
        "NO_PROXY bypasses the proxy"
    );
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("HTTPS_PROXY");

    // Without the corporate CA the same server is refused, with a plain message.
    std::env::set_var("SSL_CERT_FILE", dir.path().join("missing.pem"));
    let e = client(&sim).test_connection().await.unwrap_err();
    assert_eq!(e.kind, genesys_core::ErrorKind::Network, "{}", e.message);
    sim.shutdown().await;
}

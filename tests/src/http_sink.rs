//! An HTTP/1.1 server on loopback that records every request it receives: the operator's
//! provisioning endpoint, an OpenTelemetry collector. It answers 503 to the first `fail_first`
//! requests and 202 afterwards.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One request the sink received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

pub struct HttpSink {
    /// `http://127.0.0.1:{port}`.
    pub base: String,
    received: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HttpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HttpSink {
    pub async fn start(fail_first: usize) -> HttpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let arrived = Arc::new(Notify::new());
        let failures = Arc::new(AtomicUsize::new(fail_first));
        let task = tokio::spawn({
            let received = received.clone();
            let arrived = arrived.clone();
            async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let received = received.clone();
                    let arrived = arrived.clone();
                    let failures = failures.clone();
                    tokio::spawn(async move {
                        if let Some(request) = serve(stream, &failures).await {
                            received.lock().unwrap().push(request);
                            arrived.notify_waiters();
                        }
                    });
                }
            }
        });
        HttpSink {
            base,
            received,
            arrived,
            task,
        }
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (bounded) until at least `n` requests arrived; returns them all.
    pub async fn wait_count(&self, n: usize) -> Vec<Received> {
        self.wait_until(&format!("{n} request(s)"), |r| r.len() >= n)
            .await
    }

    /// Waits (at most 15 s) until what was received satisfies `done`; returns it all.
    pub async fn wait_until(
        &self,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let notified = self.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let received = self.received.lock().unwrap();
                if done(&received) {
                    return received.clone();
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "after {} request(s), still waiting for {what}",
                    self.count()
                );
            }
        }
    }
}

/// Reads one request (headers, then `Content-Length` bytes of body) and answers it.
async fn serve(mut stream: tokio::net::TcpStream, failures: &AtomicUsize) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length")?.parse().ok()?;
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[header_end..header_end + length].to_vec();
    let fail = failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if fail {
        "503 Service Unavailable"
    } else {
        "202 Accepted"
    };
    let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
    Some(Received {
        path,
        headers,
        body,
    })
}

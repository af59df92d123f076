//! A TCP proxy on 127.0.0.1 that counts traffic and injects faults: cut a
//! connection after N bytes, delay every chunk, or drop connections at once.
//! Runs on its own thread and Tokio runtime, so it works from any test.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, oneshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Relay faithfully.
    None,
    /// Close both sides once this many bytes (both directions together) went through.
    CutAfter(u64),
    /// Wait this long before relaying each chunk.
    Delay(Duration),
    /// Close every new connection at once.
    Drop,
    /// Accept and never relay anything (a server that hangs).
    Blackhole,
    /// Replace these bytes by those in what the server sends (a server that
    /// bends the protocol, e.g. Mailutils' `* 1 EXPUNGED`). Plain IMAP only.
    Rewrite(&'static [u8], &'static [u8]),
}

/// `data` with every `from` replaced by `to`.
fn replace_bytes(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

#[derive(Default)]
struct Counters {
    to_server: AtomicU64,
    to_client: AtomicU64,
    connections: AtomicU64,
}

pub struct FaultProxy {
    pub port: u16,
    fault: Arc<Mutex<Fault>>,
    counters: Arc<Counters>,
    cut: broadcast::Sender<()>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FaultProxy {
    /// Proxy 127.0.0.1:<returned port> → 127.0.0.1:`target_port`.
    pub fn start(target_port: u16, fault: Fault) -> FaultProxy {
        let fault = Arc::new(Mutex::new(fault));
        let counters = Arc::new(Counters::default());
        let std_listener =
            std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind proxy port");
        std_listener.set_nonblocking(true).unwrap();
        let port = std_listener.local_addr().unwrap().port();
        let (stop_tx, stop_rx) = oneshot::channel();
        let (f, c) = (fault.clone(), counters.clone());
        let (cut, _) = broadcast::channel(4);
        let cut_tx = cut.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).unwrap();
                let target = SocketAddr::from((Ipv4Addr::LOCALHOST, target_port));
                let accept_loop = async {
                    loop {
                        let Ok((client, _)) = listener.accept().await else {
                            continue;
                        };
                        c.connections.fetch_add(1, Ordering::SeqCst);
                        let fault = *f.lock().unwrap();
                        let cut_rx = cut_tx.subscribe();
                        tokio::spawn(relay(client, target, fault, c.clone(), cut_rx));
                    }
                };
                tokio::select! {
                    _ = accept_loop => {}
                    _ = stop_rx => {}
                }
            });
        });
        FaultProxy {
            port,
            fault,
            counters,
            cut,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Applies to connections accepted from now on.
    pub fn set_fault(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    /// (bytes client→server, bytes server→client) since start or the last reset.
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.counters.to_server.load(Ordering::SeqCst),
            self.counters.to_client.load(Ordering::SeqCst),
        )
    }

    /// Close every open connection now (like a network drop or server restart).
    pub fn cut_all(&self) {
        let _ = self.cut.send(());
    }

    pub fn connections(&self) -> u64 {
        self.counters.connections.load(Ordering::SeqCst)
    }

    pub fn reset_counts(&self) {
        self.counters.to_server.store(0, Ordering::SeqCst);
        self.counters.to_client.store(0, Ordering::SeqCst);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn relay(
    mut client: TcpStream,
    target: SocketAddr,
    fault: Fault,
    c: Arc<Counters>,
    mut cut: broadcast::Receiver<()>,
) {
    match fault {
        Fault::Drop => return,
        Fault::Blackhole => {
            // Hold the connection open, silent, until the client gives up.
            let mut buf = [0u8; 4096];
            while matches!(client.read(&mut buf).await, Ok(n) if n > 0) {}
            return;
        }
        _ => {}
    }
    let Ok(mut server) = TcpStream::connect(target).await else {
        return;
    };
    let mut budget = match fault {
        Fault::CutAfter(n) => n,
        _ => u64::MAX,
    };
    let delay = match fault {
        Fault::Delay(d) => Some(d),
        _ => None,
    };
    let mut cbuf = vec![0u8; 16 * 1024];
    let mut sbuf = vec![0u8; 16 * 1024];
    while budget > 0 {
        tokio::select! {
            _ = cut.recv() => break,
            r = client.read(&mut cbuf) => {
                let n = match r { Ok(0) | Err(_) => break, Ok(n) => n };
                let n = n.min(budget as usize);
                if let Some(d) = delay { tokio::time::sleep(d).await; }
                if server.write_all(&cbuf[..n]).await.is_err() { break; }
                c.to_server.fetch_add(n as u64, Ordering::SeqCst);
                budget -= n as u64;
            }
            r = server.read(&mut sbuf) => {
                let n = match r { Ok(0) | Err(_) => break, Ok(n) => n };
                let n = n.min(budget as usize);
                if let Some(d) = delay { tokio::time::sleep(d).await; }
                let data = match fault {
                    Fault::Rewrite(from, to) => replace_bytes(&sbuf[..n], from, to),
                    _ => sbuf[..n].to_vec(),
                };
                if client.write_all(&data).await.is_err() { break; }
                c.to_client.fetch_add(n as u64, Ordering::SeqCst);
                budget -= n as u64;
            }
        }
    }
    // Dropping both streams closes them: the client sees EOF mid-conversation.
}

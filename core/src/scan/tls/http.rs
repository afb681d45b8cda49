//! The two HTTP checks of `https://` targets, over hyper: does plain HTTP redirect to
//! HTTPS, and does the HTTPS response carry Strict-Transport-Security.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::header::{HOST, LOCATION, STRICT_TRANSPORT_SECURITY};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::connect::connect;

/// One request on an open connection; returns the status and the named headers.
async fn request<S>(
    stream: S,
    method: hyper::Method,
    host: &str,
    path: &str,
) -> Result<hyper::Response<hyper::body::Incoming>, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(conn);
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, host)
        .header(
            "user-agent",
            concat!("postq-scan/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let result = sender.send_request(req).await.map_err(|e| e.to_string());
    driver.abort();
    result
}

/// The HSTS header of a `HEAD` over an established TLS stream (`Ok(None)`: absent).
pub async fn hsts<S>(
    stream: S,
    host: &str,
    path: &str,
    timeout: Duration,
) -> Result<Option<String>, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let response = tokio::time::timeout(timeout, request(stream, hyper::Method::HEAD, host, path))
        .await
        .map_err(|_| format!("no HTTP answer over TLS within {}s", timeout.as_secs_f32()))??;
    Ok(response
        .headers()
        .get(STRICT_TRANSPORT_SECURITY)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()))
}

/// What plain HTTP on the given port does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlainHttp {
    /// Nothing listens (refused): HTTPS is the only way in.
    NotServed,
    /// A redirect to an `https://` URL.
    RedirectsToHttps(String),
    /// Anything else: content (or a redirect elsewhere) over plain HTTP.
    Served(String),
    /// Could not tell (timeout, broken answer).
    Unknown(String),
}

/// `GET /` over plain HTTP on `port` of the first address.
pub async fn plain_http(
    addrs: &[SocketAddr],
    port: u16,
    host: &str,
    timeout: Duration,
) -> PlainHttp {
    let addrs: Vec<SocketAddr> = addrs
        .iter()
        .map(|a| SocketAddr::new(a.ip(), port))
        .collect();
    let stream = match connect(&addrs, timeout).await {
        Ok(s) => s,
        Err(u) if u.status == crate::scan::report::TargetStatus::Refused => {
            return PlainHttp::NotServed;
        }
        Err(u) => return PlainHttp::Unknown(u.reason),
    };
    let host_header = if port == 80 {
        host.to_owned()
    } else {
        format!("{host}:{port}")
    };
    match tokio::time::timeout(
        timeout,
        request(stream, hyper::Method::GET, &host_header, "/"),
    )
    .await
    {
        Err(_) => PlainHttp::Unknown(format!("no HTTP answer within {}s", timeout.as_secs_f32())),
        Ok(Err(e)) => PlainHttp::Unknown(format!("HTTP request failed: {e}")),
        Ok(Ok(response)) => {
            let status = response.status();
            let location = response
                .headers()
                .get(LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            match location {
                Some(l)
                    if status.is_redirection()
                        && l.to_ascii_lowercase().starts_with("https://") =>
                {
                    PlainHttp::RedirectsToHttps(format!("{} -> {l}", status.as_u16()))
                }
                Some(l) => PlainHttp::Served(format!("{} -> {l}", status.as_u16())),
                None => PlainHttp::Served(format!("HTTP {}", status.as_u16())),
            }
        }
    }
}

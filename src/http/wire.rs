//! The connection under the HTTP layer. actix-http answers a request it cannot parse (a bad
//! request line, an unencoded non-ASCII URL, a bad header), one with too many or too large
//! headers (431), and one whose head is too slow (408) itself, before any application code
//! runs, with an empty body. `ProblemIo` wraps each accepted connection and writes those
//! answers as `application/problem+json` like every other error of the service.
//!
//! What it recognises is exactly what the dispatcher writes: the last response head of a write,
//! status 400, 408 or 431, `content-length: 0` and no `content-type`. The service's own errors
//! always carry a body and a content type, so they pass untouched.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::problem::ApiError;
use crate::domain::message::{Language, Message};
use crate::domain::problem_code::ProblemCode;

pub struct ProblemIo<T> {
    io: T,
    /// An answer rewritten as a problem, and how much of it has been written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> ProblemIo<T> {
    pub fn new(io: T) -> Self {
        Self { io, pending: None }
    }
}

impl<T: AsyncWrite + Unpin> ProblemIo<T> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        if let Some(problem) = as_problem(buf) {
            // The bytes are taken; the problem goes out in their stead (now, or on the flush
            // that follows).
            this.pending = Some((problem, 0));
            if let Poll::Ready(Err(e)) = this.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// `buf` with its last response head replaced by a problem, when that head is one the
/// dispatcher wrote for a request it refused on its own.
fn as_problem(buf: &[u8]) -> Option<Vec<u8>> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let start = rfind(buf, b"HTTP/1.1 ")?;
    let head = std::str::from_utf8(&buf[start..buf.len() - 4]).ok()?;
    if head.contains("\r\n\r\n") {
        return None; // a body follows that head: not a bare error
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = StatusCode::from_u16(status_line.get(9..12)?.parse().ok()?).ok()?;
    let (code, zh, en) = match status.as_u16() {
        400 => (
            ProblemCode::MalformedRequest,
            "请求不是有效的 HTTP/1.1：请检查请求行和请求头，并对网址中的非 ASCII 字符进行百分号编码（如 ?q=%E7%8E%8B）",
            "the request is not valid HTTP/1.1: check the request line and headers, and \
             percent-encode characters outside ASCII in the URL (e.g. ?q=%E7%8E%8B)",
        ),
        408 => (
            ProblemCode::RequestTimeout,
            "请求头未在 5 秒内到达",
            "the request head did not arrive within 5 s",
        ),
        431 => (
            ProblemCode::HeadersTooLarge,
            "请求头过多或过大",
            "the request has too many headers, or headers too large",
        ),
        _ => return None,
    };
    let headers: Vec<&str> = lines.collect();
    let lower = |h: &str| h.to_ascii_lowercase();
    if !headers.iter().any(|h| lower(h) == "content-length: 0")
        || headers
            .iter()
            .any(|h| lower(h).starts_with("content-type:"))
    {
        return None;
    }
    // No request to read a language from: English, said so in Content-Language.
    let body = ApiError::new(code, Message::new(zh, en)).to_json(Language::En);
    let mut out = buf[..start].to_vec();
    out.extend_from_slice(status_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for h in headers
        .iter()
        .filter(|h| !lower(h).starts_with("content-length:"))
    {
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "content-type: application/problem+json\r\ncontent-language: en\r\n\
             content-length: {}\r\n\
             x-content-type-options: nosniff\r\ncache-control: no-store\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::as_problem;

    #[test]
    fn only_the_dispatcher_s_bare_errors_are_rewritten() {
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(as_problem(bare).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("connection: close\r\n"));
        assert!(out.contains("content-type: application/problem+json\r\n"));
        assert!(out.contains("\"code\":\"malformed_request\""));
        assert!(!out.contains("content-length: 0"));
        // After an earlier answer in the same write, only the last head changes.
        let two = [
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".as_slice(),
            bare,
        ]
        .concat();
        let out = as_problem(&two).unwrap();
        assert!(out.starts_with(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 400"));
        // The service's own answers pass.
        for own in [
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n".as_slice(),
            b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nx",
        ] {
            assert!(as_problem(own).is_none());
        }
    }
}

//! In-process SMTP sink for black-box tests.
//!
//! [`MailSink::start`] binds a small SMTP server (RFC 5321 subset) to a free port
//! on `127.0.0.1`. The API under test is pointed at [`MailSink::url`] and delivers
//! over its real transport (lettre); every accepted message is parsed with
//! `mail-parser` and stored as a [`ReceivedMail`], with the MIME transfer
//! encodings (quoted-printable, base64, RFC 2047 subjects) already decoded.
//!
//! Supported commands: `EHLO`/`HELO`, `MAIL FROM`, `RCPT TO`, `DATA`
//! (dot-unstuffing, end at `CRLF.CRLF`), `RSET`, `NOOP`, `QUIT`; anything else
//! gets `502`. The EHLO reply advertises `8BITMIME`, `SMTPUTF8`, `SIZE` and
//! `ENHANCEDSTATUSCODES`. Several messages per connection and several
//! concurrent connections are handled. Command lines, message size, the number
//! of recipients and the number of open connections are bounded.
//!
//! A message is stored *before* its `250` reply is written, so once the sender
//! has been told the mail was accepted it is visible through [`MailSink::all`].
//! The server stops (the accept loop and every open connection) when the last
//! clone of the [`MailSink`] is dropped.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mail_parser::{HeaderName, HeaderValue, MessageParser, PartType};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// Largest accepted message (after dot-unstuffing), also advertised as `SIZE`.
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// Longest accepted command line, CRLF included (RFC 5321 asks for at least 512).
const MAX_COMMAND_LINE: usize = 4096;
/// DATA is read in chunks of at most this many bytes; longer lines are still
/// accepted (only the total size is limited), they are just read piecewise.
const DATA_CHUNK: usize = 64 * 1024;
/// Most `RCPT TO` accepted in one transaction (RFC 5321 asks for at least 100).
const MAX_RECIPIENTS: usize = 1000;
/// Most simultaneous client connections; more are answered `421` and closed.
const MAX_CONNECTIONS: usize = 64;
/// Name the server uses in its greeting and EHLO reply.
const SERVER_NAME: &str = "mailsink.test";

/// An SMTP server on loopback that records every message it accepts.
///
/// Cloning is cheap: clones share the same server and mailbox.
#[derive(Clone)]
pub struct MailSink {
    port: u16,
    shared: Arc<Shared>,
    _server: Arc<AbortOnDrop>,
}

/// A message accepted by the [`MailSink`].
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    /// Envelope sender (`MAIL FROM`), without angle brackets; `""` for `<>`.
    pub from: String,
    /// Envelope recipients (`RCPT TO`), without angle brackets, in order.
    pub to: Vec<String>,
    /// Decoded `Subject` header, `""` if absent.
    pub subject: String,
    /// Decoded `text/plain` body, `""` if the message has none.
    pub text: String,
    /// Decoded `text/html` body, `""` if the message has none.
    pub html: String,
    /// Top-level headers in order. Values are unfolded and trimmed; the
    /// unstructured ones (`Subject`, `Comments`, `Content-Description`) have
    /// their RFC 2047 encoded-words decoded, all others are kept as sent.
    pub headers: Vec<(String, String)>,
    /// The message as received after dot-unstuffing (lossy UTF-8).
    pub raw: String,
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<ReceivedMail>>,
    arrived: Notify,
    fail_next: AtomicUsize,
}

impl Shared {
    fn mails(&self) -> MutexGuard<'_, Vec<ReceivedMail>> {
        // A panicking test thread must not make the mailbox unusable for others.
        self.mails
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn store(&self, mail: ReceivedMail) {
        self.mails().push(mail);
        self.arrived.notify_waiters();
    }

    /// Consumes one pending injected failure, if any.
    fn take_failure(&self) -> bool {
        self.fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        // Dropping the accept task drops its JoinSet, which aborts every connection.
        self.0.abort();
    }
}

impl MailSink {
    /// Binds `127.0.0.1:0` and spawns the accept loop on the current Tokio runtime.
    ///
    /// # Panics
    /// If the listener cannot be bound.
    pub async fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("MailSink: cannot bind 127.0.0.1:0: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("MailSink: no local address: {e}"))
            .port();
        let shared = Arc::new(Shared::default());
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        MailSink {
            port,
            shared,
            _server: Arc::new(AbortOnDrop(server)),
        }
    }

    /// The TCP port the server listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:<port>`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far, in arrival order.
    #[must_use]
    pub fn all(&self) -> Vec<ReceivedMail> {
        self.shared.mails().clone()
    }

    /// Number of messages so far with `to` among their envelope recipients
    /// (compared case-insensitively).
    #[must_use]
    pub fn count_to(&self, to: &str) -> usize {
        self.shared.mails().iter().filter(|m| m.is_to(to)).count()
    }

    /// The next `n` `DATA` commands (on any connection) are answered
    /// `451 4.3.0 temporary failure` and their transaction is discarded.
    pub fn set_fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }

    /// Waits for the first message (already received or still to come) that is
    /// addressed to `to` (case-insensitive) and whose subject contains
    /// `subject_contains` (case-sensitive; `""` matches any subject).
    ///
    /// # Panics
    /// If none arrives within `timeout`; the message lists what did arrive.
    pub async fn wait_for(
        &self,
        to: &str,
        subject_contains: &str,
        timeout: Duration,
    ) -> ReceivedMail {
        let found = self
            .wait_until(timeout, |mails| {
                mails
                    .iter()
                    .find(|m| m.is_to(to) && m.subject.contains(subject_contains))
                    .cloned()
            })
            .await;
        match found {
            Some(mail) => mail,
            None => panic!(
                "MailSink: no mail to {to:?} with subject containing {subject_contains:?} \
                 within {timeout:?}; received {}",
                self.describe()
            ),
        }
    }

    /// Waits until at least `n` messages are addressed to `to` (case-insensitive)
    /// and returns all of them (possibly more than `n`), in arrival order.
    ///
    /// # Panics
    /// If fewer than `n` arrive within `timeout`; the message lists what did arrive.
    pub async fn wait_count(&self, to: &str, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let found = self
            .wait_until(timeout, |mails| {
                let matching: Vec<ReceivedMail> =
                    mails.iter().filter(|m| m.is_to(to)).cloned().collect();
                (matching.len() >= n).then_some(matching)
            })
            .await;
        match found {
            Some(mails) => mails,
            None => panic!(
                "MailSink: expected at least {n} mail(s) to {to:?} within {timeout:?} \
                 but got {}; received {}",
                self.count_to(to),
                self.describe()
            ),
        }
    }

    /// Re-evaluates `check` on every arrival until it yields a value or the
    /// timeout expires.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&[ReceivedMail]) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Register interest before looking, so an arrival between the look
            // and the await still wakes us.
            let notified = self.shared.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = check(&self.shared.mails()) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return check(&self.shared.mails());
            }
        }
    }

    fn describe(&self) -> String {
        let mails = self.shared.mails();
        if mails.is_empty() {
            return "nothing".to_owned();
        }
        let mut out = format!("{} mail(s):", mails.len());
        for (i, m) in mails.iter().enumerate() {
            let _ = write!(
                out,
                "\n  #{i}: from {:?} to {:?} subject {:?}",
                m.from, m.to, m.subject
            );
        }
        out
    }
}

impl std::fmt::Debug for MailSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSink")
            .field("port", &self.port)
            .field("received", &self.shared.mails().len())
            .finish_non_exhaustive()
    }
}

impl ReceivedMail {
    /// The first top-level header named `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first URL starting with `prefix` in the text body, falling back to
    /// the first matching `href` in the HTML body (with `&amp;` etc. decoded).
    ///
    /// In text, the URL ends at whitespace, `<`, `>`, `"` or `'`, and trailing
    /// sentence punctuation (`.`, `,`, `;`, `:`, `!`, `?`, `)`) is dropped.
    #[must_use]
    pub fn first_link_starting_with(&self, prefix: &str) -> Option<String> {
        if prefix.is_empty() {
            return None;
        }
        link_in_text(&self.text, prefix).or_else(|| link_in_html(&self.html, prefix))
    }

    /// The first standalone run of exactly six ASCII digits in the text body
    /// (not part of a longer word or number).
    #[must_use]
    pub fn six_digit_code(&self) -> Option<String> {
        let bytes = self.text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let after_ok = i == bytes.len() || !bytes[i].is_ascii_alphanumeric();
            if i - start == 6 && before_ok && after_ok {
                return Some(self.text[start..i].to_owned());
            }
        }
        None
    }

    fn is_to(&self, to: &str) -> bool {
        let to = strip_brackets(to.trim());
        self.to.iter().any(|r| r.eq_ignore_ascii_case(to))
    }
}

fn link_in_text(text: &str, prefix: &str) -> Option<String> {
    text.match_indices(prefix).find_map(|(start, _)| {
        let rest = &text[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(rest.len());
        let link = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        link.starts_with(prefix).then(|| link.to_owned())
    })
}

fn link_in_html(html: &str, prefix: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    lower.match_indices("href").find_map(|(at, _)| {
        // href \s* = \s* ("..." | '...' | bare)
        let after = html[at + 4..].trim_start();
        let value = after.strip_prefix('=')?.trim_start();
        let raw = match value.chars().next()? {
            q @ ('"' | '\'') => {
                let inner = &value[1..];
                &inner[..inner.find(q)?]
            }
            _ => {
                let end = value
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(value.len());
                &value[..end]
            }
        };
        let link = decode_html_entities(raw.trim());
        link.starts_with(prefix).then_some(link)
    })
}

/// Decodes the entities that commonly appear in attribute values.
fn decode_html_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let code = if let Some(hex) = entity
                        .strip_prefix("#x")
                        .or_else(|| entity.strip_prefix("#X"))
                    {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        entity.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn strip_brackets(addr: &str) -> &str {
    addr.strip_prefix('<')
        .and_then(|a| a.strip_suffix('>'))
        .unwrap_or(addr)
}

/// Turns an accepted transaction into a [`ReceivedMail`].
fn parse_mail(from: String, to: Vec<String>, data: &[u8]) -> ReceivedMail {
    let raw = String::from_utf8_lossy(data).into_owned();
    let mut mail = ReceivedMail {
        from,
        to,
        subject: String::new(),
        text: String::new(),
        html: String::new(),
        headers: Vec::new(),
        raw,
    };
    let Some(message) = MessageParser::default().parse(data) else {
        return mail;
    };
    mail.subject = message.subject().unwrap_or_default().to_owned();
    mail.text = message
        .text_body
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .find_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    mail.html = message
        .html_body
        .iter()
        .filter_map(|&id| message.parts.get(id as usize))
        .find_map(|part| match &part.body {
            PartType::Html(html) => Some(html.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let raw_bytes: &[u8] = &message.raw_message;
    mail.headers = message
        .headers()
        .iter()
        .map(|h| {
            let decoded = match (&h.name, &h.value) {
                (
                    HeaderName::Subject | HeaderName::Comments | HeaderName::ContentDescription,
                    HeaderValue::Text(text),
                ) => Some(text.to_string()),
                _ => None,
            };
            let value = decoded.unwrap_or_else(|| {
                let bytes = raw_bytes
                    .get(h.offset_start as usize..h.offset_end as usize)
                    .unwrap_or_default();
                unfold(&String::from_utf8_lossy(bytes))
            });
            (h.name.as_str().to_owned(), value)
        })
        .collect();
    mail
}

/// RFC 5322 unfolding (drop the line breaks inside a header value), then trim.
fn unfold(value: &str) -> String {
    value
        .replace("\r\n", "")
        .replace('\n', "")
        .trim()
        .to_owned()
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Transient (e.g. out of descriptors): back off briefly.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                if connections.len() >= MAX_CONNECTIONS {
                    let mut stream = stream;
                    let _ = stream
                        .write_all(b"421 4.7.0 too many connections\r\n")
                        .await;
                    continue;
                }
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    // I/O errors just end the session; the client sees them.
                    let _ = Session::new(shared).run(stream).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One SMTP connection's state.
struct Session {
    shared: Arc<Shared>,
    greeted: bool,
    from: Option<String>,
    to: Vec<String>,
}

enum Line {
    Complete(String),
    TooLong,
    Eof,
}

enum Data {
    Complete(Vec<u8>),
    TooLarge,
    Eof,
}

impl Session {
    fn new(shared: Arc<Shared>) -> Session {
        Session {
            shared,
            greeted: false,
            from: None,
            to: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.from = None;
        self.to.clear();
    }

    async fn run(mut self, stream: TcpStream) -> std::io::Result<()> {
        let _ = stream.set_nodelay(true);
        let (reader, mut writer) = stream.into_split();
        // The reader is kept across commands, so pipelined input is not lost.
        let mut reader = BufReader::new(reader);
        reply(&mut writer, &format!("220 {SERVER_NAME} ESMTP ready")).await?;
        loop {
            let line = match read_command(&mut reader).await? {
                Line::Complete(line) => line,
                Line::Eof => return Ok(()),
                Line::TooLong => {
                    reply(&mut writer, "500 5.5.6 command line too long").await?;
                    return Ok(());
                }
            };
            let (verb, arg) = match line.split_once(' ') {
                Some((verb, arg)) => (verb, arg.trim()),
                None => (line.as_str(), ""),
            };
            match verb.to_ascii_uppercase().as_str() {
                "EHLO" => {
                    self.reset();
                    self.greeted = true;
                    let client = if arg.is_empty() { "client" } else { arg };
                    let text = format!(
                        "250-{SERVER_NAME} greets {client}\r\n\
                         250-8BITMIME\r\n\
                         250-SMTPUTF8\r\n\
                         250-SIZE {MAX_MESSAGE_BYTES}\r\n\
                         250 ENHANCEDSTATUSCODES"
                    );
                    reply(&mut writer, &text).await?;
                }
                "HELO" => {
                    self.reset();
                    self.greeted = true;
                    reply(&mut writer, &format!("250 {SERVER_NAME}")).await?;
                }
                "MAIL" => {
                    let text = self.mail_from(arg);
                    reply(&mut writer, &text).await?;
                }
                "RCPT" => {
                    let text = self.rcpt_to(arg);
                    reply(&mut writer, &text).await?;
                }
                "DATA" => {
                    if !self.data_command(&mut reader, &mut writer).await? {
                        return Ok(());
                    }
                }
                "RSET" => {
                    self.reset();
                    reply(&mut writer, "250 2.0.0 OK").await?;
                }
                "NOOP" => reply(&mut writer, "250 2.0.0 OK").await?,
                "QUIT" => {
                    reply(&mut writer, &format!("221 2.0.0 {SERVER_NAME} closing")).await?;
                    let _ = writer.shutdown().await;
                    return Ok(());
                }
                _ => reply(&mut writer, "502 5.5.1 command not implemented").await?,
            }
        }
    }

    fn mail_from(&mut self, arg: &str) -> String {
        if !self.greeted {
            return "503 5.5.1 send EHLO or HELO first".to_owned();
        }
        if self.from.is_some() {
            return "503 5.5.1 nested MAIL command".to_owned();
        }
        let Some((addr, params)) = parse_path(arg, "FROM:") else {
            return "501 5.5.4 syntax: MAIL FROM:<address>".to_owned();
        };
        for param in params.split_whitespace() {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            if key.eq_ignore_ascii_case("SIZE")
                && value.parse::<usize>().is_ok_and(|n| n > MAX_MESSAGE_BYTES)
            {
                return "552 5.3.4 message size exceeds fixed limit".to_owned();
            }
        }
        self.from = Some(addr);
        "250 2.1.0 OK".to_owned()
    }

    fn rcpt_to(&mut self, arg: &str) -> String {
        if self.from.is_none() {
            return "503 5.5.1 need MAIL before RCPT".to_owned();
        }
        let Some((addr, _params)) = parse_path(arg, "TO:") else {
            return "501 5.5.4 syntax: RCPT TO:<address>".to_owned();
        };
        if addr.is_empty() {
            return "501 5.1.3 empty recipient".to_owned();
        }
        if self.to.len() >= MAX_RECIPIENTS {
            return "452 4.5.3 too many recipients".to_owned();
        }
        self.to.push(addr);
        "250 2.1.5 OK".to_owned()
    }

    /// Handles `DATA`; returns `false` if the connection is to be closed.
    async fn data_command<R, W>(&mut self, reader: &mut R, writer: &mut W) -> std::io::Result<bool>
    where
        R: AsyncBufRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        if self.from.is_none() {
            reply(writer, "503 5.5.1 need MAIL before DATA").await?;
            return Ok(true);
        }
        if self.to.is_empty() {
            reply(writer, "503 5.5.1 need RCPT before DATA").await?;
            return Ok(true);
        }
        if self.shared.take_failure() {
            self.reset();
            reply(writer, "451 4.3.0 temporary failure").await?;
            return Ok(true);
        }
        reply(writer, "354 end data with <CR><LF>.<CR><LF>").await?;
        let outcome = read_data(reader).await?;
        let from = self.from.take().unwrap_or_default();
        let to = std::mem::take(&mut self.to);
        match outcome {
            Data::Complete(data) => {
                self.shared.store(parse_mail(from, to, &data));
                reply(writer, "250 2.0.0 OK: message accepted").await?;
                Ok(true)
            }
            Data::TooLarge => {
                reply(writer, "552 5.3.4 message size exceeds fixed limit").await?;
                Ok(true)
            }
            Data::Eof => Ok(false),
        }
    }
}

/// Parses `FROM:<addr> params` / `TO:<addr> params` (keyword case-insensitive,
/// spaces tolerated around the colon and a missing bracket pair accepted).
fn parse_path<'a>(arg: &'a str, keyword: &str) -> Option<(String, &'a str)> {
    let head = arg.get(..keyword.len() - 1)?;
    if !head.eq_ignore_ascii_case(&keyword[..keyword.len() - 1]) {
        return None;
    }
    let rest = arg[keyword.len() - 1..]
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    let (addr, params) = if let Some(inner) = rest.strip_prefix('<') {
        let close = inner.find('>')?;
        (&inner[..close], &inner[close + 1..])
    } else {
        rest.split_once(' ').unwrap_or((rest, ""))
    };
    Some((addr.trim().to_owned(), params.trim()))
}

async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await?;
    writer.flush().await
}

/// Reads one command line (CRLF or bare LF), at most [`MAX_COMMAND_LINE`] bytes.
async fn read_command<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    let n = reader
        .take(MAX_COMMAND_LINE as u64)
        .read_until(b'\n', &mut buf)
        .await?;
    if n == 0 {
        return Ok(Line::Eof);
    }
    if !buf.ends_with(b"\n") {
        return Ok(if n >= MAX_COMMAND_LINE {
            Line::TooLong
        } else {
            Line::Eof
        });
    }
    let line = String::from_utf8_lossy(&buf);
    Ok(Line::Complete(
        line.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}

/// Reads the DATA section up to the lone `.` line, undoing dot-stuffing.
/// Past [`MAX_MESSAGE_BYTES`] the rest is read and discarded, so the session
/// stays in sync and can answer `552`.
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Data> {
    let mut data = Vec::new();
    let mut too_large = false;
    let mut at_line_start = true;
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        let n = (&mut *reader)
            .take(DATA_CHUNK as u64)
            .read_until(b'\n', &mut chunk)
            .await?;
        if n == 0 {
            return Ok(Data::Eof);
        }
        let line_ends = chunk.ends_with(b"\n");
        if at_line_start && (chunk == b".\r\n" || chunk == b".\n") {
            return Ok(if too_large {
                Data::TooLarge
            } else {
                Data::Complete(data)
            });
        }
        let content = if at_line_start && chunk.starts_with(b".") {
            &chunk[1..]
        } else {
            &chunk[..]
        };
        if !too_large {
            if data.len() + content.len() > MAX_MESSAGE_BYTES {
                too_large = true;
                data = Vec::new();
            } else {
                data.extend_from_slice(content);
            }
        }
        at_line_start = line_ends;
    }
}

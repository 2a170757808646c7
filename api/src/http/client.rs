//! What the request says about its client: address (peer, or `X-Forwarded-For` behind a trusted
//! proxy), user agent and preferred language.

use std::future::{ready, Ready};
use std::net::IpAddr;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::error::{ApiError, ProblemCode};
use crate::services::ClientInfo;
use crate::startup::AppState;

/// Extractor wrapper for [`ClientInfo`].
pub struct Client(pub ClientInfo);

impl FromRequest for Client {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Client(client_info(req))))
    }
}

/// The request's W3C trace position, set by the request middleware from `traceparent` (or new).
pub struct Trace(pub Option<crate::telemetry::TraceContext>);

impl FromRequest for Trace {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        use actix_web::HttpMessage as _;
        let trace = req
            .extensions()
            .get::<crate::telemetry::TraceContext>()
            .copied();
        ready(Ok(Trace(trace)))
    }
}

pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let peer = req.peer_addr().map(|a| a.ip());
    let ip = match req.app_data::<web::Data<AppState>>() {
        Some(state) if !state.settings.trusted_proxies.is_empty() => peer.map(|peer| {
            let forwarded = req
                .headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok());
            client_address(peer, forwarded, &state.settings.trusted_proxies)
        }),
        _ => peer,
    }
    .map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ClientInfo {
        ip,
        user_agent,
        language: preferred_language(req),
    }
}

/// The client's address behind trusted proxies: starting from the peer, each hop that is a
/// trusted proxy hands over to the address it forwarded for (`X-Forwarded-For` read from the
/// right, the way each proxy appends); the first hop that is not trusted is the client. A peer
/// that is not a trusted proxy is the client whatever the header says, and so is the left-most
/// address when every hop is trusted. Entries that are not addresses stop the walk at the hop
/// before them (a forged or garbled header never yields an address nobody vouched for).
fn client_address<'a>(
    peer: IpAddr,
    headers: impl Iterator<Item = &'a str>,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    // An IPv4 client of a dual-stack listener arrives as ::ffff:a.b.c.d; it is a.b.c.d.
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&ip.to_canonical()));
    let peer = peer.to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    // Several header lines are one list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> = headers.flat_map(|h| h.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// `en` or `id` from `Accept-Language`, in the order the client prefers them.
pub fn preferred_language(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    value
        .split(',')
        .map(|part| {
            part.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .find_map(|tag| {
            let primary = tag.split('-').next().unwrap_or("");
            match primary {
                "id" | "in" => Some("id".to_owned()),
                "en" => Some("en".to_owned()),
                _ => None,
            }
        })
}

/// A `language` query parameter wins over `Accept-Language`; English by default.
pub fn language(req: &HttpRequest, query: Option<&str>) -> Result<&'static str, ApiError> {
    match query {
        Some("en") => Ok("en"),
        Some("id") => Ok("id"),
        Some(_) => Err(ApiError::bad_request(
            ProblemCode::LanguageUnsupported,
            "language must be \"en\" or \"id\".",
        )),
        None => Ok(match preferred_language(req).as_deref() {
            Some("id") => "id",
            _ => "en",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_address(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &trusted);
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
        // The client sent a forged first entry; the proxies appended the real hops.
        let got = client_address(
            ip("127.0.0.1"),
            ["1.2.3.4, 198.51.100.7, 10.1.2.3"].into_iter(),
            &trusted,
        );
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn several_header_lines_are_one_list() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_address(
            ip("10.0.0.1"),
            ["198.51.100.7", "10.9.9.9"].into_iter(),
            &trusted,
        );
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn all_trusted_gives_the_left_most_and_garbage_stops_the_walk() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_address(ip("10.0.0.1"), ["10.0.0.2, 10.0.0.3"].into_iter(), &trusted);
        assert_eq!(got, ip("10.0.0.2"));
        let got = client_address(
            ip("10.0.0.1"),
            ["198.51.100.7, unknown, 10.0.0.3"].into_iter(),
            &trusted,
        );
        assert_eq!(got, ip("10.0.0.3"));
        let got = client_address(ip("10.0.0.1"), std::iter::empty(), &trusted);
        assert_eq!(got, ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_are_their_ipv4_address() {
        let trusted = nets(&["127.0.0.1/32"]);
        let got = client_address(
            ip("::ffff:127.0.0.1"),
            ["198.51.100.7"].into_iter(),
            &trusted,
        );
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn ipv6_proxies() {
        let trusted = nets(&["::1/128", "fd00::/8"]);
        let got = client_address(ip("::1"), ["2001:db8::5, fd00::2"].into_iter(), &trusted);
        assert_eq!(got, ip("2001:db8::5"));
    }
}

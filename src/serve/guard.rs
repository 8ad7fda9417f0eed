//! What every request passes through: the token, the origin, the deadline, the security
//! headers and the log.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, Logged, asked_lang};

/// Scripts, styles and requests only from the server itself; nothing framed, nothing sent on.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The cookie the page's requests carry the token in, once it was given in the address.
pub(crate) const TOKEN_COOKIE: &str = "rectify_token";

pub(crate) async fn guard(
    State(shared): State<super::State>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let (parts, body) = request.into_parts();
    let lang = asked_lang(&parts, shared.lang);
    let mut remember_token = None;
    let refused = if shared.token.is_none() && !loopback_host(&parts.headers) {
        Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "serve.forbidden_host",
            lang,
        ))
    } else if !same_origin(&parts.headers) {
        Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "serve.forbidden_origin",
            lang,
        ))
    } else {
        match &shared.token {
            None => None,
            Some(token) => match presented(&parts, token) {
                Presented::Header | Presented::Cookie => None,
                Presented::Query => {
                    remember_token = Some(token.clone());
                    None
                }
                Presented::None => Some(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "serve.unauthorized",
                    lang,
                )),
            },
        }
    };
    let mut response = match refused {
        Some(error) => error.into_response(),
        None => {
            let request = Request::from_parts(parts, body);
            match tokio::time::timeout(shared.limits.timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "serve.timeout", lang)
                    .into_response(),
            }
        }
    };
    let headers = response.headers_mut();
    secure(headers);
    if let Some(token) = remember_token
        && let Ok(cookie) = HeaderValue::from_str(&format!(
            "{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
        ))
    {
        headers.insert(header::SET_COOKIE, cookie);
    }
    if let Some(log) = &shared.log {
        log(&Logged {
            method,
            path,
            status: response.status().as_u16(),
            elapsed: started.elapsed(),
        });
    }
    response
}

fn secure(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name, value| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::CACHE_CONTROL, "no-store");
    set(
        headers,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
}

/// A request from a page of another origin is refused: another site open in the same browser
/// must not be able to send tips or schemes here. Requests with neither an `Origin` nor a
/// browser's `Sec-Fetch-Site: cross-site` (scripts, typing the address) pass.
fn same_origin(headers: &HeaderMap) -> bool {
    let cross_site = headers
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    if cross_site {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = origin.to_str().ok().and_then(|origin| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
    });
    matches!((origin, host), (Some(origin), Some(host)) if origin == host)
}

/// Without a token, the server answers only requests addressed to this machine by a loopback
/// name: a site whose name was made to resolve to 127.0.0.1 (DNS rebinding) sends its own name
/// as the host, and is refused.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

enum Presented {
    Header,
    Cookie,
    Query,
    None,
}

/// Where the request carries the token: `Authorization: Bearer`, the page's cookie, or
/// `?token=` in the address the office was given.
fn presented(parts: &axum::http::request::Parts, token: &str) -> Presented {
    let headers = &parts.headers;
    // The scheme's name is case-insensitive (RFC 9110).
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token);
    if bearer.is_some_and(|given| same(given.trim(), token)) {
        return Presented::Header;
    }
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(TOKEN_COOKIE)?.strip_prefix('='))
        .any(|given| same(given, token));
    if cookie {
        return Presented::Cookie;
    }
    let query = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.strip_prefix("token="))
        .any(|given| same(given, token));
    if query {
        Presented::Query
    } else {
        Presented::None
    }
}

/// Compares in time that does not depend on where the two differ.
fn same(given: &str, token: &str) -> bool {
    let (given, token) = (given.as_bytes(), token.as_bytes());
    given.len() == token.len()
        && given
            .iter()
            .zip(token)
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::{loopback_host, same, same_origin};

    #[test]
    fn tokens_are_equal_only_when_every_byte_is() {
        assert!(same("0123456789abcdef", "0123456789abcdef"));
        assert!(!same("0123456789abcdeg", "0123456789abcdef"));
        assert!(!same("0123456789abcde", "0123456789abcdef"));
        assert!(!same("", "0123456789abcdef"));
    }

    #[test]
    fn without_a_token_only_loopback_names_are_answered() {
        let host = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static(value));
            headers
        };
        for value in [
            "127.0.0.1:8610",
            "localhost:8610",
            "[::1]:8610",
            "127.0.0.2",
            "LOCALHOST",
        ] {
            assert!(loopback_host(&host(value)), "{value}");
        }
        for value in [
            "evil.example:8610",
            "192.168.1.5:8610",
            "[::2]:80",
            "localhost.evil.example",
        ] {
            assert!(!loopback_host(&host(value)), "{value}");
        }
        assert!(!loopback_host(&HeaderMap::new()));
    }

    #[test]
    fn only_the_servers_own_pages_may_send_requests_from_a_browser() {
        let headers = |origin: Option<&'static str>| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8610"));
            if let Some(origin) = origin {
                headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
            }
            headers
        };
        assert!(same_origin(&headers(None)));
        assert!(same_origin(&headers(Some("http://127.0.0.1:8610"))));
        assert!(!same_origin(&headers(Some("http://127.0.0.1:8611"))));
        assert!(!same_origin(&headers(Some("http://evil.example"))));
        assert!(!same_origin(&headers(Some("null"))));
    }
}

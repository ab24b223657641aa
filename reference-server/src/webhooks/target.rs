//! Where deliveries may go: http(s) URLs whose every address is public, unless the
//! operator's allowlist names the host or the address.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use url::{Host, Url};

/// Why a target is refused; the message is safe to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not a URL, or not http(s), or without a host.
    #[error("must be an absolute http or https URL")]
    Syntax,
    /// Credentials in the URL.
    #[error("must not contain a user name or password")]
    Credentials,
    /// The name does not resolve.
    #[error("the host name does not resolve")]
    Unresolvable,
    /// An address is private, loopback, link-local or otherwise not public.
    #[error("must not point to a private, loopback or link-local address")]
    Private,
}

/// Hosts and addresses allowed although not public (case-insensitive names or IPs).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    entries: Arc<Vec<String>>,
}

impl AllowList {
    /// An allowlist of `entries` (empty strings ignored).
    pub fn new(entries: &[String]) -> AllowList {
        AllowList {
            entries: Arc::new(
                entries
                    .iter()
                    .map(|e| e.trim().trim_matches(['[', ']']).to_ascii_lowercase())
                    .filter(|e| !e.is_empty())
                    .collect(),
            ),
        }
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        self.entries.contains(&host)
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        self.entries
            .iter()
            .any(|e| e.parse::<IpAddr>().is_ok_and(|a| a == ip))
    }

    /// Whether a connection to `ip`, reached through `host`, is allowed.
    pub fn permits(&self, host: &str, ip: IpAddr) -> bool {
        is_public(ip) || self.allows_host(host) || self.allows_ip(ip)
    }
}

/// Checks the URL's form: absolute http(s), a host, no credentials, at most 2048 bytes.
pub fn check_url(text: &str) -> Result<Url, TargetError> {
    if text.len() > 2048 {
        return Err(TargetError::Syntax);
    }
    let url = Url::parse(text).map_err(|_| TargetError::Syntax)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(TargetError::Syntax);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    Ok(url)
}

/// Resolves the URL's host and checks every address against `allow`.
pub async fn check_resolved(url: &Url, allow: &AllowList) -> Result<(), TargetError> {
    let port = url.port_or_known_default().unwrap_or(443);
    let (host, addrs): (String, Vec<IpAddr>) = match url.host() {
        Some(Host::Ipv4(ip)) => (ip.to_string(), vec![IpAddr::V4(ip)]),
        Some(Host::Ipv6(ip)) => (ip.to_string(), vec![IpAddr::V6(ip)]),
        Some(Host::Domain(name)) => {
            let found = tokio::net::lookup_host((name, port))
                .await
                .map_err(|_| TargetError::Unresolvable)?
                .map(|a| a.ip())
                .collect();
            (name.to_owned(), found)
        }
        None => return Err(TargetError::Syntax),
    };
    if addrs.is_empty() {
        return Err(TargetError::Unresolvable);
    }
    if addrs.iter().all(|ip| allow.permits(&host, *ip)) {
        Ok(())
    } else {
        Err(TargetError::Private)
    }
}

/// Whether `ip` is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)) && first == 0)
}

/// A DNS resolver for the delivery client that drops addresses the allowlist does not
/// permit, so a name that changes its answer after registration still cannot reach a
/// private address.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    /// The operator's allowlist.
    pub allow: AllowList,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow.clone();
        let host = name.as_str().to_owned();
        let fut: Pin<Box<dyn Future<Output = _> + Send>> = Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow.permits(&host, a.ip()))
                .collect();
            if found.is_empty() {
                return Err(Box::new(std::io::Error::other(
                    "no permitted address for the target host",
                ))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        });
        fut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_must_be_http_with_a_host_and_no_credentials() {
        assert!(check_url("https://example.com/hook").is_ok());
        assert_eq!(check_url("ftp://example.com"), Err(TargetError::Syntax));
        assert_eq!(check_url("javascript:alert(1)"), Err(TargetError::Syntax));
        assert_eq!(check_url("not a url"), Err(TargetError::Syntax));
        assert_eq!(
            check_url("https://user:pw@example.com"),
            Err(TargetError::Credentials)
        );
    }

    #[tokio::test]
    async fn loopback_needs_the_allowlist() {
        let url = check_url("http://127.0.0.1:9/hook").unwrap();
        assert_eq!(
            check_resolved(&url, &AllowList::default()).await,
            Err(TargetError::Private)
        );
        let allow = AllowList::new(&["127.0.0.1".into()]);
        assert_eq!(check_resolved(&url, &allow).await, Ok(()));
        let url = check_url("http://[::1]:9/hook").unwrap();
        assert_eq!(
            check_resolved(&url, &allow).await,
            Err(TargetError::Private)
        );
    }
}

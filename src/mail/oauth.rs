//! The SASL side of OAuth2 logins, shared by IMAP and SMTP: the client's
//! message for XOAUTH2 (Google's protocol) and OAUTHBEARER (RFC 7628), and the
//! server's error challenge when it refuses the token.

use crate::config::credentials::OAuthMechanism;

/// The client's first (and only) SASL message carrying `token` for `user`.
pub fn initial_response(mechanism: OAuthMechanism, user: &str, token: &str) -> String {
    match mechanism {
        OAuthMechanism::Xoauth2 => format!("user={user}\x01auth=Bearer {token}\x01\x01"),
        OAuthMechanism::Oauthbearer => {
            // GS2 header: ',' and '=' in the authorization identity are escaped.
            let authzid = user.replace('=', "=3D").replace(',', "=2C");
            format!("n,a={authzid},\x01auth=Bearer {token}\x01\x01")
        }
    }
}

/// What the client answers to the server's error challenge, so that the server
/// ends the exchange with its failure reply (XOAUTH2: empty; RFC 7628: `%x01`).
pub fn error_acknowledgement(mechanism: OAuthMechanism) -> &'static str {
    match mechanism {
        OAuthMechanism::Xoauth2 => "",
        OAuthMechanism::Oauthbearer => "\x01",
    }
}

/// The server's decoded error challenge (JSON such as
/// `{"status":"invalid_token","schemes":"bearer"}`) in a few words.
pub fn describe_error_challenge(challenge: &[u8]) -> String {
    let text = String::from_utf8_lossy(challenge);
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(json) => match json.get("status").and_then(|s| s.as_str()) {
            // Google's XOAUTH2 says "401", RFC 7628 "invalid_token".
            Some(status @ ("401" | "invalid_token")) => {
                format!("the token is invalid or expired (server says {status})")
            }
            Some(status) => format!("server says {status}"),
            None => format!("server says {}", text.trim()),
        },
        Err(_) if text.trim().is_empty() => "no reason given".into(),
        Err(_) => format!("server says {}", text.trim()),
    }
}

/// async-imap's view of one token login: the first challenge gets the token,
/// a second one is the server's refusal (kept for the error message).
pub(crate) struct ImapTokenLogin {
    mechanism: OAuthMechanism,
    initial: String,
    sent: bool,
    pub(crate) refusal: Option<String>,
}

impl ImapTokenLogin {
    pub(crate) fn new(mechanism: OAuthMechanism, user: &str, token: &str) -> Self {
        ImapTokenLogin {
            mechanism,
            initial: initial_response(mechanism, user, token),
            sent: false,
            refusal: None,
        }
    }
}

impl async_imap::Authenticator for &mut ImapTokenLogin {
    type Response = Vec<u8>;

    fn process(&mut self, challenge: &[u8]) -> Vec<u8> {
        if !self.sent {
            self.sent = true;
            return self.initial.clone().into_bytes();
        }
        self.refusal = Some(describe_error_challenge(challenge));
        error_acknowledgement(self.mechanism).as_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sasl_messages_follow_the_specs() {
        assert_eq!(
            initial_response(OAuthMechanism::Xoauth2, "ada@example.org", "tok"),
            "user=ada@example.org\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(
            initial_response(OAuthMechanism::Oauthbearer, "a,b=c", "tok"),
            "n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(error_acknowledgement(OAuthMechanism::Oauthbearer), "\x01");
        assert_eq!(
            describe_error_challenge(br#"{"status":"invalid_token","schemes":"bearer"}"#),
            "the token is invalid or expired (server says invalid_token)"
        );
        assert_eq!(
            describe_error_challenge(br#"{"status":"400","schemes":"Bearer"}"#),
            "server says 400"
        );
        assert_eq!(describe_error_challenge(b""), "no reason given");
    }

    #[test]
    fn a_second_challenge_is_the_refusal() {
        use async_imap::Authenticator as _;
        let mut login = ImapTokenLogin::new(OAuthMechanism::Xoauth2, "u", "t");
        let mut auth = &mut login;
        assert_eq!(
            auth.process(b""),
            b"user=u\x01auth=Bearer t\x01\x01".to_vec()
        );
        assert_eq!(auth.process(br#"{"status":"401"}"#), Vec::<u8>::new());
        assert_eq!(
            login.refusal.as_deref(),
            Some("the token is invalid or expired (server says 401)")
        );
    }
}

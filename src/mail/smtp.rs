//! Sending prepared RFC 5322 messages through the account's SMTP server.

//! Reading the answers async-imap has no public reader for (SELECT's data,
//! LIST entries, APPEND's continuation and tagged result).

use async_imap::imap_proto::{self, Response};

use super::{OpError, Session};
use crate::sync::mailbox::MailboxError;

/// Reads SELECT's answer. async-imap's own parser is internal, so collect the
/// untagged data here.
pub(super) async fn read_select(
    s: &mut Session,
    id: imap_proto::RequestId,
) -> Result<async_imap::types::Mailbox, OpError> {
    use imap_proto::{MailboxDatum, ResponseCode, Status};
    let mut mbox = async_imap::types::Mailbox::default();
    loop {
        let resp = s
            .read_response()
            .await?
            .ok_or(OpError::Imap(async_imap::error::Error::ConnectionLost))?;
        match resp.parsed() {
            Response::Done {
                tag,
                status,
                outcome,
            } if *tag == id => {
                let (code, information) = (&outcome.code, &outcome.information);
                if let Some(ResponseCode::HighestModSeq(m)) = code {
                    mbox.highest_modseq = Some(*m);
                }
                return match status {
                    Status::Ok => Ok(mbox),
                    Status::No => Err(async_imap::error::Error::No(
                        information.as_deref().unwrap_or_default().to_string(),
                    )
                    .into()),
                    _ => Err(async_imap::error::Error::Bad(
                        information.as_deref().unwrap_or_default().to_string(),
                    )
                    .into()),
                };
            }
            Response::Data {
                outcome:
                    imap_proto::Outcome {
                        code: Some(code), ..
                    },
                ..
            } => match code {
                ResponseCode::UidValidity(v) => mbox.uid_validity = Some(*v),
                ResponseCode::UidNext(n) => mbox.uid_next = Some(*n),
                ResponseCode::HighestModSeq(m) => mbox.highest_modseq = Some(*m),
                ResponseCode::Unseen(u) => mbox.unseen = Some(*u),
                _ => {}
            },
            Response::MailboxData(MailboxDatum::Exists(n)) => mbox.exists = *n,
            Response::MailboxData(MailboxDatum::Recent(n)) => mbox.recent = *n,
            _ => {}
        }
    }
}

/// Reads a LIST answer: (name, separator) of each entry.
pub(super) async fn read_list(
    s: &mut Session,
    id: imap_proto::RequestId,
) -> Result<Vec<(String, Option<char>)>, OpError> {
    use imap_proto::MailboxDatum;
    let mut out = Vec::new();
    loop {
        let resp = s
            .read_response()
            .await?
            .ok_or(OpError::Imap(async_imap::error::Error::ConnectionLost))?;
        match resp.parsed() {
            Response::Done { tag, .. } if *tag == id => {
                check_done(resp.parsed())?;
                return Ok(out);
            }
            Response::MailboxData(MailboxDatum::List(entry)) => out.push((
                entry.name.to_string(),
                entry.delimiter.as_deref().and_then(|d| d.chars().next()),
            )),
            _ => {}
        }
    }
}

pub(super) async fn wait_continue(
    s: &mut Session,
    id: &imap_proto::RequestId,
) -> Result<(), OpError> {
    loop {
        let resp = s
            .read_response()
            .await?
            .ok_or(OpError::Imap(async_imap::error::Error::ConnectionLost))?;
        match resp.parsed() {
            Response::Continue { .. } => return Ok(()),
            Response::Done { tag, .. } if tag == id => {
                check_done(resp.parsed())?;
                return Err(OpError::Mailbox(MailboxError::Protocol(
                    "server ended APPEND before taking the message".into(),
                )));
            }
            _ => {}
        }
    }
}

pub(super) async fn wait_done(s: &mut Session, id: &imap_proto::RequestId) -> Result<(), OpError> {
    loop {
        let resp = s
            .read_response()
            .await?
            .ok_or(OpError::Imap(async_imap::error::Error::ConnectionLost))?;
        if let Response::Done { tag, .. } = resp.parsed()
            && tag == id
        {
            return check_done(resp.parsed());
        }
    }
}

pub(super) fn check_done(resp: &Response<'_>) -> Result<(), OpError> {
    use imap_proto::{ResponseCode, Status};
    if let Response::Done {
        status, outcome, ..
    } = resp
    {
        let (code, information) = (&outcome.code, &outcome.information);
        let text = information.as_deref().unwrap_or_default().to_string();
        return match status {
            Status::Ok => Ok(()),
            Status::No if matches!(code, Some(ResponseCode::TryCreate)) => Err(OpError::Mailbox(
                MailboxError::NoFolder(format!("(server: {text})")),
            )),
            Status::No => Err(async_imap::error::Error::No(text).into()),
            _ => Err(async_imap::error::Error::Bad(text).into()),
        };
    }
    Ok(())
}

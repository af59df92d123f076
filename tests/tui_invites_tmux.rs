//! End-to-end through real Dovecot + Postfix and the TUI (driven through tmux): an
//! invitation arrives, `s` syncs (which scans INBOX), the Calendar tab shows the
//! badge, the Sync tab lists the invitation with the event it overlaps, `y` opens
//! the answer dialog: another calendar and a comment are chosen, Enter accepts:
//! the event is in that calendar and the organizer's REPLY carries the comment.

mod support;

use std::time::Duration;

use support::mailserver::MailServer;
use support::pim::Pim;
use support::tmux::Tmux;

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:tui-invite@example.test\r\nSEQUENCE:0\r\n\
DTSTAMP:20261125T100000Z\r\nDTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\n\
SUMMARY:Roadmap review\r\nORGANIZER:mailto:bob@example.test\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:test@example.test\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

fn message() -> Vec<u8> {
    format!(
        "From: bob@example.test\r\nTo: test@example.test\r\n\
         Subject: Invitation: Roadmap review\r\nMessage-ID: <tui-1@example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n\r\n\
         {CALENDAR}--B\r\nContent-Type: application/pdf; name=\"agenda.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"agenda.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n"
    )
    .into_bytes()
}

#[test]
fn accept_an_invitation_in_the_tui() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "test", "newest");
    let b = Pim::mail_profile(server, "test", "newest");
    a.pair(&b);
    a.ok(&[
        "add",
        "event",
        "--summary",
        "Dentist",
        "--start",
        "2027-03-01 09:30",
        "--end",
        "2027-03-01 10:30",
    ]);
    a.ok(&["collections", "add", "events", "work"]);
    server.deliver_smtp("bob@example.test", &["test@example.test"], &message());
    assert_eq!(
        server.wait_for_count("test", "INBOX", 1, Duration::from_secs(20)),
        1
    );

    let tmux = Tmux::new("pim-invites");
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        a.shell_line(&[])
    ));
    tmux.keys(&["5"]);
    tmux.wait_for("State         ready");
    tmux.keys(&["s"]);
    tmux.wait_for("1 new invitations");
    tmux.wait_for("Calendar (1)");
    tmux.wait_for("Invitations (1 to answer)");
    tmux.wait_for("Roadmap review");
    tmux.wait_for("09:30 Dentist");
    tmux.wait_for("agenda.pdf");
    tmux.keys(&["y"]);
    tmux.wait_for("Accept: Roadmap review");
    tmux.keys(&["Right"]);
    tmux.wait_for("Calendar     work");
    tmux.keys(&["Tab"]);
    tmux.text("I can stay 30 minutes");
    tmux.wait_for("Comment      I can stay 30 minutes");
    tmux.keys(&["Enter"]);
    tmux.wait_for("accepted invitation 1");
    tmux.wait_for("Invitations (0 to answer)");
    assert!(!tmux.screen().contains("Calendar (1)"), "the badge is gone");
    tmux.keys(&["q"]);
    tmux.wait_exit();

    let list = a.json(&["invites", "list", "--json"]);
    assert_eq!(list[0]["status"], "accepted", "{list}");
    assert_eq!(list[0]["our_answer"], "ACCEPTED");
    let event = list[0]["event_id"].as_str().unwrap();
    assert_eq!(a.json(&["show", event, "--json"])["collection"], "work");
    assert_eq!(server.count("test", "PIM/Parked"), 1);
    assert_eq!(
        server.wait_for_count("bob", "INBOX", 1, Duration::from_secs(20)),
        1
    );
    let reply = String::from_utf8_lossy(&server.messages("bob", "INBOX")[0]).into_owned();
    assert!(reply.contains("METHOD:REPLY"), "{reply}");
    assert!(reply.contains("PARTSTAT=ACCEPTED"), "{reply}");
    let unfolded = reply.replace("\r\n ", "");
    assert!(
        unfolded.contains("COMMENT:I can stay 30 minutes"),
        "{reply}"
    );
}

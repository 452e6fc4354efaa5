//! Mail over SMTP never puts the password or the mail on the wire without TLS, unless the operator opts in
//! to plain SMTP for a relay on this machine. The server here is a real (tiny) SMTP server on a local port
//! that offers no STARTTLS, as the attack used.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use samenspel::config::MailConfig;
use samenspel::mail::{Mail, Mailer};

/// Answers one SMTP session's line as a server without STARTTLS would; None to say nothing.
fn reply(line: &str, in_data: &mut bool) -> Option<&'static [u8]> {
    if *in_data {
        if line == ".\r\n" {
            *in_data = false;
            return Some(b"250 queued\r\n");
        }
        return None;
    }
    let upper = line.to_ascii_uppercase();
    Some(if upper.starts_with("EHLO") {
        b"250-localhost\r\n250 AUTH PLAIN LOGIN\r\n"
    } else if upper.starts_with("DATA") {
        *in_data = true;
        b"354 go ahead\r\n"
    } else if upper.starts_with("AUTH") {
        b"235 accepted\r\n"
    } else if upper.starts_with("QUIT") {
        b"221 bye\r\n"
    } else {
        b"250 ok\r\n"
    })
}

/// A local SMTP server without STARTTLS: its port, and every line it heard.
fn plain_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let log = heard.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let _ = stream.write_all(b"220 localhost ESMTP\r\n");
                let (mut line, mut in_data) = (String::new(), false);
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    log.lock().unwrap().push(line.clone());
                    if let Some(answer) = reply(&line, &mut in_data) {
                        let _ = stream.write_all(answer);
                    }
                    line.clear();
                }
            });
        }
    });
    (port, heard)
}

fn mail() -> Mail {
    Mail {
        to: "ahmed@vt.example".into(),
        subject: "Uitnodiging".into(),
        text: "Geheime inhoud".into(),
        html: "<p>Geheime inhoud</p>".into(),
        attachments: Vec::new(),
    }
}

fn send_to(url: String) -> anyhow::Result<()> {
    Mailer::from_config(&MailConfig::Smtp(url))?
        .send("Samenspel <noreply@samenspel.example>", &mail())
}

/// The attack: `smtp://user:pass@host` (the form the help text shows) to a server without STARTTLS.
/// Nothing is sent: no AUTH with the password, no mail.
#[test]
fn smtp_without_starttls_sends_neither_the_password_nor_the_mail() {
    let (port, heard) = plain_server();
    let sent = send_to(format!("smtp://user:geheim@127.0.0.1:{port}"));
    assert!(sent.is_err(), "mail went out without TLS");
    let heard = heard.lock().unwrap().concat();
    assert!(!heard.to_ascii_uppercase().contains("AUTH"), "{heard}");
    assert!(
        !heard.contains("Geheime inhoud") && !heard.contains("DATA"),
        "{heard}"
    );
}

/// The opt-in for a relay on this machine works, so the refusal above is the TLS rule, not a broken
/// server.
#[test]
fn plain_smtp_goes_only_to_a_local_relay_that_was_asked_for() {
    let (port, heard) = plain_server();
    send_to(format!("smtp://127.0.0.1:{port}?tls=none")).unwrap();
    assert!(heard.lock().unwrap().concat().contains("Geheime inhoud"));
    for refused in [
        "smtp://user:pass@mail.example:587?tls=none",
        "smtp://user:pass@mail.example:587?tls=opportunistic",
    ] {
        let e = send_to(refused.to_string()).unwrap_err().to_string();
        assert!(e.contains("tls="), "{refused}: {e}");
    }
}

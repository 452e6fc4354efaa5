//! A slow sender cannot hold a connection: a request body that trickles in is cut off at the deadline
//! (`SAMENSPEL_BODY_DEADLINE_SECONDS`) with 408, while the live room's WebSocket, which has no body, is
//! left alone.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::TestApp;

/// The attack: a POST that announces 200 bytes and sends one every 200 ms (40 s in all). With a deadline
/// of one second the server answers 408 and closes long before the sender is done.
#[actix_web::test]
async fn a_body_sent_byte_by_byte_is_cut_off_at_the_deadline() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_BODY_DEADLINE_SECONDS", "1")]).await;
    let addr = app.base_url.trim_start_matches("http://").to_string();
    // A visitor's CSRF cookie, so the form is read (and not refused before its body).
    let login = reqwest::get(format!("{}/inloggen", app.base_url))
        .await
        .unwrap();
    let token = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("samenspel_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let form = format!("csrf_token={token}&email=a");
        let head = format!(
            "POST /inloggen HTTP/1.1\r\nHost: {addr}\r\nCookie: samenspel_csrf={token}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len() + 200
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = Vec::new();
        for _ in 0..200 {
            if stream.write_all(b"a").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
            let mut buf = [0u8; 4096];
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    break;
                }
                Err(_) => {}
            }
        }
        String::from_utf8_lossy(&answer).to_string()
    })
    .await
    .unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "the server kept reading the slow body: {answer:?}"
    );
}

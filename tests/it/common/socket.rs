//! A live meeting socket as a browser opens it, and what tests read from its messages.

/// The fragments of a live message as text: each target and its HTML, a line each.
pub fn html_of(message: &serde_json::Value) -> String {
    message["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["target"].as_str().unwrap(),
                f["html"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A participant's WebSocket to a meeting's live room, as a browser would open it.
pub struct Socket {
    framed: actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>,
}

impl Socket {
    pub async fn open(base_url: &str, meeting: i64, session_token: &str, after: i64) -> Socket {
        let path = format!("/bijeenkomsten/{meeting}/live?after={after}");
        Socket::open_at(base_url, &path, session_token).await
    }

    /// A socket at another live address (the family's room), with the session's cookie.
    pub async fn open_at(base_url: &str, path: &str, session_token: &str) -> Socket {
        let url = format!("{}{path}", base_url.replacen("http", "ws", 1));
        let (response, framed) = awc::Client::new()
            .ws(url)
            .header("Cookie", format!("samenspel_session={session_token}"))
            .connect()
            .await
            .expect("websocket upgrade");
        assert_eq!(response.status().as_u16(), 101);
        Socket { framed }
    }

    /// The next message that belongs to an event (presence updates are skipped), or None after `wait`.
    pub async fn next_event(&mut self, wait: std::time::Duration) -> Option<serde_json::Value> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.framed.next())
                .await
                .ok()??;
            if let Ok(awc::ws::Frame::Text(bytes)) = frame {
                let value: serde_json::Value =
                    serde_json::from_slice(&bytes).expect("JSON message");
                if !value["event"].is_null() {
                    return Some(value);
                }
            }
        }
    }

    /// Reads until the server closes the socket and returns its close code; None when no close frame
    /// came within `wait` (or the connection just ended without one).
    pub async fn close_code(&mut self, wait: std::time::Duration) -> Option<u16> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.framed.next())
                .await
                .ok()??;
            if let Ok(awc::ws::Frame::Close(reason)) = frame {
                return reason.map(|r| u16::from(r.code));
            }
        }
    }

    /// Waits until the server's side of the socket has caught up from the event log and forwards live
    /// messages: it answers a ping only from then on. (Until then an event reaches this socket through
    /// the catch-up, drawn in full, not as the room's live message.) Messages before the answer are
    /// skipped: call it before anything is expected.
    pub async fn caught_up(&mut self, wait: std::time::Duration) {
        use futures_util::{SinkExt, StreamExt};
        self.framed
            .send(awc::ws::Message::Ping(actix_web::web::Bytes::from_static(
                b"caught up?",
            )))
            .await
            .expect("ping");
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.framed.next()).await {
                Ok(Some(Ok(awc::ws::Frame::Pong(_)))) => return,
                Ok(Some(Ok(_))) => continue,
                _ => panic!("the socket did not catch up within {wait:?}"),
            }
        }
    }

    /// Reads messages until one of `kind` arrives (or panics after `wait`).
    pub async fn until_kind(&mut self, kind: &str, wait: std::time::Duration) -> serde_json::Value {
        loop {
            match self.next_event(wait).await {
                Some(m) if m["kind"] == kind => return m,
                Some(_) => continue,
                None => panic!("no {kind} message within {wait:?}"),
            }
        }
    }
}

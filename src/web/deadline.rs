//! A request body must arrive within a deadline (`SAMENSPEL_BODY_DEADLINE_SECONDS`, default 10 s from the
//! moment the request reached the application): a body that trickles in byte by byte is cut off with
//! 408 and the connection freed, so slow senders cannot hold the server's connections open. Requests
//! without a body (GET, HEAD, and so the WebSocket upgrade, whose stream is the live room) are left
//! alone.

use std::io;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::rt::time::{Instant, timeout};
use actix_web::web;
use futures_util::StreamExt;

use super::AppState;

/// The message of the error a late body ends with; `AppError::from_payload` turns it into a 408.
pub const TOO_SLOW: &str = "request body too slow";

pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.body_deadline)
            .unwrap_or(std::time::Duration::from_secs(10));
        let deadline = Instant::now() + limit;
        let payload = req.take_payload();
        let timed = futures_util::stream::unfold(Some(payload), move |state| async move {
            let mut payload = state?;
            let left = deadline.saturating_duration_since(Instant::now());
            match timeout(left, payload.next()).await {
                Ok(Some(chunk)) => Some((chunk, Some(payload))),
                Ok(None) => None,
                Err(_) => Some((
                    Err(PayloadError::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        TOO_SLOW,
                    ))),
                    None,
                )),
            }
        });
        req.set_payload(Payload::Stream {
            payload: Box::pin(timed),
        });
    }
    next.call(req).await
}

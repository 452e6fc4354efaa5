//! Outgoing mail through lettre: SMTP when configured, otherwise a file outbox; tests capture in memory.
//!
//! Sending blocks (network or disk): call `send` on the blocking pool.

use std::sync::{Arc, Mutex};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::config::MailConfig;

/// A message to send: plain text and HTML parts of the same content, and any attachments.
#[derive(Clone, Debug, Default)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
}

/// Text made safe for the HTML part of a mail.
pub fn escape_html(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// The language a person reads their mail in: their own choice, else Dutch.
pub fn i18n_for(to: &crate::domain::user::User) -> crate::i18n::I18n {
    crate::i18n::I18n::new(
        to.locale
            .as_deref()
            .and_then(crate::i18n::Locale::from_code)
            .unwrap_or_default(),
    )
}

/// A mail of one paragraph and one link, ending with the automatic-mail line, as text and as HTML.
pub fn with_link(
    to: &crate::domain::user::User,
    i18n: &crate::i18n::I18n,
    subject: String,
    body: &str,
    link: &str,
) -> Mail {
    let footer = i18n.t("mail.automatic");
    Mail {
        to: to.email.clone(),
        subject,
        text: format!("{body}\n\n{link}\n\n{footer}"),
        html: format!(
            "<p>{}</p><p><a href=\"{}\">{}</a></p><p>{}</p>",
            escape_html(body),
            escape_html(link),
            escape_html(link),
            escape_html(&footer)
        ),
        attachments: Vec::new(),
    }
}

#[derive(Clone, Debug)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(SmtpTransport),
    Outbox(FileTransport),
    Capture(Arc<Mutex<Vec<Mail>>>),
}

impl Mailer {
    pub fn from_config(config: &MailConfig) -> anyhow::Result<Mailer> {
        Ok(match config {
            MailConfig::Smtp(url) => {
                let url =
                    crate::config::smtp_url(url).map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?;
                Mailer::Smtp(
                    SmtpTransport::from_url(&url)
                        .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
                        .build(),
                )
            }
            MailConfig::Outbox(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    anyhow::anyhow!("SAMENSPEL_OUTBOX_DIR: cannot create {}: {e}", dir.display())
                })?;
                Mailer::Outbox(FileTransport::new(dir))
            }
            MailConfig::Capture => Mailer::Capture(Arc::default()),
        })
    }

    pub fn send(&self, from: &str, mail: &Mail) -> anyhow::Result<()> {
        match self {
            Mailer::Capture(sent) => {
                sent.lock()
                    .map_err(|_| anyhow::anyhow!("mail capture poisoned"))?
                    .push(mail.clone());
            }
            Mailer::Smtp(t) => {
                t.send(&build(from, mail)?)?;
            }
            Mailer::Outbox(t) => {
                t.send(&build(from, mail)?)?;
            }
        }
        Ok(())
    }

    /// What was sent so far (capture only; empty otherwise).
    pub fn captured(&self) -> Vec<Mail> {
        match self {
            Mailer::Capture(sent) => sent.lock().map(|s| s.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

fn build(from: &str, mail: &Mail) -> anyhow::Result<Message> {
    let body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
    let builder = Message::builder()
        .from(from.parse::<Mailbox>()?)
        .to(mail.to.parse::<Mailbox>()?)
        .subject(&mail.subject);
    if mail.attachments.is_empty() {
        return Ok(builder.multipart(body)?);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for a in &mail.attachments {
        mixed = mixed.singlepart(
            lettre::message::Attachment::new(a.filename.clone())
                .body(a.content.clone(), ContentType::parse(&a.content_type)?),
        );
    }
    Ok(builder.multipart(mixed)?)
}

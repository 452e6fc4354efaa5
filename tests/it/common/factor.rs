//! The second factor as the tests answer it: an authenticator app in code. The login helpers enrol an
//! account whose organisation requires a second factor (reading the secret from the enrolment page, as
//! a person types it into their app) and answer the second step with a code computed from it, the way
//! an app does (`totp-rs`). Each test server keeps its accounts' secrets, with the last time step
//! used: a code is never given twice, the server would refuse it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;

use super::{Client, Page};

/// An account's second factor as its "phone" knows it.
#[derive(Clone, Debug)]
pub struct Phone {
    /// The secret, base32 as the page shows it (without its spaces).
    pub secret: String,
    /// The recovery codes shown at enrolment.
    pub recovery_codes: Vec<String>,
    /// The last time step a code was given for.
    pub last_step: u64,
}

/// The phones of one test server's accounts, by email address, reading the server's clock (a test
/// that moves it moves the codes too, as if the phone had travelled along).
pub struct PhoneBook {
    clock: samenspel::time::Clock,
    phones: Mutex<HashMap<String, Phone>>,
}

pub type Phones = Arc<PhoneBook>;

impl PhoneBook {
    pub fn new(clock: samenspel::time::Clock) -> Phones {
        Arc::new(PhoneBook {
            clock,
            phones: Mutex::default(),
        })
    }

    /// The current time step of the server's clock.
    pub fn current_step(&self) -> u64 {
        self.clock.now().and_utc().timestamp() as u64 / 30
    }
}

/// The TOTP code of `secret` for time step `step` (30 seconds each), as an authenticator app shows it.
pub fn code_at(secret: &str, step: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("a base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .expect("a TOTP");
    totp.generate(step * 30).to_string()
}

/// The secret shown on an enrolment page, without the spaces between its groups.
pub fn secret_on(page: &Page) -> String {
    page.text("#geheim")
        .expect("the enrolment page shows the secret")
        .split_whitespace()
        .collect()
}

/// The recovery codes shown on the page after enrolment.
pub fn recovery_codes_on(page: &Page) -> Vec<String> {
    let html = page.html();
    let sel = scraper::Selector::parse(".ss-codes code").unwrap();
    html.select(&sel).map(super::folded_text).collect()
}

impl Client {
    /// A fresh code for `email`'s second factor: the current step, or the next one (the server accepts
    /// one step either way) when the current one was used; when both were, waits for the next step.
    pub async fn next_code(&self, email: &str) -> String {
        loop {
            let now = self.phones.current_step();
            let chosen = {
                let mut phones = self.phones.phones.lock().unwrap();
                let phone = phones
                    .get_mut(email)
                    .expect("the account has a second factor");
                let step = (now..=now + 1).find(|s| *s > phone.last_step);
                if let Some(step) = step {
                    phone.last_step = step;
                }
                step.map(|s| code_at(&phone.secret, s))
            };
            if let Some(code) = chosen {
                return code;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    /// The account's phone, if the tests enrolled it.
    pub fn phone(&self, email: &str) -> Option<Phone> {
        self.phones.phones.lock().unwrap().get(email).cloned()
    }

    /// The current time step of the server's clock.
    pub fn current_step(&self) -> u64 {
        self.phones.current_step()
    }

    /// Sets up a second factor on the enrolment page shown (during login, or after the account page's
    /// "instellen"), answering with a first code to `action`; returns the page of recovery codes and
    /// keeps the phone.
    pub async fn enrol_on(&self, email: &str, enrol_page: &Page, action: &str) -> Page {
        let secret = secret_on(enrol_page);
        let step = self.phones.current_step();
        let code = code_at(&secret, step);
        let done = self
            .post(
                action,
                &[("csrf_token", &enrol_page.csrf()), ("code", &code)],
            )
            .await;
        assert_eq!(
            done.status,
            StatusCode::OK,
            "enrolment of {email}: {}",
            done.visible_text()
        );
        let phone = Phone {
            secret,
            recovery_codes: recovery_codes_on(&done),
            last_step: step,
        };
        assert_eq!(phone.recovery_codes.len(), 10, "ten recovery codes");
        self.phones
            .phones
            .lock()
            .unwrap()
            .insert(email.to_string(), phone);
        done
    }

    /// After a right password (`first`, the answer to the login form): the second step, with a code or
    /// by setting up a second factor, as the server asks. Returns the last answer.
    pub async fn second_step(&self, email: &str, first: Page) -> Page {
        match first.location.as_deref() {
            Some("/inloggen/tweede-stap") => {
                let page = self.get("/inloggen/tweede-stap").await;
                let code = self.next_code(email).await;
                self.post(
                    "/inloggen/tweede-stap",
                    &[("csrf_token", &page.csrf()), ("code", &code)],
                )
                .await
            }
            Some("/inloggen/tweede-factor") => {
                let page = self.get("/inloggen/tweede-factor").await;
                self.enrol_on(email, &page, "/inloggen/tweede-factor").await
            }
            _ => first,
        }
    }
}

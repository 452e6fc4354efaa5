//! The test harness: a real Samenspel server on a free port with a fresh database per test.
//!
//! SQLite: a new file in a temporary folder. PostgreSQL: when TEST_DATABASE_URL is set, a new database
//! is created on that server for each test and dropped afterwards.
//!
//! Beside it, the fixtures the test modules share (a test module imports from here, never from another
//! test module): `world`, the people, families and table of the tests; `meeting`, steps through the
//! meeting pages; `portal`, family members and their portal accounts; `api`, calls to the partner API;
//! `access`, every kind of actor and what each may do; `actors`, a world where each actor has something
//! to try; `gelderland`, that world's partnership B, where none of the actors works.

pub mod access;
pub mod actors;
pub mod api;
pub mod factor;
pub mod gelderland;
pub mod meeting;
pub mod oidc;
pub mod portal;
pub mod socket;
pub mod world;
pub use socket::{Socket, html_of};

use std::collections::HashMap;
use std::net::TcpListener;

use diesel::prelude::*;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use samenspel::config::{Config, MailConfig};
use samenspel::db::{self, DbConn, Pool};
use samenspel::domain::organisation::{self, OrganisationKind};
use samenspel::domain::user::{self, NewUser, Role, User};
use samenspel::mail::{Mail, Mailer};
use samenspel::time::Clock;

pub const PASSWORD: &str = "een lang genoeg wachtwoord";

/// The server's count of password checks at login.
pub type PasswordChecks = std::sync::Arc<std::sync::atomic::AtomicU64>;

/// The partnership every database starts with (made by the migrations, every organisation in it).
pub const DEFAULT_PARTNERSHIP: i64 = 1;

pub struct TestApp {
    pub base_url: String,
    pub database_url: String,
    pub pool: Pool,
    pub mailer: Mailer,
    /// The server's clock: move it to see what happens later (deadlines, expiry, digests).
    pub clock: Clock,
    /// How many passwords the server has checked at login (see `AppState::password_checks`).
    pub password_checks: PasswordChecks,
    // Declared before the database: dropped first, the server lets go of the database before it goes.
    running: Running,
    pub database: TestDatabase,
    vars: HashMap<String, String>,
    /// The second factors of its accounts, as their phones know them (`factor`).
    phones: factor::Phones,
}

/// A server on its own thread and runtime, as the binary runs it. Stopping it stops everything on
/// that runtime (the webhook sender too) and the live room's threads.
struct Running {
    server: actix_web::dev::ServerHandle,
    system: actix_web::rt::System,
    thread: Option<std::thread::JoinHandle<()>>,
    live: std::sync::Arc<samenspel::live::Hub>,
}

impl Running {
    fn start(
        state: samenspel::AppState,
        listener: TcpListener,
        workers: usize,
        webhooks: bool,
    ) -> Running {
        let live = state.live.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                // As the binary starts it; housekeeping runs only when a test calls it, so mail counts
                // do not depend on the time of day.
                let how = samenspel::Serving {
                    workers: Some(workers),
                    signals: false,
                    housekeeping: false,
                    webhooks,
                };
                let server = samenspel::start(state, listener, how).expect("listen");
                tx.send((server.handle(), actix_web::rt::System::current()))
                    .unwrap();
                let _ = server.await;
            });
            // Leaving the thread drops the runtime and every task still on it.
        });
        let (server, system) = rx.recv().expect("server started");
        Running {
            server,
            system,
            thread: Some(thread),
            live,
        }
    }

    /// Stops the server and waits until its runtime is gone: nothing of it runs on afterwards.
    async fn stop(&mut self) {
        self.server.stop(false).await;
        self.system.stop();
        if let Some(thread) = self.thread.take() {
            actix_web::web::block(move || thread.join())
                .await
                .expect("join the server thread")
                .expect("the server thread ended cleanly");
        }
        self.live.stop();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Sent at once; the server stops on its own thread.
        drop(self.server.stop(false));
        self.system.stop();
        // Before the database goes: the live threads hold connections to it.
        self.live.stop();
    }
}

/// A listener on this port, or on a free one; the address may be busy for a moment after a stop.
fn listen_on(port: u16) -> TcpListener {
    let address: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
            .expect("a socket");
        socket.set_reuse_address(true).expect("reuse the address");
        match socket
            .bind(&address.into())
            .and_then(|_| socket.listen(1024))
        {
            Ok(()) => return socket.into(),
            Err(e) if std::time::Instant::now() > deadline => panic!("listen on {address}: {e}"),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

/// The settings of a test server at `base_url`: these variables, mail captured. A test that sets
/// SAMENSPEL_BASE_URL itself (a production address behind a proxy, say) keeps it; links in mail and
/// documents then name that address, not the test server's.
fn test_config(vars: &HashMap<String, String>, base_url: &str) -> Config {
    let mut vars = vars.clone();
    vars.entry("SAMENSPEL_BASE_URL".to_string())
        .or_insert_with(|| base_url.to_string());
    let mut config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
    config.mail = MailConfig::Capture;
    config
}

/// Starts a server with these settings (on `port`, or a free one), with the webhook sender beside it.
fn launch(
    vars: &HashMap<String, String>,
    port: u16,
    clock: &Clock,
) -> (String, Pool, Mailer, PasswordChecks, Running) {
    let listener = listen_on(port);
    let port = listener.local_addr().unwrap().port();
    let base_url = format!("http://127.0.0.1:{port}");
    let config = test_config(vars, &base_url);
    let mailer = Mailer::from_config(&config.mail).unwrap();
    let state = samenspel::build_state(config, mailer.clone(), clock.clone()).expect("app state");
    let pool = state.pool.clone();
    let checks = state.password_checks.clone();
    (
        base_url,
        pool,
        mailer,
        checks,
        Running::start(state, listener, 2, true),
    )
}

pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDatabase {
    pub fn create() -> (TestDatabase, String) {
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            Some(admin_url) => {
                let name = format!("samenspel_test_{}", random_suffix());
                let mut admin = diesel::PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not connect: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&format!("/{name}"));
                (TestDatabase::Postgres { admin_url, name }, url.to_string())
            }
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("samenspel.db");
                let url = format!("sqlite://{}", path.display());
                (TestDatabase::Sqlite { _dir: dir, path }, url)
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDatabase::Postgres { .. })
    }

    /// Takes the database away under the running app: the SQLite file is deleted, the PostgreSQL
    /// database dropped with its connections.
    pub fn destroy(&self) {
        match self {
            TestDatabase::Sqlite { path, .. } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            TestDatabase::Postgres { admin_url, name } => {
                if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // A SQLite folder removes itself (TempDir); a PostgreSQL database has to be dropped.
        if self.is_postgres() {
            self.destroy();
        }
    }
}

fn random_suffix() -> String {
    samenspel::auth::random_token()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect::<String>()
        .to_lowercase()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Starts the app with extra settings (environment variable names and values).
    pub async fn spawn_with(settings: &[(&str, &str)]) -> TestApp {
        let (database, url) = TestDatabase::create();
        let mut vars: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".to_string(), url),
            ("SAMENSPEL_DB_POOL_SIZE".to_string(), "4".to_string()),
            // Tests not about the second factor log in with a password alone; those about it (and the
            // authorization matrix) ask for `required`.
            (
                "SAMENSPEL_SECOND_FACTOR".to_string(),
                "optional".to_string(),
            ),
        ]);
        for (k, v) in settings {
            vars.insert(k.to_string(), v.to_string());
        }
        let database_url = vars["DATABASE_URL"].clone();
        let clock = Clock::wall();
        let (base_url, pool, mailer, password_checks, running) = launch(&vars, 0, &clock);
        let phones = factor::PhoneBook::new(clock.clone());
        TestApp {
            base_url,
            database_url,
            pool,
            mailer,
            clock,
            password_checks,
            database,
            running,
            vars,
            phones,
        }
    }

    /// Stops the in-process server (and its webhook sender) and keeps its database, for a test that
    /// serves it otherwise.
    pub async fn stop_server(&mut self) {
        self.running.stop().await;
    }

    /// Stops the server and everything on its runtime, as a crash or a deploy would, and starts a new
    /// one on the same database at the same address.
    pub async fn restart(&mut self) {
        self.running.stop().await;
        let port = url::Url::parse(&self.base_url)
            .unwrap()
            .port()
            .expect("a port");
        let (base_url, pool, mailer, checks, running) = launch(&self.vars, port, &self.clock);
        assert_eq!(base_url, self.base_url);
        self.pool = pool;
        self.mailer = mailer;
        self.password_checks = checks;
        self.running = running;
    }

    /// One round of the server's hourly housekeeping, now (the test server does not run it by itself).
    /// How many expired rows it removed.
    pub fn housekeeping(&self) -> usize {
        let config = self.config();
        self.clock
            .run(|| samenspel::housekeeping(&self.pool, &self.mailer, &config))
            .expect("housekeeping")
    }

    fn config(&self) -> Config {
        test_config(&self.vars, &self.base_url)
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<samenspel::db::Manager> {
        self.pool.get().expect("test connection")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn client(&self) -> Client {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Client {
            http: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                // The server closes a connection idle for 5 s; a client that reuses it at that moment
                // gets "incomplete message". Drop idle connections well before, as browsers retry.
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .unwrap(),
            jar,
            base_url: self.base_url.clone(),
            phones: self.phones.clone(),
        }
    }

    /// The organisation of that name; a new one takes part in the partnership every database starts
    /// with (`DEFAULT_PARTNERSHIP`).
    pub fn organisation(&self, name: &str, kind: OrganisationKind) -> i64 {
        self.organisation_in(name, kind, DEFAULT_PARTNERSHIP)
    }

    /// The organisation of that name; a new one takes part in `partnership` only.
    pub fn organisation_in(&self, name: &str, kind: OrganisationKind, partnership: i64) -> i64 {
        let mut conn = self.conn();
        match organisation::find_by_name(&mut conn, name).unwrap() {
            Some(o) => o.id,
            None => {
                let id = organisation::create(&mut conn, name, kind, None)
                    .unwrap()
                    .id;
                samenspel::domain::partnership::add_organisation(&mut conn, partnership, id)
                    .unwrap();
                id
            }
        }
    }

    /// The partnership of that name, made (with its own table kinds) when it does not exist yet.
    pub fn partnership(&self, name: &str) -> i64 {
        use samenspel::domain::partnership;
        let mut conn = self.conn();
        match partnership::find_by_name(&mut conn, name).unwrap() {
            Some(p) => p.id,
            None => {
                db::write(&mut conn, |conn| partnership::create(conn, name))
                    .unwrap()
                    .id
            }
        }
    }

    /// A coordinator of `partnership`: a professional of the safety house `organisation`, which takes
    /// part in it. Returns the account's id.
    pub fn coordinator(
        &self,
        email: &str,
        name: &str,
        organisation: &str,
        partnership: i64,
    ) -> i64 {
        self.organisation_in(organisation, OrganisationKind::SafetyHouse, partnership);
        let id = self
            .user(email, name, Role::Professional, Some(organisation))
            .id;
        samenspel::domain::partnership::add_coordinator(&mut self.conn(), partnership, id).unwrap();
        id
    }

    /// An account with PASSWORD; professionals and org admins get an organisation of that name.
    pub fn user(&self, email: &str, name: &str, role: Role, organisation: Option<&str>) -> User {
        let organisation_id =
            organisation.map(|o| self.organisation(o, OrganisationKind::VeiligThuis));
        let hash = samenspel::auth::password::hash(PASSWORD).unwrap();
        user::create(
            &mut self.conn(),
            NewUser {
                organisation_id,
                email,
                name,
                role,
                password_hash: Some(&hash),
            },
        )
        .unwrap()
    }

    pub fn professional(&self) -> User {
        self.user(
            "ahmed.benali@veiligthuis.example",
            "Ahmed Benali",
            Role::Professional,
            Some("Veilig Thuis Zuid-Holland Zuid"),
        )
    }

    /// The id of the account with this address.
    pub fn id_of(&self, email: &str) -> i64 {
        samenspel::domain::user::find_by_email(&mut self.conn(), email)
            .unwrap()
            .unwrap()
            .id
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mailer.captured()
    }

    /// The mails sent so far, once there are at least `n` (mail sent after the answer comes a moment
    /// later); the test fails when they do not come within ten seconds.
    pub async fn wait_for_mails(&self, n: usize) -> Vec<Mail> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} mails, waited for {n}",
                mails.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Holds the captured mailbox: no mail can be delivered until the hold is dropped. A request that
    /// answers while the mailbox is held did not wait for its mail.
    pub fn hold_mail(&self) -> MailHold {
        let Mailer::Capture(sent) = &self.mailer else {
            panic!("tests capture mail")
        };
        let sent = sent.clone();
        let (held, is_held) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let _guard = sent.lock().unwrap_or_else(|p| p.into_inner());
            held.send(()).expect("the test waits for the hold");
            let _ = released.recv();
        });
        is_held.recv().expect("the mailbox is held");
        MailHold {
            release: Some(release),
            thread: Some(thread),
        }
    }

    pub fn count(&self, table: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let conn: &mut DbConn = &mut self.conn();
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(conn)
            .unwrap()
            .n
    }
}

/// The mailbox held by a test (see `TestApp::hold_mail`); dropping it lets mail through again.
pub struct MailHold {
    release: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for MailHold {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A second instance of the app on the same database, as behind a load balancer.
pub struct Instance {
    pub base_url: String,
    _running: Running,
}

impl TestApp {
    pub fn second_instance(&self) -> Instance {
        let listener = listen_on(0);
        let base_url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", self.database_url.clone()),
            ("SAMENSPEL_BASE_URL", base_url.clone()),
            ("SAMENSPEL_DB_POOL_SIZE", "4".to_string()),
            (
                "SAMENSPEL_SECOND_FACTOR",
                self.vars["SAMENSPEL_SECOND_FACTOR"].clone(),
            ),
        ]);
        let mut config = Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
        config.mail = MailConfig::Capture;
        let state = samenspel::build_state(
            config,
            Mailer::from_config(&MailConfig::Capture).unwrap(),
            self.clock.clone(),
        )
        .unwrap();
        Instance {
            base_url,
            _running: Running::start(state, listener, 1, false),
        }
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub struct Client {
    pub http: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    base_url: String,
    phones: factor::Phones,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// The text of the first element matching `selector`, whitespace folded.
    pub fn text(&self, selector: &str) -> Option<String> {
        let html = self.html();
        let sel = scraper::Selector::parse(selector).unwrap();
        html.select(&sel).next().map(folded_text)
    }

    /// The value attribute of the first element matching `selector`.
    pub fn value(&self, selector: &str) -> Option<String> {
        let html = self.html();
        let sel = scraper::Selector::parse(selector).unwrap();
        html.select(&sel)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_string))
    }

    pub fn csrf(&self) -> String {
        self.value("input[name=csrf_token]")
            .expect("page has a CSRF field")
    }

    /// The question the form that posts to `action` asks before it is sent (its `data-confirm`; empty
    /// when it asks none), or None when the page has no such form.
    pub fn confirmation_of(&self, action: &str) -> Option<String> {
        let selector = scraper::Selector::parse(&format!("form[action=\"{action}\"]")).unwrap();
        self.html().select(&selector).next().map(|f| {
            f.value()
                .attr("data-confirm")
                .unwrap_or_default()
                .to_string()
        })
    }

    /// All visible text, whitespace folded: what a reader sees.
    pub fn visible_text(&self) -> String {
        self.text("body").unwrap_or_default()
    }
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The same browser (its cookies) talking to another instance of the app.
    pub fn on(&self, base_url: &str) -> Client {
        Client {
            http: self.http.clone(),
            jar: self.jar.clone(),
            base_url: base_url.to_string(),
            phones: self.phones.clone(),
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = res.text().await.unwrap_or_default();
        Page {
            status,
            location,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.http.get(self.url(path)).send().await.expect("GET")).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Self::page(
            self.http
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Posts a form the way a browser would: with the CSRF token of the page `from`.
    pub async fn submit(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(from).await.csrf();
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend_from_slice(fields);
        self.post(path, &form).await
    }

    /// Posts these forms all at once, each with the CSRF token of the page `from` (a burst from one
    /// browser); the pages in the order of the forms.
    pub async fn submit_all(
        &self,
        from: &str,
        path: &str,
        forms: impl Iterator<Item = Vec<(&str, String)>>,
    ) -> Vec<Page> {
        let token = self.get(from).await.csrf();
        let requests = forms.map(|fields| {
            let mut form = vec![("csrf_token", token.clone())];
            form.extend(fields);
            async move {
                let sent = self.http.post(self.url(path)).form(&form).send().await;
                Self::page(sent.expect("POST")).await
            }
        });
        futures_util::future::join_all(requests).await
    }

    /// Like `submit`, but None when the server cannot be reached (for tests that kill it).
    pub async fn try_submit(
        &self,
        from: &str,
        path: &str,
        fields: &[(&str, String)],
    ) -> Option<StatusCode> {
        let res = self.http.get(self.url(from)).send().await.ok()?;
        let page = Self::page(res).await;
        let token = page.value("input[name=csrf_token]")?;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let res = self
            .http
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .ok()?;
        Some(res.status())
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/inloggen",
            "/inloggen",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Logs in and checks that it worked: with the password, and, when the server asks, with a code
    /// of the account's second factor or by setting one up first (`factor`).
    pub async fn login_ok(&self, email: &str) {
        let page = self.login(email, PASSWORD).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "login of {email} failed: {}",
            page.visible_text()
        );
        let last = self.second_step(email, page).await;
        assert!(
            last.status == StatusCode::SEE_OTHER || last.status == StatusCode::OK,
            "second step of {email} failed: {} {}",
            last.status,
            last.visible_text()
        );
        assert!(
            self.cookie(samenspel::web::SESSION_COOKIE).is_some(),
            "{email} has a session"
        );
    }

    /// The value of a cookie the browser holds for this app.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = url::Url::parse(&self.base_url).unwrap();
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }
}

/// An element's text as a reader sees it: whitespace folded to single spaces.
pub fn folded_text(e: scraper::ElementRef) -> String {
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first link in a mail's text that points into this app.
pub fn link_in(mail: &Mail, base_url: &str) -> String {
    mail.text
        .split_whitespace()
        .find(|w| w.starts_with(base_url))
        .unwrap_or_else(|| panic!("no link in mail: {}", mail.text))
        .to_string()
}

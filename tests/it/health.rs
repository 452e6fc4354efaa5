//! Health checks: alive, and ready only while the database answers.

use reqwest::StatusCode;

use crate::common::TestApp;

#[actix_web::test]
async fn healthz_and_readyz_answer_200() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(client.get("/healthz").await.status, StatusCode::OK);
    let ready = client.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "ready");
}

#[actix_web::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(client.get("/readyz").await.status, StatusCode::OK);

    app.database.destroy();

    let ready = client.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        client.get("/healthz").await.status,
        StatusCode::OK,
        "the process itself is alive"
    );
}

//! Browser tests (wasm-bindgen-test in headless Chromium): PKCE with the browser's
//! CSPRNG, per-tab storage of the pending sign-in, and the callback's refusals as the
//! user sees them.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use plan_my_today::pkce::{State, Verifier};
use plan_my_today::signin::PendingSignIn;
use plan_my_today::storage::{self, PKCE_KEY, SESSION_KEY};
use pmt_wire::AuthConfig;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn config() -> AuthConfig {
    AuthConfig {
        issuer: "http://127.0.0.1:8080/as".into(),
        authorization_endpoint: "http://127.0.0.1:8080/as/authorize".into(),
        client_id: "pmt-tmb".into(),
        scope: "openid profile".into(),
        resource: "urn:pmt:api".into(),
        iss_parameter_supported: true,
    }
}

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn document() -> web_sys::Document {
    window().document().unwrap()
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits (up to ~3 s) for an element inside `root`.
async fn wait_for(root: &web_sys::Element, selector: &str) -> Option<web_sys::Element> {
    for _ in 0..150 {
        leptos::task::tick().await;
        if let Ok(Some(el)) = root.query_selector(selector) {
            return Some(el);
        }
        sleep_ms(20).await;
    }
    None
}

fn set_url(url: &str) {
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
        .unwrap();
}

/// Mounts the whole app into a fresh container at the given URL.
fn mount_app_at(url: &str) -> (web_sys::HtmlElement, impl Drop) {
    set_url(url);
    let container: web_sys::HtmlElement =
        document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), plan_my_today::App);
    (container, handle)
}

fn clear_storage() {
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    window().local_storage().unwrap().unwrap().clear().unwrap();
}

#[wasm_bindgen_test]
fn rfc7636_appendix_b_vector_in_the_browser() {
    let octets: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    let v = Verifier::from_bytes(&octets);
    assert_eq!(v.expose(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(
        v.challenge().as_str(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[wasm_bindgen_test]
fn browser_verifiers_have_rfc_length_charset_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let v = Verifier::generate().unwrap();
        assert_eq!(v.expose().len(), 43);
        assert!(v
            .expose()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(seen.insert(v.expose().to_owned()), "a verifier repeated");
    }
    let a = State::generate().unwrap();
    assert!(!a.matches(State::generate().unwrap().as_str()));
}

#[wasm_bindgen_test]
fn pending_sign_in_lives_in_this_tabs_session_storage_only_and_is_single_use() {
    clear_storage();
    let (pending, _) = PendingSignIn::start(&config(), "http://127.0.0.1:8080/callback").unwrap();
    storage::save(PKCE_KEY, &pending).unwrap();
    let session = window().session_storage().unwrap().unwrap();
    let raw = session.get_item(PKCE_KEY).unwrap().unwrap();
    assert!(raw.contains(pending.verifier.expose()));
    let local = window().local_storage().unwrap().unwrap();
    assert_eq!(local.length().unwrap(), 0, "nothing may go to localStorage");
    let taken: PendingSignIn = storage::take(PKCE_KEY).unwrap();
    assert_eq!(taken, pending);
    assert!(
        storage::take::<PendingSignIn>(PKCE_KEY).is_none(),
        "state is single use"
    );
}

#[wasm_bindgen_test]
fn sign_out_clears_everything_the_app_stored() {
    clear_storage();
    let session = window().session_storage().unwrap().unwrap();
    session.set_item(SESSION_KEY, "{}").unwrap();
    session.set_item("pmt.return_to", "\"/\"").unwrap();
    session.set_item("unrelated", "kept").unwrap();
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("pmt.view", "x")
        .unwrap();
    storage::clear_user_data();
    assert_eq!(session.get_item(SESSION_KEY).unwrap(), None);
    assert_eq!(session.get_item("pmt.return_to").unwrap(), None);
    assert_eq!(
        session.get_item("unrelated").unwrap().as_deref(),
        Some("kept")
    );
    assert_eq!(
        window().local_storage().unwrap().unwrap().length().unwrap(),
        0
    );
}

/// Starts a pending sign-in in this tab and returns its state.
fn pending_in_tab() -> PendingSignIn {
    clear_storage();
    let (pending, _) = PendingSignIn::start(&config(), "http://127.0.0.1:8080/callback").unwrap();
    storage::save(PKCE_KEY, &pending).unwrap();
    pending
}

async fn callback_error_for(url: &str) -> (String, String) {
    let (root, _handle) = mount_app_at(url);
    let alert = wait_for(&root, "#auth-error")
        .await
        .expect("an error is shown");
    let button = root
        .query_selector("#sign-in")
        .unwrap()
        .expect("a sign-in button");
    let search = window().location().search().unwrap();
    root.remove();
    (
        alert.text_content().unwrap_or_default(),
        format!("{}|{}", button.text_content().unwrap_or_default(), search),
    )
}

#[wasm_bindgen_test]
async fn callback_rejects_a_tampered_state() {
    let p = pending_in_tab();
    let (text, rest) = callback_error_for(&format!(
        "/callback?code=abc&state=forged&iss={}",
        js_sys::encode_uri_component(&p.issuer)
    ))
    .await;
    assert!(
        text.contains("does not match the sign-in this tab started"),
        "{text}"
    );
    assert_eq!(
        rest, "Sign in again|",
        "button text and a cleaned address bar"
    );
    assert!(
        storage::load::<PendingSignIn>(PKCE_KEY).is_none(),
        "the state was used up"
    );
}

#[wasm_bindgen_test]
async fn callback_rejects_a_missing_state() {
    let p = pending_in_tab();
    let (text, _) = callback_error_for(&format!(
        "/callback?code=abc&iss={}",
        js_sys::encode_uri_component(&p.issuer)
    ))
    .await;
    assert!(text.contains("no state"), "{text}");
}

#[wasm_bindgen_test]
async fn callback_rejects_a_wrong_issuer() {
    let p = pending_in_tab();
    let (text, rest) = callback_error_for(&format!(
        "/callback?code=abc&state={}&iss=https%3A%2F%2Fevil.example",
        p.state.as_str()
    ))
    .await;
    assert!(text.contains("unexpected authorization server"), "{text}");
    assert!(
        rest.ends_with('|'),
        "code, state and iss are gone from the URL: {rest}"
    );
}

#[wasm_bindgen_test]
async fn callback_shows_the_servers_error_in_plain_words() {
    let p = pending_in_tab();
    let (text, _) = callback_error_for(&format!(
        "/callback?error=access_denied&error_description=The%20user%20denied%20the%20request&state={}&iss={}",
        p.state.as_str(),
        js_sys::encode_uri_component(&p.issuer)
    ))
    .await;
    assert!(text.starts_with("Access was denied"), "{text}");
    assert!(text.contains("The user denied the request"), "{text}");
}

#[wasm_bindgen_test]
async fn callback_without_a_pending_sign_in_is_refused() {
    clear_storage();
    let (text, _) = callback_error_for("/callback?code=abc&state=xyz&iss=x").await;
    assert!(text.contains("not started in this tab"), "{text}");
}

#[wasm_bindgen_test]
async fn signed_out_home_shows_the_sign_in_button() {
    clear_storage();
    let (root, _handle) = mount_app_at("/");
    let button = wait_for(&root, "#sign-in").await.expect("sign-in button");
    assert_eq!(button.text_content().unwrap(), "Sign in");
    assert!(root.query_selector("#sign-out").unwrap().is_none());
    root.remove();
}

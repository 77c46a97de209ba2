//! Reading a `text/event-stream` answer of `fetch`, event by event, through the body's
//! `ReadableStream` (EventSource cannot send a bearer token or a body). Used by the
//! refresh progress stream and Todaygent's chat.

use gloo_net::http::Response;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::api::CallError;
use crate::model::sse::SseParser;

fn broke_off(_: JsValue) -> CallError {
    CallError::Unreadable("the stream broke off".to_owned())
}

/// Reads `response` to its end, calling `on_event(name, data)` for each event.
/// (A `dyn` callback: one compiled copy for every stream the app reads.)
///
/// # Errors
/// When the body is missing or reading fails (the connection dropped, the request was
/// aborted).
pub async fn read_events(
    response: Response,
    on_event: &mut dyn FnMut(&str, &str),
) -> Result<(), CallError> {
    let body = response
        .body()
        .ok_or_else(|| CallError::Unreadable("the stream has no body".to_owned()))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut parser = SseParser::default();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(broke_off)?;
        if Reflect::get(&chunk, &"done".into())
            .map_err(broke_off)?
            .as_bool()
            .unwrap_or(true)
        {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(broke_off)?;
        for event in parser.push(&Uint8Array::new(&value).to_vec()) {
            on_event(&event.event, &event.data);
        }
    }
    if let Some(event) = parser.finish() {
        on_event(&event.event, &event.data);
    }
    Ok(())
}

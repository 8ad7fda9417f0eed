//! The page: one HTML document, its script and its style, built into the binary. Nothing is
//! loaded from elsewhere; the page's words come from the catalogues (`page.*`, and the outcomes'
//! names), both languages,
//! and its keyword highlighting from the keyword table, handed to it as data.

use axum::Router;
use axum::extract;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::State;
use crate::lang::Lang;
use crate::syntax::Keyword;

const INDEX: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

pub(crate) fn routes() -> Router<State> {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(script))
        .route("/app.css", get(style))
}

async fn index(extract::State(shared): extract::State<State>) -> Response {
    let data = data(shared.lang, shared.include_reporter);
    // Inside a <script type="application/json"> block only `</` could end it early.
    let data = data.to_string().replace("</", "<\\/");
    let page = INDEX.replace("{{data}}", &data);
    typed(page, "text/html; charset=utf-8")
}

async fn script() -> Response {
    typed(SCRIPT.to_string(), "text/javascript; charset=utf-8")
}

async fn style() -> Response {
    typed(STYLE.to_string(), "text/css; charset=utf-8")
}

fn typed(body: String, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// What the page needs to start: its words in both languages, the server's language and mode,
/// and the keywords in both spellings.
fn data(lang: Lang, include_reporter: bool) -> Value {
    let mut texts = Map::new();
    for lang in Lang::ALL {
        let entries: Map<String, Value> = ["page.", "outcome."]
            .iter()
            .flat_map(|prefix| lang.entries(prefix))
            .map(|(key, text)| (key.to_string(), json!(text)))
            .collect();
        texts.insert(lang.code().to_string(), Value::Object(entries));
    }
    let mut keywords: Vec<&str> = Keyword::all()
        .flat_map(|keyword| [keyword.english(), keyword.chinese()])
        .collect();
    // Longest first, so that a keyword inside a longer one is not taken first.
    keywords.sort_by_key(|keyword| std::cmp::Reverse(keyword.chars().count()));
    keywords.dedup();
    json!({
        "lang": lang.code(),
        "include_reporter": include_reporter,
        "texts": texts,
        "keywords": keywords,
    })
}

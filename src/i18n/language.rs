//! The language the app speaks: negotiated from the browser's preferences, overridden by the
//! reader's choice (kept in `localStorage`), and read by every `t()`.

use leptos::prelude::{ArcTrigger, Notify, Track};
use std::cell::Cell;

/// A language the catalogue has a column for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    English,
    /// Dutch.
    Dutch,
}

impl Language {
    /// Every language, in the order the switcher offers them.
    pub const ALL: [Language; 2] = [Language::English, Language::Dutch];

    /// Where its text is in each message's texts.
    pub const fn index(self) -> usize {
        match self {
            Language::English => 0,
            Language::Dutch => 1,
        }
    }

    /// The BCP 47 primary subtag: `<html lang>`, `Accept-Language` and storage.
    pub const fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Dutch => "nl",
        }
    }

    /// The language of a stored or announced tag (`nl`, `nl-BE`, `EN-us`), if the app speaks it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The name as its own speakers write it: the switcher labels each language in itself.
    pub const fn own_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Dutch => "Nederlands",
        }
    }

    /// The Intl locale for this language in `market` (`NL` → `nl-NL` or `en-NL`): the
    /// language follows the reader's choice, the region stays the market's, so amounts keep
    /// the market's conventions where the language allows.
    pub fn locale(self, market: &str) -> String {
        format!("{}-{}", self.code(), market)
    }
}

/// The first of the browser's preferred languages (`navigator.languages`, most wanted first)
/// that the app speaks; English when none is.
pub fn negotiate<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Language {
    preferences
        .into_iter()
        .find_map(Language::from_tag)
        .unwrap_or(Language::English)
}

const STORAGE_KEY: &str = "selfserve.language";

thread_local! {
    // The value lives outside the reactive graph so that `t()` also works in native tests and
    // outside any owner; the trigger makes every reactive reader of `t()` re-run on a change.
    static CURRENT: Cell<Language> = const { Cell::new(Language::English) };
    static CHANGED: ArcTrigger = ArcTrigger::new();
}

/// The language now spoken. Reading it subscribes nothing: a change rebuilds the pages whole
/// (see `App`), and a closure inside a page that re-ran on its own could read signals that
/// rebuild has just disposed.
pub fn current() -> Language {
    CURRENT.with(Cell::get)
}

/// The language now spoken, and the reactive scope reading it re-runs when it changes: for
/// what outlives a change (the pages' root, the header).
pub fn tracked() -> Language {
    CHANGED.with(|changed| changed.track());
    CURRENT.with(Cell::get)
}

/// Makes `language` the one spoken everywhere: every reader re-renders, `<html lang>` follows,
/// and the choice is remembered for the next visit.
pub fn choose(language: Language) {
    apply(language);
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(STORAGE_KEY, language.code());
    }
}

/// At start: the reader's remembered choice, else the browser's preferences.
pub fn start() {
    let stored = local_storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|code| Language::from_tag(&code));
    apply(stored.unwrap_or_else(negotiate_with_browser));
}

fn apply(language: Language) {
    CURRENT.with(|current| current.set(language));
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", language.code());
    }
    CHANGED.with(|changed| changed.notify());
}

fn negotiate_with_browser() -> Language {
    let Some(window) = web_sys::window() else {
        return Language::English;
    };
    let tags: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    negotiate(tags.iter().map(String::as_str))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Whether `count` takes the "one" form in the current language, by the browser's
/// `Intl.PluralRules`.
#[cfg(target_arch = "wasm32")]
pub fn is_one(count: u64) -> bool {
    use js_sys::{Array, Intl, Object};
    let locales = Array::of1(&wasm_bindgen::JsValue::from_str(current().code()));
    let rules = Intl::PluralRules::new(&locales, &Object::new());
    rules.select(count as f64).as_string().as_deref() == Some("one")
}

/// Natively (unit tests) there is no Intl: English and Dutch both have exactly "one" (1) and
/// "other" for whole numbers, which this mirrors.
#[cfg(not(target_arch = "wasm32"))]
pub fn is_one(count: u64) -> bool {
    count == 1
}
